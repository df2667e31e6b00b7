/// <reference lib="dom" />
/**
 * The `node-pool.action` panel of a node pool upgrade, the same on every
 * platform: current and target version, the provider's controls for choosing
 * the target (if any), the changes Confirm makes, every reason it cannot (in
 * the documented words), Confirm, then the pool's ready and up-to-date
 * machines until the rollout is done. The provider reads, checks, plans and
 * writes; the panel shows.
 */
import type { FieldProblem, NodePoolActionProps } from '@immutable-infra/core';
import { button, describeError, extensionRoot, h, problemLine } from './elements.js';
import { type Choice, selectField, showProblems, textField } from './fields.js';
import { KIT_CLASSES } from './styles.js';
import {
  isRunning,
  type PlatformUpgradeSpec,
  poolStatusOf,
  progressText,
  type UpgradeObject,
} from './upgrade-plan.js';
import { applyUpgrade, type PlannedUpgrade, poolPath } from './upgrade-steps.js';

// Often enough to follow a rollout that replaces one machine at a time, rarely enough for the API server.
const POLL_MS = 2000;

/** What the panel shows for the facts read and the controls' values, and the plan Confirm applies. */
export interface PoolUpgradeView<P> {
  /** The pool's version now. */
  current: string;
  /** The version Confirm takes it to, undefined when there is none. */
  target: string | undefined;
  /** Why Confirm is unavailable; empty when it is. */
  problems: string[];
  /** Problems of the provider's controls, shown next to them (they keep Confirm unavailable too). */
  fieldProblems?: FieldProblem[] | undefined;
  /** What Confirm changes, one line each. */
  changes: string[];
  /** What Confirm applies; undefined when unavailable. */
  plan: P | undefined;
}

export interface PoolUpgradeSpec<F, P> {
  /** `data-extension` of the panel's root. */
  id: string;
  /** The provider's class next to the kit's. */
  className?: string;
  /** Controls for choosing the target, shown between the versions and the changes; call the panel's `refresh` when one changes. */
  controls?: HTMLElement[];
  /** Reads what the check and the plan need (and fills the controls' choices). */
  load(): Promise<F>;
  /** The check and the plan of the facts with the controls' current values. */
  view(facts: F): PoolUpgradeView<P>;
  /** Writes the plan; a refusal's message is shown and Confirm offered again. */
  apply(plan: P): Promise<void>;
}

/** The panel's root, its unmount, and `refresh` for the provider's controls. */
export interface PoolUpgradePanel {
  unmount(): void;
  /** Recomputes the view from the facts read (a control changed). */
  refresh(): void;
}

/**
 * Mounts the panel for `props.nodePool`: `data-current`, `data-target`,
 * `data-changes`, `data-problems`, `data-failure` and `data-progress` carry
 * the pool's name, Confirm and Close their `data-action`.
 */
