import {
  type CredentialDataParse,
  PlainHttpConsent,
  parseCredentialData,
  refusePlainHttpWithoutConsent,
} from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';

/**
 * The keys of the Secret an HCSCluster's identityRef names (the documented
 * keys). `schema` is the URL scheme of the platform's API endpoints, https
 * when absent or empty; `http` needs `allowPlainHTTP: "true"`.
 */
export const HcsCredentials = z
  .object({
    accessKey: z.string().min(1),
    secretKey: z.string().min(1),
    projectID: z.string().min(1),
    region: z.string().min(1),
    externalGlobalDomain: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9.-]+(?::\d+)?$/, 'a domain name, optionally with a port, without a scheme'),
    // Read in any case, and an empty value as an absent one: the documentation
    // only says the provider uses https when the key is omitted.
    schema: z
      .string()
      .optional()
      .transform((value) => value?.trim().toLowerCase() || 'https')
      .pipe(z.enum(['https', 'http'])),
    /** PEM of a private CA that signed the platform's certificates. */
    caBundle: z.string().optional(),
    allowPlainHTTP: PlainHttpConsent,
  })
  .superRefine(refusePlainHttpWithoutConsent('schema', (c) => c.schema === 'http'));
export type HcsCredentials = z.infer<typeof HcsCredentials>;

/** Validates Secret data without ever echoing a value: problems name the key only. */
export const parseHcsCredentials = (
  data: Record<string, string> | undefined,
): CredentialDataParse<HcsCredentials> => parseCredentialData(HcsCredentials, data);
