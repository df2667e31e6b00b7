import { createBaremetalProvider } from './provider.js';

export * from './api/index.js';
export * from './cloud/index.js';
export { normaliseBootstrap, normaliseKubeadmConfig } from './controllers/bootstrap-data.js';
export { type BaremetalProviderOptions, createBaremetalProvider } from './provider.js';

export default createBaremetalProvider();
