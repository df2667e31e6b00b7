/**
 * The keys every HCS credential Secret has, as the documentation lists them
 * (`schema`, `caBundle` and `allowPlainHTTP` are optional). Shared by the
 * browser bundle and the platform proxy.
 */
export const HCS_CREDENTIAL_KEYS = [
  'accessKey',
  'secretKey',
  'projectID',
  'region',
  'externalGlobalDomain',
] as const;
