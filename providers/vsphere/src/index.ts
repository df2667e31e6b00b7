import { createVsphereProvider } from './provider.js';

export * from './api/index.js';
export * from './cloud/index.js';
export { consumerOfMachine, parseDuration } from './controllers/vsphere-machine-controller.js';
export { createVsphereProvider, type VsphereProviderOptions } from './provider.js';

export default createVsphereProvider();
