/// <reference lib="dom" />
/**
 * The create-cluster steps every provider shows the same way (control plane,
 * worker pools, networking) and what every step needs to mount. A provider
 * passes what differs: its root's id and class, how it reads its draft, and
 * where its machine template choices come from.
 */
import type {
  CreateClusterStep,
  CreateClusterStepProps,
  FieldProblem,
  HostApi,
  StrictAnchorExport,
} from '@immutable-infra/core';
import { CLUSTER_STEP, type ControlPlaneDraft, newWorkerPool } from './cluster-draft.js';
import { type ClusterWorkflowRules, clusterWorkflowLogic } from './cluster-facts.js';
import {
  keysOf,
  type NetworkingDraft,
  type PooledTemplate,
  type SlotPoolCapacity,
  type WorkerPoolDraft,
} from './cluster-rules.js';
import { listCredentialSecrets } from './credentials.js';
import { button, extensionRoot, h } from './elements.js';
import {
  type Choice,
  formSummary,
  numberField,
  selectField,
  showErrorAt,
  showProblems,
  textAreaField,
  textField,
} from './fields.js';
import { KIT_CLASSES } from './styles.js';

/** The draft keys the shared steps read. */
export interface SharedStepDraft {
  name: string;
  controlPlane: ControlPlaneDraft;
  workers: WorkerPoolDraft[];
  networking: NetworkingDraft;
}

/** What a provider tells the shared steps. */
export interface WizardStepsSpec<D extends SharedStepDraft> {
  /** The prefix of each step root's id (`<prefix>.control-plane`). */
  idPrefix: string;
  /** The provider's class on every root, next to the kit's. */
  className: string;
  readDraft(value: Record<string, unknown>): D;
  /** Machine templates of one role the draft may use, as choices. */
  templateChoices(
    props: CreateClusterStepProps,
    draft: D,
    role: 'control-plane' | 'worker',
  ): Promise<Choice[]>;
  /** The hint under the control plane's template choice. */
  controlPlaneTemplateHint: string;
}

/**
 * What every step needs: its root, the draft as the host has it, and the
 * problems listener. The host may call the listener at once (problems it
 * found before), before the step has built its fields, and a step rebuilds
 * fields when its choices load; so the last problems are kept and shown again
 * by `showProblemsAgain` after every (re)build.
 */
export function mountWizardStep<D>(
  element: unknown,
  props: CreateClusterStepProps,
  id: string,
  spec: { className: string; readDraft(value: Record<string, unknown>): D },
) {
  const { root, unmount } = extensionRoot(element, id, { className: spec.className });
  const draft = spec.readDraft(props.draft);
  let last: readonly FieldProblem[] = [];
  const stop = props.onProblems((problems) => {
    last = problems;
    showProblems(root, problems);
  });
  return {
    root,
    draft,
    showProblemsAgain: () => {
      if (last.length > 0) showProblems(root, last);
    },
    unmount: () => {
      stop();
      unmount();
    },
  };
}

const formProblem = (root: HTMLElement, error: unknown) => showErrorAt(root, '(form)', error);

