/// <reference lib="dom" />
import type { CreateClusterStep, CreateClusterStepProps, FieldProblem } from '@immutable-infra/core';
import {
  basicInfoStep,
  checkboxField,
  clusterCreateWorkflow,
  credentialSelect,
  fieldGroup,
  formSummary,
  h,
  mountWizardStep,
  namedChoices,
  pooledTemplateChoicesOf,
  problemCollector,
  selectField,
  showErrorAt,
  showProblems,
  textField,
  type WizardStepsSpec,
} from '@immutable-infra/ui-kit';
import { HCS_CLASS } from '../catalog.js';
import { HCS_CREDENTIAL_KEYS } from '../credentials/credential-keys.js';
import { platformOf } from '../platform-choices.js';
import type { VpcFact } from '../platform-operations.js';
import { type HcsClusterDraft, initialDraft, readDraft } from './draft.js';
import { loadFacts } from './facts.js';
import { buildManifests } from './manifests.js';
import { checkHcsNetwork, draftWarnings, HCS_NETWORK_STEP, validateDraft } from './rules.js';

/** Every machine template, labelled with its image, flavor and the config pool it draws entries from. */
const templateChoices = pooledTemplateChoicesOf(loadFacts, (t, pool) => {
  const entries = pool ? `${pool.free}/${pool.total} free` : 'missing';
  return `${t.name} — ${t.machineSpec.imageName ?? '?'}, ${t.machineSpec.flavorName ?? '?'}; config pool ${t.configPool ?? 'none'} (${entries})`;
});

const spec: WizardStepsSpec<HcsClusterDraft> = {
  idPrefix: 'hcs.wizard',
  className: HCS_CLASS,
  readDraft,
  templateChoices,
  controlPlaneTemplateHint: 'Its config pool must hold an entry (hostname and IP) per replica',
};

type TextKey =
  | 'name'
  | 'displayName'
  | 'kubernetesVersion'
  | 'vipAddress'
  | 'vipDomainName'
  | 'l4Ips'
  | 'l7Ips';

/** Keeps the host's draft and what a step changed since its mount (the host's props.draft is the draft at mount). */
function draftKeeper(props: CreateClusterStepProps, draft: HcsClusterDraft) {
  const kept = { current: draft };
  const update = (changes: Partial<HcsClusterDraft>) => {
    kept.current = { ...kept.current, ...changes };
    props.update(changes);
  };
  const text = (label: string, key: TextKey, options: Parameters<typeof textField>[3] = {}) => {
    const field = textField(label, key, draft[key], options);
    field.input.addEventListener('input', () =>
      update({ [key]: key === 'displayName' ? field.input.value : field.input.value.trim() }),
    );
    return field;
  };
  return { kept, update, text };
}

/**
 * Basic info: the credential (the next step lists the project's networks
 * with it), the cluster's names and its Kubernetes version.
 */
const basicInfo = basicInfoStep(spec, ({ root, draft, showProblemsAgain }, props) => {
  const { update, text } = draftKeeper(props, draft);
  const name = text('Name', 'name', { hint: 'Lowercase letters, digits and hyphens; not global' });
  const displayName = text('Display name', 'displayName');
  const version = text('Kubernetes version', 'kubernetesVersion', {
    placeholder: 'v1.35.1',
    hint: 'The version the image carries',
  });
  const credential = credentialSelect(props, root, {
    label: 'HCS credential',
    keys: HCS_CREDENTIAL_KEYS,
    chosen: draft.credential,
    failField: 'credential',
    choose: (chosen) => update({ credential: chosen }),
    // The networks are listed by the next step, with the credential chosen here.
    load: async () => undefined,
    showProblemsAgain,
  });
  root.append(credential.row, name.row, displayName.row, version.row, formSummary());
  showProblemsAgain();
  credential.list();
});

/**
 * The HCSCluster's network (VPC, subnets and security group, listed from the
 * project of the credential chosen in basic info) and its control plane ELB
 * (VIP, its subnet and domain, and the optional fixed L4 and L7 virtual
 * subnet IPs). Once the networks are listed the step checks the draft's
 * choices against them (the preflight): a VPC, subnet or security group the
 * project no longer has, or a VIP outside its subnet, shows at its field
 * before the user goes on. Empty fields are left to the host's check on Next,
 * so a first visit is not covered in errors.
 */
