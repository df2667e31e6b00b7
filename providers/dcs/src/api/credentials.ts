import { type CredentialDataParse, parseCredentialData } from '@immutable-infra/provider-kit/kinds';
import { z } from 'zod';

/**
 * The keys of the Secret a DCSCluster's credentialSecretRef names. userType
 * accepts the documented names in any case; the numeric forms are rejected.
 */
export const DcsCredentials = z.object({
  authUser: z.string().min(1),
  authKey: z.string().min(1),
  endpoint: z.url({ protocol: /^https?$/ }).describe('DCS VRM address, e.g. https://192.0.2.10:7443'),
  site: z.string().optional(),
  userType: z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(['interconnect', 'domain']))
    .optional(),
});
export type DcsCredentials = z.infer<typeof DcsCredentials>;

/** Validates Secret data without ever echoing a value: problems name the key only. */
export const parseCredentials = (
  data: Record<string, string> | undefined,
): CredentialDataParse<DcsCredentials> => parseCredentialData(DcsCredentials, data);
