/// <reference lib="dom" />
import type { NodePoolActionProps, StrictAnchorExport } from '@immutable-infra/core';
import { button, describeError, extensionRoot, h, KIT_CLASSES, problemLine } from '@immutable-infra/ui-kit';
import { isRunning, poolStatusOf, progressText } from './upgrade-plan.js';
import { applyUpgrade, checkPool, loadUpgradeFacts, planUpgrade, poolPath } from './upgrade-steps.js';

// Often enough to follow a rollout that replaces one machine at a time, rarely enough for the API server.
const POLL_MS = 2000;

/**
 * The documented web UI upgrade of a DCS node pool: current and target
 * version, the reasons it is unavailable (in the documented words), Confirm,
 * then the pool's ready and up-to-date machines until the rollout is done.
 */
export const nodePoolUpgrade = {
  mount(element: unknown, props: NodePoolActionProps): () => void {
    const { root, unmount } = extensionRoot(element, 'dcs.node-pool.upgrade', { className: 'dcs-ext' });
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
    let timer: ReturnType<typeof setTimeout> | undefined;
    let planned: ReturnType<typeof planUpgrade> | undefined;

    const load = async () => {
      const facts = await loadUpgradeFacts(props.api, props.namespace, props.clusterName, props.nodePool);
      if (disposed) return;
      const check = checkPool(kind, facts);
      current.textContent = poolStatusOf(kind, facts.pool).version || '—';
      target.textContent = check.target?.kubernetesVersion ?? '—';
      problems.replaceChildren(...(check.ok ? [] : check.problems).map((p) => h('li', { text: p })));
      planned = check.ok ? planUpgrade(kind, facts, check.target) : undefined;
      confirm.disabled = !planned;
      if (planned && check.ok) {
        const release = check.target;
        const items = [
          `version ${release.kubernetesVersion}`,
          `machine template ${planned.templateName} (VM template ${release.vmTemplateName})`,
          ...(kind === 'KubeadmControlPlane'
            ? [`CoreDNS ${release.corednsTag}`, `etcd ${release.etcdTag}`]
            : []),
          ...planned.create
            .filter((m) => m.kind !== 'DCSMachineTemplate')
            .map((m) => `new ${m.kind} ${m.metadata.name}`),
          ...(planned.clusterPatch ? [`Kube-OVN ${release.kubeOvnVersion}`] : []),
        ];
        changes.replaceChildren(...items.map((text) => h('li', { text })));
      } else changes.replaceChildren();
    };

    const watch = async () => {
      try {
        const object = await props.api.kubernetes({
          method: 'GET',
          path: poolPath(props.namespace, props.nodePool),
        });
        if (disposed) return;
        const pool = poolStatusOf(kind, object as never);
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
        await applyUpgrade(props.api, props.namespace, props.nodePool, planned, props.clusterName);
      } catch (error) {
        if (disposed) return;
        failure.textContent = `Refused: ${describeError(error)}`;
        confirm.disabled = false;
        return;
      }
      if (disposed) return;
      props.api.notify({ kind: 'success', text: `Upgrade of ${name} to ${target.textContent} started` });
      problems.replaceChildren();
      await watch();
    };

    load().catch((error: unknown) => {
      if (!disposed) failure.textContent = describeError(error);
    });
    return () => {
      disposed = true;
      if (timer) clearTimeout(timer);
      unmount();
    };
  },
} satisfies StrictAnchorExport<'node-pool.action'>;