const networkStep: CreateClusterStep = {
  id: HCS_NETWORK_STEP,
  title: 'Network and Load Balancer',
  mount(element, props: CreateClusterStepProps) {
    const { root, draft, unmount, showProblemsAgain } = mountWizardStep(
      element,
      props,
      'hcs.wizard.network',
      spec,
    );
    const { kept, update, text } = draftKeeper(props, draft);
    let vpcs: VpcFact[] | undefined;
    // What the host last found on this step, shown with the preflight's so neither hides the other.
    let hostProblems: readonly FieldProblem[] = [];
    const stopListening = props.onProblems((problems) => {
      hostProblems = problems;
    });
    const vpc = selectField('VPC', 'vpc', [], draft.vpc, { hint: 'Listed by the credential’s project' });
    const subnetBox = h('div', {});
    const securityGroup = selectField('Security group', 'securityGroup', [], draft.securityGroup);
    const vipSubnet = selectField('VIP subnet', 'vipSubnetName', [], draft.vipSubnetName);
    const vipAddress = text('Control plane VIP', 'vipAddress', {
      placeholder: '192.168.1.100',
      hint: 'The ELB’s fixed address; the API server is reached on it',
    });
    const vipDomain = text('VIP domain name', 'vipDomainName', {
      hint: 'Optional; you keep DNS resolving it to the VIP',
    });
    const elbSubnet = selectField('ELB virtual subnet', 'elbSubnetName', [], draft.elbSubnetName, {
      placeholder: '(the VIP subnet)',
    });
    const l4 = text('L4 virtual subnet IPs', 'l4Ips', {
      placeholder: '192.168.1.101, 192.168.1.102',
      hint: 'Two, or none: HCS allocates them',
    });
    const l7 = text('L7 virtual subnet IPs', 'l7Ips', {
      placeholder: '192.168.1.103, 192.168.1.104',
      hint: 'Two, or none: HCS allocates them',
    });

    /** The preflight: the draft's chosen values checked against the listed networks. */
    const preflight = () => {
      const { problems, report } = problemCollector();
      checkHcsNetwork(kept.current, vpcs, report);
      const chosen = problems.filter((p) => {
        const value = kept.current[p.field as keyof HcsClusterDraft];
        return Array.isArray(value) ? value.length > 0 : Boolean(value);
      });
      const fresh = chosen.filter((p) => !hostProblems.some((known) => known.field === p.field));
      if (fresh.length > 0) showProblems(root, [...hostProblems, ...fresh]);
    };

    /** The chosen VPC's subnets and security groups into their fields; what was chosen stays. */
    const showVpc = () => {
      const current = kept.current;
      const chosen = vpcs?.find((v) => v.name === current.vpc);
      const subnets = namedChoices(chosen?.subnets.map((s) => s.name) ?? []);
      securityGroup.fill(
        namedChoices(chosen?.securityGroups.map((g) => g.name) ?? []),
        current.securityGroup,
      );
      vipSubnet.fill(subnets, current.vipSubnetName);
      elbSubnet.fill(subnets, current.elbSubnetName);
      subnetBox.replaceChildren(
        ...subnets.map((subnet) => {
          const box = checkboxField(
            subnet.label,
            `subnets.${subnet.value}`,
            kept.current.subnets.includes(subnet.value),
          );
          box.input.addEventListener('change', () => {
            const now = kept.current.subnets.filter((s) => s !== subnet.value);
            update({ subnets: box.input.checked ? [...now, subnet.value] : now });
          });
          return box.row;
        }),
      );
      showProblemsAgain();
    };
    const loadNetworks = async () => {
      vpcs = draft.credential
        ? await platformOf(props.api, props.namespace, draft.credential).networks()
        : [];
      vpc.fill(namedChoices(vpcs.map((v) => v.name)), kept.current.vpc);
      showVpc();
      preflight();
    };
    vpc.select.addEventListener('change', () => {
      update({
        vpc: vpc.select.value,
        subnets: [],
        securityGroup: '',
        vipSubnetName: '',
        elbSubnetName: '',
      });
      showVpc();
    });
    for (const [field, key] of [
      [securityGroup, 'securityGroup'],
      [vipSubnet, 'vipSubnetName'],
      [elbSubnet, 'elbSubnetName'],
    ] as const)
      field.select.addEventListener('change', () => update({ [key]: field.select.value }));

    root.append(
      h('h3', { text: 'Network' }),
      vpc.row,
      h(
        'div',
        { className: 'hcs-subnets' },
        h('span', { text: 'Subnets' }),
        fieldGroup('Subnets', 'subnets', subnetBox),
      ),
      securityGroup.row,
      h('h3', { text: 'Control plane load balancer' }),
      vipSubnet.row,
      vipAddress.row,
      vipDomain.row,
      elbSubnet.row,
      l4.row,
      l7.row,
      formSummary(),
    );
    showProblemsAgain();
    // Listing with the credential fails when HCS cannot be reached; that shows at the VPC.
    loadNetworks().catch((error: unknown) => showErrorAt(root, 'vpc', error));
    return () => {
      stopListening();
      unmount();
    };
  },
};

const workflowData = { initialDraft, loadFacts, validateDraft, buildManifests, draftWarnings };

/**
 * The documented six-step workflow: basic info, the network and load
 * balancer, the kit's three shared steps, then the host's review.
 */
export const createClusterWorkflow = clusterCreateWorkflow(spec, [basicInfo, networkStep], workflowData);
