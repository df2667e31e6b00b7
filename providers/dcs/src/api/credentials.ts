import {
  type CredentialDataParse,
  PlainHttpConsent,
  parseCredentialData,
  refusePlainHttpWithoutConsent,
} from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';

/**
 * Whether an endpoint is plain `http://`: the one rule the Secret's schema, the cluster's
 * SecureConnection condition and the credential form all apply. A regular expression, not URL:
 * refinements also run on an endpoint zod has already found invalid, and the form checks as the user
 * types.
 */
export const isPlainHttpEndpoint = (endpoint: string): boolean => /^\s*http:/i.test(endpoint);

/**
 * The keys of the Secret a DCSCluster's credentialSecretRef names. userType
 * accepts the documented names in any case, and an empty value means the
 * default, interconnect, as an absent key does (the documentation says so;
 * surrounding whitespace, such as the newline `echo` without -n leaves, is
 * ignored); the numeric forms are rejected so a domain user is never taken for an
 * interconnect one. An `http://` endpoint needs `allowPlainHTTP: "true"`.
 */
export const DcsCredentials = z
  .object({
    authUser: z.string().min(1),
    authKey: z.string().min(1),
    endpoint: z.url({ protocol: /^https?$/ }).describe('DCS VRM address, e.g. https://192.0.2.10:7443'),
    site: z.string().optional(),
    userType: z
      .string()
      .transform((value) => value.trim().toLowerCase() || 'interconnect')
      .pipe(z.enum(['interconnect', 'domain']))
      .optional(),
    allowPlainHTTP: PlainHttpConsent,
  })
  .superRefine(refusePlainHttpWithoutConsent('endpoint', (c) => isPlainHttpEndpoint(String(c.endpoint))));
export type DcsCredentials = z.infer<typeof DcsCredentials>;

/** Validates Secret data without ever echoing a value: problems name the key only. */
export const parseCredentials = (
  data: Record<string, string> | undefined,
): CredentialDataParse<DcsCredentials> => parseCredentialData(DcsCredentials, data);