/** The control plane step: its machine template, the fixed replicas, SSH keys. */
export function controlPlaneStep<D extends SharedStepDraft>(spec: WizardStepsSpec<D>): CreateClusterStep {
  return {
    id: CLUSTER_STEP.controlPlane,
    title: 'Control Plane Node Pool',
    mount(element, props: CreateClusterStepProps) {
      const { root, draft, unmount, showProblemsAgain } = mountWizardStep(
        element,
        props,
        `${spec.idPrefix}.control-plane`,
        spec,
      );
      const template = selectField(
        'Machine template',
        'controlPlane.machineTemplate',
        [],
        draft.controlPlane.machineTemplate,
        { hint: spec.controlPlaneTemplateHint },
      );
      const replicas = textField('Replicas', 'controlPlane.replicas', String(draft.controlPlane.replicas), {
        readOnly: true,
        hint: 'Fixed at 3 for high availability',
      });
      const keys = textAreaField(
        'SSH authorized keys',
        'controlPlane.sshAuthorizedKeys',
        draft.controlPlane.sshAuthorizedKeys.join('\n'),
        { hint: 'One OpenSSH public key per line' },
      );
      const push = () =>
        props.update({
          controlPlane: {
            ...draft.controlPlane,
            machineTemplate: template.select.value,
            sshAuthorizedKeys: keysOf(keys.input.value),
          },
        });
      template.select.addEventListener('change', push);
      keys.input.addEventListener('input', push);
      root.append(template.row, replicas.row, keys.row, formSummary());
      showProblemsAgain();
      spec
        .templateChoices(props, draft, 'control-plane')
        .then((choices) => {
          template.fill(choices, draft.controlPlane.machineTemplate);
          showProblemsAgain();
        })
        .catch((error: unknown) => formProblem(root, error));
      return unmount;
    },
  };
}

/** The worker pools step: a card a pool (name, template, replicas, rollout numbers, SSH keys), added and removed. */
export function workerPoolsStep<D extends SharedStepDraft>(spec: WizardStepsSpec<D>): CreateClusterStep {
  return {
    id: CLUSTER_STEP.workers,
    title: 'Worker Node Pools',
    mount(element, props: CreateClusterStepProps) {
      const { root, draft, unmount, showProblemsAgain } = mountWizardStep(
        element,
        props,
        `${spec.idPrefix}.workers`,
        spec,
      );
      const list = h('div', { data: { pools: '' } });
      // The documented tip: prefix pool names with the cluster name.
      let pools: WorkerPoolDraft[] = draft.workers.map((p, i) =>
        p.name || !draft.name ? { ...p } : { ...p, name: `${draft.name}-worker-${i + 1}` },
      );
      if (pools.some((p, i) => p.name !== draft.workers[i]?.name)) props.update({ workers: pools });
      let choices: Choice[] = [];
      let readers: (() => WorkerPoolDraft)[] = [];

      const sync = () => {
        pools = readers.map((read) => read());
        props.update({ workers: pools });
      };

      const render = () => {
        readers = [];
        list.replaceChildren(
          ...pools.map((pool, i) => {
            const at = `workers.${i}`;
            const name = textField('Pool name', `${at}.name`, pool.name, {
              hint: 'Prefix it with the cluster name, e.g. mycluster-worker-1',
            });
            const template = selectField(
              'Machine template',
              `${at}.machineTemplate`,
              choices,
              pool.machineTemplate,
            );
            const replicas = numberField('Replicas', `${at}.replicas`, pool.replicas);
            const surge = numberField('Max surge', `${at}.maxSurge`, pool.maxSurge, {
              hint: 'Keep 0 when the pool uses persistent disks',
            });
            const unavailable = numberField('Max unavailable', `${at}.maxUnavailable`, pool.maxUnavailable, {
              hint: 'With max surge 0: at least 1 and at most the replicas',
            });
            const keys = textAreaField(
              'SSH authorized keys',
              `${at}.sshAuthorizedKeys`,
              pool.sshAuthorizedKeys.join('\n'),
            );
            readers.push(() => ({
              name: name.input.value.trim(),
              machineTemplate: template.select.value,
              replicas: replicas.read(),
              maxSurge: surge.read(),
              maxUnavailable: unavailable.read(),
              sshAuthorizedKeys: keysOf(keys.input.value),
            }));
            const card = h(
              'div',
              { className: KIT_CLASSES.card, data: { pool: String(i) } },
              h('h3', { text: `Worker pool ${i + 1}` }),
              name.row,
              template.row,
              replicas.row,
              surge.row,
              unavailable.row,
              keys.row,
              button(
                'Remove pool',
                () => {
                  sync();
                  pools.splice(i, 1);
                  props.update({ workers: pools });
                  render();
                },
                { action: `remove-pool:${i}` },
              ),
            );
            card.addEventListener('input', sync);
            card.addEventListener('change', sync);
            return card;
          }),
        );
      };

      root.append(
        list,
        button(
          'Add worker pool',
          () => {
            sync();
            pools.push(newWorkerPool(draft.name, pools.length));
            props.update({ workers: pools });
            render();
          },
          { action: 'add-pool' },
        ),
        formSummary(),
      );
      render();
      showProblemsAgain();
      spec
        .templateChoices(props, draft, 'worker')
        .then((loaded) => {
          choices = loaded;
          sync();
          render();
          showProblemsAgain();
        })
        .catch((error: unknown) => formProblem(root, error));
      return unmount;
    },
  };
}

