/// <reference lib="dom" />
import {
  basicInfoStep,
  type Choice,
  clusterCreateWorkflow,
  compareVersions,
  formSummary,
  pooledTemplateChoicesOf,
  selectField,
  showErrorAt,
  textField,
  type WizardStepsSpec,
} from '@immutable-infra/ui-kit';
import { BAREMETAL_CLASS } from '../catalog.js';
import { poolCounters } from '../pools/pool-record.js';
import { type BaremetalClusterDraft, initialDraft, type LoadBalancerDraft, readDraft } from './draft.js';
import { loadFacts } from './facts.js';
import { buildManifests } from './manifests.js';
import { draftWarnings, validateDraft } from './rules.js';

/** Every BaremetalMachineTemplate, labelled with its MachineInventoryPool, the cluster it serves and its counters. */
const templateChoices = pooledTemplateChoicesOf(loadFacts, (t, pool) => {
  const counters = pool ? `cluster ${pool.cluster}: ${poolCounters(pool)}` : 'missing';
  return `${t.name} — pool ${t.configPool ?? 'none'} (${counters})`;
});

const spec: WizardStepsSpec<BaremetalClusterDraft> = {
  idPrefix: 'baremetal.wizard',
  className: BAREMETAL_CLASS,
  readDraft,
  templateChoices,
  controlPlaneTemplateHint:
    'Its machine inventory pool must name this cluster and have an available host per replica',
};

/** The image catalog's versions, newest first, each with the OS image it provisions. */
export function versionChoices(catalog: Record<string, string> | undefined): Choice[] {
  return Object.entries(catalog ?? {})
    .filter(([, image]) => image.trim())
    .sort(([a], [b]) => compareVersions(b, a))
    .map(([version, image]) => ({ value: version, label: `${version} — ${image.trim()}` }));
}

/** Basic info: names, the version from the image catalog, and the control plane's VIP or load balancer. */
const basicInfo = basicInfoStep(spec, ({ root, draft, showProblemsAgain }, props) => {
  const name = textField('Name', 'name', draft.name, {
    hint: 'Lowercase letters, digits and hyphens; not global',
  });
  const displayName = textField('Display name', 'displayName', draft.displayName);
  const version = selectField('Kubernetes version', 'kubernetesVersion', [], draft.kubernetesVersion, {
    hint: 'A key of the elemental-image-catalog ConfigMap: the OS image every host is provisioned with',
  });
  const lbType = selectField(
    'Control plane load balancer',
    'loadBalancer.type',
    [
      { value: 'Internal', label: 'Internal: a VIP the control plane nodes keep (alive, VRRP)' },
      { value: 'External', label: 'External: a load balancer you run' },
    ],
    draft.loadBalancer.type,
    { noEmptyChoice: true },
  );
  const host = textField('VIP or load balancer address', 'loadBalancer.host', draft.loadBalancer.host, {
    placeholder: '192.168.254.100',
    hint: 'An Internal VIP is a free IPv4 address in the control plane nodes’ Layer-2 domain',
  });
  const port = textField('API server port', 'loadBalancer.port', draft.loadBalancer.port, {
    hint: 'Usually 6443',
  });
  const vrid = textField('VRRP router ID (vrid)', 'loadBalancer.vrid', draft.loadBalancer.vrid, {
    placeholder: '51',
    hint: '0-255, unique in the control plane’s Layer-2 domain; Internal only',
  });
  const loadBalancer = (): LoadBalancerDraft => ({
    type: lbType.select.value === 'External' ? 'External' : 'Internal',
    host: host.input.value.trim(),
    port: port.input.value.trim(),
    vrid: vrid.input.value.trim(),
  });
  const showVrid = () => {
    vrid.row.hidden = lbType.select.value === 'External';
  };
  name.input.addEventListener('input', () => props.update({ name: name.input.value.trim() }));
  displayName.input.addEventListener('input', () => props.update({ displayName: displayName.input.value }));
  version.select.addEventListener('change', () => props.update({ kubernetesVersion: version.select.value }));
  lbType.select.addEventListener('change', () => {
    showVrid();
    props.update({ loadBalancer: loadBalancer() });
  });
  for (const field of [host, port, vrid])
    field.input.addEventListener('input', () => props.update({ loadBalancer: loadBalancer() }));
  showVrid();
  root.append(
    name.row,
    displayName.row,
    version.row,
    lbType.row,
    host.row,
    port.row,
    vrid.row,
    formSummary(),
  );
  showProblemsAgain();
  loadFacts(props.api, props.namespace, draft)
    .then((facts) => {
      version.fill(versionChoices(facts.imageCatalog), draft.kubernetesVersion);
      showProblemsAgain();
    })
    .catch((error: unknown) => showErrorAt(root, '(form)', error));
});

const workflowData = { initialDraft, loadFacts, validateDraft, buildManifests, draftWarnings };

/** Basic info (with the load balancer) and the kit's three shared steps, then the host's review. */
export const createClusterWorkflow = clusterCreateWorkflow(spec, [basicInfo], workflowData);
