import { createVsphereProvider } from './provider.js';

export { consumerOfMachine, parseGoDuration as parseDuration } from '@immutable-infra/provider-kit';
export * from './api/index.js';
export * from './cloud/index.js';
export { createVsphereProvider, type VsphereProviderOptions } from './provider.js';

export default createVsphereProvider();
