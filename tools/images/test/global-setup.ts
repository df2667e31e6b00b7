import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createGlobalSetup } from '@immutable-infra/testkit/vitest';

// One real kube-apiserver with Cluster API's and the DCS provider's CRDs: the image's manager starts against it.
const crds = join(import.meta.dirname, '../../../providers/dcs/charts/cluster-api-provider-dcs/crds');
export default createGlobalSetup({ crdFiles: readdirSync(crds).map((f) => join(crds, f)) });
