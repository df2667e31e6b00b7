/// <reference lib="dom" />
import {
  basicInfoStep,
  clusterCreateWorkflow,
  credentialSelect,
  formSummary,
  platformClient,
  pooledTemplateChoicesOf,
  selectField,
  textField,
  type WizardStepsSpec,
} from '@immutable-infra/ui-kit';
import { VSPHERE_CLASS } from '../catalog.js';
import { VSPHERE_CREDENTIAL_KEYS } from '../credentials/credential-keys.js';
import type { VspherePlatformOperations } from '../platform-operations.js';
import { initialDraft, readDraft, type VsphereClusterDraft } from './draft.js';
import { loadFacts } from './facts.js';
import { buildManifests } from './manifests.js';
import { draftWarnings, validateDraft } from './rules.js';

/** Every machine template, labelled with what it clones and the config pool it draws slots from. */
const templateChoices = pooledTemplateChoicesOf(loadFacts, (t, pool) => {
  const slots = pool ? `${pool.free}/${pool.total} free, cluster ${pool.cluster}` : 'missing';
  return `${t.name} — ${t.machineSpec.template}, ${t.machineSpec.numCPUs ?? '?'} CPU, ${t.machineSpec.memoryMiB ?? '?'} MiB; config pool ${t.configPool ?? 'none'} (${slots})`;
});

const spec: WizardStepsSpec<VsphereClusterDraft> = {
  idPrefix: 'vsphere.wizard',
  className: VSPHERE_CLASS,
  readDraft,
  templateChoices,
  controlPlaneTemplateHint: 'Its machine config pool must name this cluster and hold a slot per replica',
};

/** The typed fields of the first step: label, draft key, options. */
const TYPED: [
  string,
  'name' | 'displayName' | 'kubernetesVersion' | 'apiServerAddress' | 'server' | 'thumbprint',
  Parameters<typeof textField>[3],
][] = [
  ['Name', 'name', { hint: 'Lowercase letters, digits and hyphens; not global' }],
  ['Display name', 'displayName', {}],
  [
    'Kubernetes version',
    'kubernetesVersion',
    { placeholder: 'v1.35.1', hint: 'The version the VM template carries' },
  ],
  ['Cluster API address', 'apiServerAddress', { placeholder: 'https://<load-balancer-address>:6443' }],
  [
    'vCenter server',
    'server',
    { hint: 'The credential’s vCenter as host or host:port (VSphereCluster spec.server)' },
  ],
  ['Thumbprint', 'thumbprint', { hint: 'vCenter’s certificate SHA-1 or SHA-256; empty to trust its CA' }],
];

/** Basic info: the credential and its datacenter from vCenter, the names, version, endpoint and vCenter. */
const basicInfo = basicInfoStep(spec, ({ root, draft, showProblemsAgain }, props) => {
  const datacenter = selectField('Datacenter', 'datacenter', [], draft.datacenter, {
    hint: 'Listed by the credential’s vCenter',
  });
  const typed = TYPED.map(([label, key, options]) => {
    const field = textField(label, key, draft[key], options);
    const trim = key !== 'displayName';
    field.input.addEventListener('input', () =>
      props.update({ [key]: trim ? field.input.value.trim() : field.input.value }),
    );
    return field;
  });
  const loadDatacenters = async (name: string) => {
    if (!name) return datacenter.fill([], '');
    const found = await platformClient<VspherePlatformOperations>(props.api, {
      namespace: props.namespace,
      name,
    }).listDatacenters();
    datacenter.fill(
      found.map((d) => ({ value: d.name, label: d.name })),
      draft.datacenter,
    );
    showProblemsAgain();
  };
  const credential = credentialSelect(props, root, {
    label: 'vCenter credential',
    keys: VSPHERE_CREDENTIAL_KEYS,
    chosen: draft.credential,
    failField: '(form)',
    choose: (name) => props.update({ credential: name, datacenter: '' }),
    load: loadDatacenters,
    showProblemsAgain,
  });
  datacenter.select.addEventListener('change', () => props.update({ datacenter: datacenter.select.value }));
  root.append(credential.row, datacenter.row, ...typed.map((f) => f.row), formSummary());
  showProblemsAgain();
  credential.list();
});

const workflowData = { initialDraft, loadFacts, validateDraft, buildManifests, draftWarnings };

/** The documented 5-step workflow: basic info and the kit's three shared steps, then the host's review. */
export const createClusterWorkflow = clusterCreateWorkflow(spec, [basicInfo], workflowData);
