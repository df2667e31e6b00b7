import {
  PlainHttpConsent,
  parseCredentialData,
  refusePlainHttpWithoutConsent,
} from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';

/**
 * The keys of the credential Secret an AcmeCluster names (`spec.credentialSecretRef`). A problem
 * names a key, never its value: the value may be the token itself.
 */
export const AcmeCredentialSchema = z
  .object({
    /** The platform's API, `https://acme.example.com` (plain `http://` only with `allowPlainHTTP`). */
    endpoint: z.url({ protocol: /^https?$/ }),
    /** The API token, sent as `Authorization: Bearer <token>`. */
    token: z.string().min(1),
    /** `"true"` accepts a plain-HTTP endpoint: the token then crosses the network unencrypted. */
    allowPlainHTTP: PlainHttpConsent,
  })
  // A regular expression, not URL: refinements also run on an endpoint zod has already found invalid.
  .superRefine(refusePlainHttpWithoutConsent('endpoint', (c) => /^\s*http:/i.test(String(c.endpoint))));

export type AcmeCredentials = z.output<typeof AcmeCredentialSchema>;

/** The credential in a Secret's data, or the problems that name its keys. */
export const parseAcmeCredentials = (data: Record<string, string> | undefined) =>
  parseCredentialData(AcmeCredentialSchema, data);