export function mountPoolUpgrade<F, P>(
  element: unknown,
  props: NodePoolActionProps,
  spec: PoolUpgradeSpec<F, P>,
): PoolUpgradePanel {
  const { root, unmount } = extensionRoot(
    element,
    spec.id,
    spec.className ? { className: spec.className } : {},
  );
  const { kind, name } = props.nodePool;
  const label = kind === 'KubeadmControlPlane' ? 'Control Plane Node Pool' : 'Worker Node Pool';
  const current = h('dd', { data: { current: name }, text: '…' });
  const target = h('dd', { data: { target: name }, text: '…' });
  const changes = h('ul', { data: { changes: name } });
  const problems = problemLine(undefined, { tag: 'ul', data: { problems: name } });
  const failure = problemLine(undefined, { data: { failure: name } });
  const progress = h('div', {
    className: KIT_CLASSES.hint,
    attrs: { role: 'status' },
    data: { progress: name },
  });
  const confirm = button('Confirm', () => void start(), { primary: true, action: 'confirm' });
  confirm.disabled = true;
  root.append(
    h('h3', { text: `Upgrade ${label} ${name}` }),
    h('dl', {}, h('dt', { text: 'Current Version' }), current, h('dt', { text: 'Target Version' }), target),
    ...(spec.controls ?? []),
    changes,
    problems,
    failure,
    progress,
    h(
      'div',
      {},
      confirm,
      button('Close', () => props.done(), { action: 'close' }),
    ),
  );
  let disposed = false;
  let started = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let facts: { value: F } | undefined;
  let planned: P | undefined;

  const refresh = () => {
    if (!facts || disposed || started) return;
    const view = spec.view(facts.value);
    current.textContent = view.current || '—';
    target.textContent = view.target ?? '—';
    problems.replaceChildren(...view.problems.map((p) => h('li', { text: p })));
    if (spec.controls) showProblems(root, view.fieldProblems ?? []);
    const blocked = view.problems.length > 0 || (view.fieldProblems ?? []).length > 0;
    planned = blocked ? undefined : view.plan;
    confirm.disabled = !planned;
    changes.replaceChildren(...(planned ? view.changes : []).map((text) => h('li', { text })));
  };

  const load = async () => {
    const value = await spec.load();
    if (disposed) return;
    facts = { value };
    refresh();
  };

  const watch = async () => {
    try {
      const object = await props.api.kubernetes<UpgradeObject>({
        method: 'GET',
        path: poolPath(props.namespace, props.nodePool),
      });
      if (disposed) return;
      const pool = poolStatusOf(kind, object);
      progress.textContent = progressText(pool);
      if (isRunning(pool)) {
        current.textContent = pool.version;
        return;
      }
    } catch (error) {
      if (disposed) return;
      progress.textContent = `Progress unavailable: ${describeError(error)}`;
    }
    timer = setTimeout(() => void watch(), POLL_MS);
  };

  const start = async () => {
    if (!planned) return;
    confirm.disabled = true;
    failure.textContent = '';
    try {
      await spec.apply(planned);
    } catch (error) {
      if (disposed) return;
      failure.textContent = `Refused: ${describeError(error)}`;
      confirm.disabled = false;
      return;
    }
    if (disposed) return;
    started = true;
    for (const control of spec.controls ?? [])
      for (const input of control.querySelectorAll('input, select, textarea'))
        (input as HTMLInputElement).disabled = true;
    props.api.notify({ kind: 'success', text: `Upgrade of ${name} to ${target.textContent} started` });
    problems.replaceChildren();
    await watch();
  };

  load().catch((error: unknown) => {
    if (!disposed) failure.textContent = describeError(error);
  });
  return {
    refresh,
    unmount() {
      disposed = true;
      if (timer) clearTimeout(timer);
      unmount();
    },
  };
}

/** What the panel of a platform whose user chooses the target needs of its provider. */
export interface PlatformPoolUpgradeSpec<F> {
  id: string;
  className: string;
  platform: PlatformUpgradeSpec;
  /** The API path of the namespace's machine templates of the platform's kind. */
  machineTemplatesPath: string;
  /** The control plane's Kubernetes version field's hint. */
  versionHint: string;
  /** The image select: label, field path (the provider's value key) and hint. */
  image: { label: string; key: string; hint: string };
  /** The control plane's further text fields, after the image (each refreshes the view). */
  more?: readonly { row: HTMLElement; input: HTMLInputElement }[] | undefined;
  /** Reads the facts; what the version field starts from, the image choices and the one selected. */
  load(): Promise<{ facts: F; kubernetesVersion: string; images: Choice[]; image: string }>;
  /** The view of the facts for the version and image chosen (the provider reads its further fields). */
  view(facts: F, chosen: { kubernetesVersion: string; image: string }): PoolUpgradeView<PlannedUpgrade>;
}

/**
 * The node pool upgrade panel of a platform whose user chooses the target:
 * for the control plane its Kubernetes version, image and the provider's
 * further fields; for a worker pool the image (at the control plane's
 * version). Confirm writes with {@link applyUpgrade}.
 */
export function mountPlatformPoolUpgrade<F>(
  element: unknown,
  props: NodePoolActionProps,
  spec: PlatformPoolUpgradeSpec<F>,
): () => void {
  const controlPlane = props.nodePool.kind === 'KubeadmControlPlane';
  const version = textField('Kubernetes version', 'kubernetesVersion', '', {
    placeholder: 'v1.35.1',
    hint: spec.versionHint,
  });
  const image = selectField(spec.image.label, spec.image.key, [], '', { hint: spec.image.hint });
  const more = spec.more ?? [];
  const panel = mountPoolUpgrade<F, PlannedUpgrade>(element, props, {
    id: spec.id,
    className: spec.className,
    controls: controlPlane ? [version.row, image.row, ...more.map((f) => f.row)] : [image.row],
    async load() {
      const loaded = await spec.load();
      version.input.value = loaded.kubernetesVersion;
      image.fill(loaded.images, loaded.image);
      return loaded.facts;
    },
    view: (facts) =>
      spec.view(facts, { kubernetesVersion: version.input.value.trim(), image: image.select.value }),
    apply: (plan) =>
      applyUpgrade(props.api, props, plan, {
        ...spec.platform,
        machineTemplatesPath: spec.machineTemplatesPath,
      }),
  });
  for (const input of [version.input, ...more.map((f) => f.input)])
    input.addEventListener('input', () => panel.refresh());
  image.select.addEventListener('change', () => panel.refresh());
  return panel.unmount;
}
