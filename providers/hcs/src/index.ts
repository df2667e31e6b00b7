import { createHcsProvider } from './provider.js';

export * from './api/index.js';
export * from './cloud/index.js';
export { providerIdOf } from './controllers/hcs-machine-controller.js';
export { loadBalancerName, persistentVolumeName, serverGroupName } from './controllers/names.js';
export { createHcsProvider, type HcsProviderOptions } from './provider.js';

export default createHcsProvider();
