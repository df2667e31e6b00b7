import { AcmeCluster } from './acme-cluster.js';
import { AcmeMachine } from './acme-machine.js';
import { AcmeMachineTemplate } from './acme-machine-template.js';

export { AcmeCluster, AcmeClusterSpec } from './acme-cluster.js';
export { AcmeMachine, AcmeMachineSpec } from './acme-machine.js';
export { AcmeMachineTemplate } from './acme-machine-template.js';
export { AcmeCredentialSchema, type AcmeCredentials, parseAcmeCredentials } from './credentials.js';

/** Every kind of the provider, in install order: what `npm run generate` writes CRDs for. */
export const allKinds = [AcmeCluster, AcmeMachine, AcmeMachineTemplate];
