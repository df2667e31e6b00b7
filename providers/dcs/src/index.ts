import { createDcsProvider } from './provider.js';

export * from './api/index.js';
export * from './cloud/index.js';
export { RETAIN_VM_ANNOTATION } from './controllers/dcs-machine-controller.js';
export { createDcsProvider, type DcsProviderOptions } from './provider.js';

export default createDcsProvider();
