import { Button } from '@patternfly/react-core';
import { useState } from 'react';
import { ApiError, api, type ClusterDetail, type UpgradePlan } from './api.ts';
import { listKind } from './kube.ts';
import { poolsOf, useTemplateNames } from './NodePools.tsx';
import { ReadyProgress } from './status.tsx';

type PlannedPool = UpgradePlan['pools'][number];

/**
 * How far a pool's rollout is: machines of the pool already at the target
 * version, and how many are ready. A pool has rolled out once it has its
 * replicas, all at the target version and all ready (and up to date where
 * the controller reports it): a machine just created at the new version is
 * not yet a node, and the pools after it must wait for it.
 */
function progress(detail: ClusterDetail, pool: PlannedPool) {
  const machines = detail.machines.filter((m) => m.pool === pool.name);
  const upgraded = machines.filter((m) => m.version === pool.to.version).length;
  const current = poolsOf(detail).find((p) => p.name === pool.name);
  const specApplied =
    current?.version === pool.to.version && (current?.template?.name ?? '') === pool.to.template;
  const ready = current?.readyReplicas ?? 0;
  const upToDate = current?.upToDateReplicas ?? pool.replicas;
  const done =
    specApplied &&
    machines.length === pool.replicas &&
    upgraded === machines.length &&
    ready === pool.replicas &&
    upToDate === pool.replicas;
  return { machines: machines.length, upgraded, ready, specApplied, done };
}

/**
 * Chosen templates that do not exist, each named with its pool: Cluster API
 * accepts a reference to a missing template and the rollout then stalls, so
 * the preview says so first. Listed fresh on each preview (a template may
 * have been created since the page opened); a kind that cannot be listed is
 * left to the API server.
 */
async function missingTemplates(
  namespace: string,
  pools: ReturnType<typeof poolsOf>,
  chosen: Record<string, string>,
): Promise<string[]> {
  const names = new Map<string, Promise<string[] | undefined>>();
  const problems: string[] = [];
  for (const pool of pools) {
    const template = chosen[pool.name];
    const ref = pool.template;
    if (!template || !ref?.apiGroup || template === ref.name) continue;
    const key = `${ref.apiGroup}/${ref.kind}`;
    let known = names.get(key);
    if (!known) {
      known = listKind(ref.apiGroup, ref.kind, namespace).then(
        (items) => items.map((i) => i.metadata.name),
        () => undefined,
      );
      names.set(key, known);
    }
    const existing = await known;
    if (existing && !existing.includes(template))
      problems.push(`templates.${pool.name}: there is no ${ref.kind} named ${template} in ${namespace}`);
  }
  return problems;
}

/** The server's answer to a node pool change: for a control plane version, where its component tags came from. */
interface PoolChangeAnswer {
  componentTags?: { corednsTag: string; etcdTag: string } | null;
  componentTagsSource?: string;
}

function componentTagsNote(answer: PoolChangeAnswer): string {
  return answer.componentTags
    ? `CoreDNS ${answer.componentTags.corednsTag} and etcd ${answer.componentTags.etcdTag}, from ${answer.componentTagsSource}.`
    : `CoreDNS and etcd image tags left as they are: ${answer.componentTagsSource}.`;
}

/**
 * Cluster upgrade: choose the version and each pool's template, preview which
 * machines are replaced in which order, start with the control plane, and
 * start each MachineDeployment once every pool before it has rolled out.
 */
