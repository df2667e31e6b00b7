import { z } from 'zod';

/**
 * The keys of the Secret an HCSCluster's identityRef names (the documented
 * keys). `schema` is the URL scheme of the platform's API endpoints.
 */
export const HcsCredentials = z.object({
  accessKey: z.string().min(1),
  secretKey: z.string().min(1),
  projectID: z.string().min(1),
  region: z.string().min(1),
  externalGlobalDomain: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9.-]+(?::\d+)?$/, 'a domain name, optionally with a port, without a scheme'),
  schema: z.enum(['https', 'http']).default('https'),
  /** PEM of a private CA that signed the platform's certificates. */
  caBundle: z.string().optional(),
});
export type HcsCredentials = z.infer<typeof HcsCredentials>;

/** Validates Secret data without ever echoing a value: problems name the key only. */
export function parseHcsCredentials(
  data: Record<string, string> | undefined,
): { ok: true; credentials: HcsCredentials } | { ok: false; problems: string[] } {
  const result = HcsCredentials.safeParse(data ?? {});
  if (result.success) return { ok: true, credentials: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(secret)';
      return issue.code === 'invalid_type' && issue.input === undefined
        ? `${key} is missing`
        : `${key} is invalid`;
    }),
  };
}