/** The networking step: pods, services and Kube-OVN's join CIDR. */
export function networkingStep<D extends SharedStepDraft>(spec: WizardStepsSpec<D>): CreateClusterStep {
  return {
    id: CLUSTER_STEP.networking,
    title: 'Networking',
    mount(element, props: CreateClusterStepProps) {
      const { root, draft, unmount, showProblemsAgain } = mountWizardStep(
        element,
        props,
        `${spec.idPrefix}.networking`,
        spec,
      );
      const pods = textField('Pods CIDR', 'networking.podsCidr', draft.networking.podsCidr, {
        placeholder: '10.3.0.0/16',
      });
      const services = textField('Services CIDR', 'networking.servicesCidr', draft.networking.servicesCidr, {
        placeholder: '10.4.0.0/16',
      });
      const join = textField('Join CIDR', 'networking.joinCidr', draft.networking.joinCidr, {
        placeholder: '100.64.0.0/16',
        hint: 'Kube-OVN join network; must not overlap the pod or service CIDR',
      });
      const push = () =>
        props.update({
          networking: {
            podsCidr: pods.input.value.trim(),
            servicesCidr: services.input.value.trim(),
            joinCidr: join.input.value.trim(),
          },
        });
      for (const field of [pods, services, join]) field.input.addEventListener('input', push);
      root.append(pods.row, services.row, join.row, formSummary());
      showProblemsAgain();
      return unmount;
    },
  };
}

/** The three shared steps, in the documented order after the provider's basic info step. */
export function sharedClusterSteps<D extends SharedStepDraft>(spec: WizardStepsSpec<D>): CreateClusterStep[] {
  return [controlPlaneStep(spec), workerPoolsStep(spec), networkingStep(spec)];
}

/** What {@link credentialSelect} needs of the first step. */
export interface CredentialSelectSpec {
  label: string;
  /** The keys a Secret of the platform's credentials holds. */
  keys: readonly string[];
  /** The draft's credential, selected once the Secrets are listed. */
  chosen: string;
  /** Where a failure to list shows: a field path, or `(form)`. */
  failField: string;
  /** Records the user's choice in the draft. */
  choose(name: string): void;
  /** Fills what the platform lists with a credential (none: empty). */
  load(name: string): Promise<void>;
  /** Shows the step's problems again once choices have loaded. */
  showProblemsAgain(): void;
}

/**
 * The credential select of a create workflow's first step. `list` (called
 * once the step is in place) fills it with the namespace's credential
 * Secrets, the draft's selected, then runs `load` with it; when the user
 * chooses another, the draft records it and `load` runs again. A failure
 * shows at `failField`.
 */
export function credentialSelect(
  props: Pick<CreateClusterStepProps, 'api' | 'namespace'>,
  root: HTMLElement,
  spec: CredentialSelectSpec,
): ReturnType<typeof selectField> & { list(): void } {
  const credential = selectField(spec.label, 'credential', [], spec.chosen);
  const fail = (error: unknown) => showErrorAt(root, spec.failField, error);
  credential.select.addEventListener('change', () => {
    spec.choose(credential.select.value);
    spec.load(credential.select.value).catch(fail);
  });
  const list = () => {
    listCredentialSecrets(props.api, props.namespace, spec.keys)
      .then((secrets) => {
        credential.fill(
          secrets.map((s) => ({ value: s.metadata.name, label: s.metadata.name })),
          spec.chosen,
        );
        spec.showProblemsAgain();
        return spec.load(spec.chosen);
      })
      .catch(fail);
  };
  return { ...credential, list };
}

