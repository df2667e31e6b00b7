/**
 * The keys of a vCenter credential Secret: `username` and `password` as the
 * controllers read them (with the optional `caBundle`), and for the extension
 * `server` (the vCenter a cluster names in `spec.server`) and an optional
 * `thumbprint`, so a credential can be tested on its own. Shared by the
 * browser bundle and the platform proxy.
 */
export const VSPHERE_CREDENTIAL_KEYS = ['server', 'username', 'password'] as const;