export function Upgrade({
  namespace,
  name,
  detail,
  onChanged,
}: {
  namespace: string;
  name: string;
  detail: ClusterDetail;
  onChanged(): void;
}) {
  const pools = poolsOf(detail);
  const templateNames = useTemplateNames(namespace, pools.find((p) => p.template?.apiGroup)?.template);
  const [version, setVersion] = useState(detail.controlPlane?.version ?? detail.row.kubernetesVersion);
  const [templates, setTemplates] = useState<Record<string, string>>(
    Object.fromEntries(pools.map((p) => [p.name, p.template?.name ?? ''])),
  );
  const [plan, setPlan] = useState<UpgradePlan | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  // What the server said about the control plane's CoreDNS and etcd tags, by pool.
  const [tagNotes, setTagNotes] = useState<Record<string, string>>({});

  const preview = async () => {
    setProblem(undefined);
    try {
      const missing = await missingTemplates(namespace, pools, templates);
      if (missing.length > 0) {
        setPlan({ pools: [], problems: missing });
        return;
      }
      setPlan(
        await api<UpgradePlan>(
          'POST',
          `/api/clusters/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/upgrade-plan`,
          {
            version,
            templates,
          },
        ),
      );
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
    }
  };

  const start = async (pool: PlannedPool) => {
    setProblem(undefined);
    try {
      const answer = await api<PoolChangeAnswer>(
        'PATCH',
        `/api/node-pools/${encodeURIComponent(namespace)}/${pool.kind}/${encodeURIComponent(pool.name)}`,
        {
          version: pool.to.version,
          ...(pool.to.template !== pool.from.template ? { template: pool.to.template } : {}),
        },
      );
      if (answer.componentTagsSource !== undefined)
        setTagNotes({ ...tagNotes, [pool.name]: componentTagsNote(answer) });
      onChanged();
    } catch (e) {
      setProblem(e instanceof ApiError ? e.message : String(e));
    }
  };

  return (
    <div>
      <datalist id="upgrade-machine-templates">
        {templateNames.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      <form
        aria-label="Upgrade"
        onSubmit={(e) => {
          e.preventDefault();
          void preview();
        }}
      >
        <label>
          Kubernetes version{' '}
          <input
            aria-label="Target Kubernetes version"
            value={version}
            onChange={(e) => setVersion(e.target.value)}
          />
        </label>
        {pools.map((p) => (
          <p key={p.name}>
            <label>
              Template of {p.name}{' '}
              <input
                aria-label={`Upgrade template of ${p.name}`}
                list="upgrade-machine-templates"
                value={templates[p.name] ?? ''}
                onChange={(e) => setTemplates({ ...templates, [p.name]: e.target.value })}
              />
            </label>
          </p>
        ))}
        <Button type="submit" variant="primary">
          Preview upgrade
        </Button>
      </form>
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      {plan && plan.problems.length > 0 && (
        <div role="alert" className="error">
          <ul aria-label="Upgrade problems">
            {plan.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      {plan && plan.problems.length === 0 && plan.pools.length === 0 && (
        <p role="status">Nothing to change: every pool already runs this version and template.</p>
      )}
      {plan && plan.problems.length === 0 && plan.pools.length > 0 && (
        <ol aria-label="Upgrade plan">
          {plan.pools.map((pool, i) => {
            const state = progress(detail, pool);
            const earlierDone = plan.pools.slice(0, i).every((p) => progress(detail, p).done);
            return (
              <li key={pool.name} data-plan-pool={pool.name}>
                <strong>
                  {pool.kind} {pool.name}
                </strong>
                : {pool.from.version} → {pool.to.version}
                {pool.to.template !== pool.from.template
                  ? `, template ${pool.from.template} → ${pool.to.template}`
                  : ''}{' '}
                <span className="muted">
                  (maxSurge {pool.maxSurge}, maxUnavailable {pool.maxUnavailable}, deletion order{' '}
                  {pool.deletionOrder}
                  {pool.deletionOrder === 'Random' ? ': the machines listed may go in another order' : ''})
                </span>
                <ol>
                  {pool.waves.map((wave, w) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: waves are positional.
                    <li key={w} data-wave={w + 1}>
                      {wave.create > 0 ? `add ${wave.create} new machine${wave.create > 1 ? 's' : ''}` : ''}
                      {wave.create > 0 && wave.delete.length > 0 ? ', then ' : ''}
                      {wave.delete.length > 0 ? `remove ${wave.delete.join(', ')}` : ''}
                    </li>
                  ))}
                </ol>
                <p role="status" data-rollout={pool.name}>
                  {state.done
                    ? 'Rolled out.'
                    : state.specApplied
                      ? `Rolling out: ${state.upgraded} of ${state.machines} machines at ${pool.to.version}. ${state.ready} of ${pool.replicas} ready.`
                      : earlierDone
                        ? 'Ready to start.'
                        : 'Waits for the pools above.'}
                </p>
                {tagNotes[pool.name] && (
                  <p role="status" data-component-tags={pool.name}>
                    {tagNotes[pool.name]}
                  </p>
                )}
                {state.specApplied && (
                  <ReadyProgress
                    ready={state.done ? pool.replicas : Math.min(state.upgraded, state.ready)}
                    desired={pool.replicas}
                    label={`Machines of ${pool.name} at ${pool.to.version} and ready`}
                  />
                )}
                {!state.specApplied && (
                  <Button
                    variant="primary"
                    size="sm"
                    isDisabled={!earlierDone}
                    onClick={() => void start(pool)}
                  >
                    Start {pool.name}
                  </Button>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}
