import { createAcmeProvider } from './provider.js';

export * from './api/index.js';
export { AcmeClient, type AcmeMachineInfo, classifyAcmeError } from './cloud/acme-client.js';
export { type AcmeProviderOptions, createAcmeProvider } from './provider.js';

/** What `iinfra manager --provider {{packageName}}` loads. */
export default createAcmeProvider();
