import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';
import { clusterApiCrds } from './capi-crds.js';

// One real kube-apiserver and etcd for the run (binaries from KUBEBUILDER_ASSETS), with the
// provider's generated CRDs (`npm run generate` first) and the Cluster API kinds the host reads.
const crdDir = fileURLToPath(new URL('../crds', import.meta.url));
const crdFiles = readdirSync(crdDir)
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => `${crdDir}/${name}`);

export default createGlobalSetup({ crdFiles, clusterApiCrds: false, crdObjects: clusterApiCrds });