/** Every machine template as a choice, labelled by `describe` with the config pool it draws from (undefined: missing). */
export function pooledTemplateChoices<T extends PooledTemplate, P extends SlotPoolCapacity>(
  facts: { machineTemplates: readonly T[]; configPools: readonly P[] },
  describe: (template: T, pool: P | undefined) => string,
): Choice[] {
  return facts.machineTemplates.map((t) => ({
    value: t.name,
    label: describe(
      t,
      facts.configPools.find((p) => p.name === t.configPool),
    ),
  }));
}

/**
 * The `templateChoices` of a workflow whose facts list machine templates and
 * the config pools they draw from, each labelled by `describe`. The facts are
 * read without the draft's credential (where it has one), so listing the
 * templates never waits on the platform.
 */
export function pooledTemplateChoicesOf<D, T extends PooledTemplate, P extends SlotPoolCapacity>(
  loadFacts: (
    api: HostApi,
    namespace: string,
    draft: D,
  ) => Promise<{ machineTemplates: readonly T[]; configPools: readonly P[] }>,
  describe: (template: T, pool: P | undefined) => string,
): (props: CreateClusterStepProps, draft: D) => Promise<Choice[]> {
  return async (props, draft) => {
    const withoutPlatform = draft && typeof draft === 'object' && 'credential' in draft;
    const facts = await loadFacts(
      props.api,
      props.namespace,
      withoutPlatform ? { ...draft, credential: '' } : draft,
    );
    return pooledTemplateChoices(facts, describe);
  };
}

/** A mounted step as {@link mountWizardStep} returns it. */
export type MountedWizardStep<D> = ReturnType<typeof mountWizardStep<D>>;

/**
 * The first step, Basic Info, rooted at `<idPrefix>.basic`: `build` adds the
 * provider's fields to the mounted step's root; unmounting stops the problems
 * listener and empties the root.
 */
export function basicInfoStep<D extends SharedStepDraft>(
  spec: WizardStepsSpec<D>,
  build: (step: MountedWizardStep<D>, props: CreateClusterStepProps) => void,
): CreateClusterStep {
  return {
    id: CLUSTER_STEP.basic,
    title: 'Basic Info',
    mount(element, props: CreateClusterStepProps) {
      const step = mountWizardStep(element, props, `${spec.idPrefix}.basic`, spec);
      build(step, props);
      return step.unmount;
    },
  };
}

/** A workflow's data half: its first draft, its facts and its pure rules over both. */
export interface ClusterWorkflowData<D, F extends { capiVersion: 'v1beta1' | 'v1beta2' }>
  extends ClusterWorkflowRules<D, F> {
  initialDraft(): D;
  loadFacts(api: HostApi, namespace: string, draft: D): Promise<F>;
}

/**
 * A provider's `cluster.create` anchor export: its own steps (basic info,
 * and any of the platform's before the node pools), the kit's three shared
 * steps, then the host's review, with the data half of
 * {@link clusterWorkflowLogic}.
 */
export function clusterCreateWorkflow<
  D extends SharedStepDraft,
  F extends { capiVersion: 'v1beta1' | 'v1beta2' },
>(spec: WizardStepsSpec<D>, platformSteps: readonly CreateClusterStep[], data: ClusterWorkflowData<D, F>) {
  const { logic } = clusterWorkflowLogic(
    { initialDraft: data.initialDraft, readDraft: spec.readDraft },
    data.loadFacts,
    data,
  );
  return {
    steps: [...platformSteps, ...sharedClusterSteps(spec)],
    ...logic,
  } satisfies StrictAnchorExport<'cluster.create'>;
}
