import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';

// One real kube-apiserver and etcd for the run (binaries from KUBEBUILDER_ASSETS) with Cluster API's
// own CRDs (the version @immutable-infra/management-plane pins, fetched once from the Go module proxy
// in GOPROXY and checked against go.sum) and the provider's generated CRDs (`npm run generate` first).
const crdDir = fileURLToPath(new URL('../crds', import.meta.url));
const crdFiles = readdirSync(crdDir)
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => `${crdDir}/${name}`);

export default createGlobalSetup({ crdFiles });
