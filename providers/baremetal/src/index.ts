import { createBaremetalProvider } from './provider.js';

// provider-id and criSocket in each Init/JoinConfiguration (the kit's, under the name this package exported).
export { kubeadmConfigWithProviderId as normaliseKubeadmConfig } from '@immutable-infra/provider-kit';
export * from './api/index.js';
export * from './cloud/index.js';
export { normaliseBootstrap } from './controllers/bootstrap-data.js';
export { type BaremetalProviderOptions, createBaremetalProvider } from './provider.js';

export default createBaremetalProvider();
