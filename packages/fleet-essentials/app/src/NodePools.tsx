import { Button } from '@patternfly/react-core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  ApiError,
  type ApplyReport,
  api,
  applyManifests,
  type ClusterDetail,
  type ObjectRef,
} from './api.ts';
import { Extension, useExtensions } from './ExtensionSlot.tsx';
import { entriesFor } from './extensions.ts';
import { listKind } from './kube.ts';
import {
  type CapacityAnswer,
  capacityRequest,
  capacitySummary,
  checkCapacity,
  problemsAt,
} from './node-pool-capacity.ts';
import { queryKeys } from './query.ts';
import { ReadyProgress } from './status.tsx';

interface Pool {
  kind: string;
  name: string;
  replicas: number;
  readyReplicas: number;
  upToDateReplicas?: number | undefined;
  version?: string | undefined;
  template?: ObjectRef | undefined;
  bootstrap?: ObjectRef | undefined;
  maxSurge?: number | string | undefined;
  deleting?: boolean | undefined;
}

export function poolsOf(detail: ClusterDetail): Pool[] {
  return [
    ...(detail.controlPlane ? [{ kind: 'KubeadmControlPlane', ...detail.controlPlane }] : []),
    ...detail.nodePools,
  ];
}

const message = (e: unknown) => (e instanceof ApiError || e instanceof Error ? e.message : String(e));
const poolUrl = (namespace: string, pool: { kind: string; name: string }) =>
  `/api/node-pools/${encodeURIComponent(namespace)}/${pool.kind}/${encodeURIComponent(pool.name)}`;

/** Names of the machine templates of a pool's template kind, for pickers. */
export function useTemplateNames(namespace: string, template: ObjectRef | undefined): string[] {
  const apiGroup = template?.apiGroup ?? '';
  const kind = template?.kind ?? '';
  const { data } = useQuery({
    queryKey: queryKeys.kind(apiGroup, kind, namespace),
    queryFn: async () => (await listKind(apiGroup, kind, namespace)).map((i) => i.metadata.name).sort(),
    enabled: apiGroup !== '',
  });
  return data ?? [];
}

export function NodePools({
  namespace,
  clusterName,
  detail,
  onChanged,
  onError,
}: {
  namespace: string;
  clusterName: string;
  detail: ClusterDetail;
  onChanged(): void;
  onError(message: string): void;
}) {
  const pools = poolsOf(detail);
  const templateNames = useTemplateNames(namespace, pools.find((p) => p.template?.apiGroup)?.template);
  return (
    <div>
      <datalist id="machine-templates">
        {templateNames.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      <table className="pf-v6-c-table pf-m-compact" aria-label="Node pools">
        <thead>
          <tr>
            <th>Pool</th>
            <th>Kind</th>
            <th>Ready</th>
            <th>Scale</th>
            <th>Version and template</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {pools.map((pool) => (
            <PoolRow
              key={pool.name}
              namespace={namespace}
              clusterName={clusterName}
              provider={detail.row.provider}
              pool={pool}
              onChanged={onChanged}
              onError={onError}
            />
          ))}
        </tbody>
      </table>
      <AddNodePool namespace={namespace} clusterName={clusterName} detail={detail} onAdded={onChanged} />
    </div>
  );
}

/**
 * An input's value that is reset to the stored one whenever that changes (a
 * rollout, another user, an extension's upgrade): a field left at the old
 * value would make Change send the pool back to it.
 */
function useFollowing(stored: string): [string, (value: string) => void] {
  const [value, setValue] = useState(stored);
  const [seen, setSeen] = useState(stored);
  if (stored !== seen) {
    setSeen(stored);
    setValue(stored);
  }
  return [value, setValue];
}

function PoolRow({
  namespace,
  clusterName,
  provider,
  pool,
  onChanged,
  onError,
}: {
  namespace: string;
  clusterName: string;
  provider: string;
  pool: Pool;
  onChanged(): void;
  onError(message: string): void;
}) {
  const extensions = useExtensions();
  const [replicas, setReplicas] = useFollowing(String(pool.replicas));
  const [version, setVersion] = useFollowing(pool.version ?? '');
  const [template, setTemplate] = useFollowing(pool.template?.name ?? '');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [scaleProblem, setScaleProblem] = useState<string | undefined>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [action, setAction] = useState<string | undefined>();
  const actions = extensions ? entriesFor(extensions, 'node-pool.action', provider) : [];
  const open = actions.find((a) => a.entry.id === action);

  // Scaling a worker pool up asks the provider for a slot for each machine it adds (and the rollout's surge).
  const scale = async () => {
    setScaleProblem(undefined);
    const to = Number(replicas);
    const request =
      pool.kind === 'MachineDeployment' && pool.template && to > pool.replicas
        ? capacityRequest({
            namespace,
            clusterName,
            nodePoolName: pool.name,
            template: pool.template,
            replicas,
            maxSurge: pool.maxSurge === undefined ? '1' : String(pool.maxSurge),
            existingMachines: pool.replicas,
          })
        : undefined;
    if (request && extensions) {
      const answer = await checkCapacity(extensions, provider, request);
      const problems = answer.state === 'checked' ? answer.capacity.problems : [];
      if (problems.length > 0) {
        setScaleProblem(problems.map((p) => p.message).join('; '));
        return;
      }
    }
    await patch({ replicas: to });
  };

  const patch = async (body: Record<string, unknown>) => {
    setFieldError(undefined);
    try {
      await api('PATCH', poolUrl(namespace, pool), body);
      onChanged();
    } catch (e) {
      if (e instanceof ApiError && e.field && e.field !== 'kind') setFieldError(e.message);
      else onError(message(e));
    }
  };

  return (
    <>
      <tr data-pool={pool.name}>
        <td>
          {pool.name}
          {pool.deleting && <div className="muted">deleting</div>}
        </td>
        <td>{pool.kind}</td>
        <td>
          <span>
            {pool.readyReplicas}/{pool.replicas}
          </span>
          <ReadyProgress
            ready={pool.readyReplicas}
            desired={pool.replicas}
            label={`Machines of ${pool.name} ready`}
            showMeasure={false}
          />
        </td>
        <td>
          {pool.kind === 'KubeadmControlPlane' ? (
            // Documented clusters keep three control plane nodes; the server refuses a resize too.
            <span className="muted" data-fixed-replicas>
              {pool.replicas} (fixed)
            </span>
          ) : (
            <>
              <input
                aria-label={`Replicas of ${pool.name}`}
                value={replicas}
                onChange={(e) => setReplicas(e.target.value)}
                size={4}
              />{' '}
              <Button variant="secondary" size="sm" onClick={() => void scale()}>
                Scale
              </Button>
              {scaleProblem && (
                <span role="alert" className="error" data-capacity-problem="scale">
                  {' '}
                  {scaleProblem}
                </span>
              )}
            </>
          )}
        </td>
        <td>
          <input
            aria-label={`Version of ${pool.name}`}
            value={version}
            onChange={(e) => setVersion(e.target.value)}
            size={9}
          />{' '}
          <input
            aria-label={`Template of ${pool.name}`}
            list="machine-templates"
            value={template}
            onChange={(e) => setTemplate(e.target.value)}
            size={14}
          />{' '}
          <Button
            variant="secondary"
            size="sm"
            isDisabled={version === (pool.version ?? '') && template === (pool.template?.name ?? '')}
            onClick={() =>
              void patch({
                ...(version !== (pool.version ?? '') ? { version } : {}),
                ...(template !== (pool.template?.name ?? '') ? { template } : {}),
              })
            }
          >
            Change
          </Button>
          {fieldError && (
            <span role="alert" className="error">
              {' '}
              {fieldError}
            </span>
          )}
        </td>
        <td>
          {pool.kind === 'MachineDeployment' && !confirmDelete && (
            <Button variant="secondary" isDanger size="sm" onClick={() => setConfirmDelete(true)}>
              Delete
            </Button>
          )}
          {confirmDelete && (
            <span>
              Delete {pool.name} and its machines?{' '}
              <Button
                variant="danger"
                size="sm"
                onClick={async () => {
                  setConfirmDelete(false);
                  try {
                    await api('DELETE', poolUrl(namespace, pool));
                    onChanged();
                  } catch (e) {
                    onError(message(e));
                  }
                }}
              >
                Delete {pool.name}
              </Button>{' '}
              <Button variant="link" size="sm" onClick={() => setConfirmDelete(false)}>
                Keep
              </Button>
            </span>
          )}{' '}
          {actions.map((a) => (
            <Button key={a.entry.id} variant="secondary" size="sm" onClick={() => setAction(a.entry.id)}>
              {a.entry.title}
            </Button>
          ))}
        </td>
      </tr>
      {open && (
        <tr data-pool-action={open.entry.id}>
          <td colSpan={6}>
            <Extension
              entry={open}
              mountKey={`${pool.kind}/${pool.name}`}
              props={{
                namespace,
                clusterName,
                nodePool: { kind: pool.kind, name: pool.name },
                done: () => {
                  setAction(undefined);
                  onChanged();
                },
              }}
            />
          </td>
        </tr>
      )}
    </>
  );
}

/**
 * A new MachineDeployment like the cluster's existing pools: same bootstrap
 * config template and infrastructure template kind, with its own name,
 * replicas, version and template; created through the dry-run-first route.
 */
function AddNodePool({
  namespace,
  clusterName,
  detail,
  onAdded,
}: {
  namespace: string;
  clusterName: string;
  detail: ClusterDetail;
  onAdded(): void;
}) {
  const base = detail.nodePools.find((p) => p.template && p.bootstrap);
  const templateRef = base?.template ?? detail.controlPlane?.template;
  const [name, setName] = useState('');
  const [replicas, setReplicas] = useState('1');
  const [version, setVersion] = useState(detail.controlPlane?.version ?? detail.row.kubernetesVersion);
  const [template, setTemplate] = useState('');
  // The rollout of later upgrades: CAPI's defaults (1 and 0) unless the user says otherwise.
  const [maxSurge, setMaxSurge] = useState('1');
  const [maxUnavailable, setMaxUnavailable] = useState('0');
  const [sshKeys, setSshKeys] = useState('');
  const [report, setReport] = useState<ApplyReport | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const capacity = useCapacity(detail.row.provider, {
    namespace,
    clusterName,
    nodePoolName: name,
    ...(templateRef ? { template: { ...templateRef, name: template } } : {}),
    replicas,
    maxSurge,
  });

  if (!templateRef) return <p className="muted">This cluster has no pool to model a new one on.</p>;

  const add = async () => {
    setProblem(undefined);
    setReport(undefined);
    // Asked again at submit: the pool may have filled up since the form last asked.
    const answer = await capacity.recheck();
    if (answer?.state === 'checked' && answer.capacity.problems.length > 0) {
      setProblem(`Not added: ${answer.capacity.problems.map((p) => p.message).join('; ')}`);
      return;
    }
    const labels = { 'cluster.x-k8s.io/cluster-name': clusterName, 'cluster.x-k8s.io/deployment-name': name };
    const manifests: unknown[] = [];
    const keys = sshKeys
      .split('\n')
      .map((k) => k.trim())
      .filter((k) => k !== '');
    const intOrPercent = (value: string) => (/^\d+$/.test(value.trim()) ? Number(value) : value.trim());
    let bootstrap = base?.bootstrap;
    if (!bootstrap) {
      bootstrap = { apiGroup: 'bootstrap.cluster.x-k8s.io', kind: 'KubeadmConfigTemplate', name };
      manifests.push({
        apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2',
        kind: 'KubeadmConfigTemplate',
        metadata: { name, namespace, labels: { 'cluster.x-k8s.io/cluster-name': clusterName } },
        spec: {
          template: {
            spec: {
              format: 'cloud-config',
              ...(keys.length > 0 ? { users: [{ name: 'boot', sshAuthorizedKeys: keys }] } : {}),
            },
          },
        },
      });
    }
    manifests.push({
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'MachineDeployment',
      metadata: { name, namespace, labels: { 'cluster.x-k8s.io/cluster-name': clusterName } },
      spec: {
        clusterName,
        replicas: Number(replicas),
        rollout: {
          strategy: {
            type: 'RollingUpdate',
            rollingUpdate: { maxSurge: intOrPercent(maxSurge), maxUnavailable: intOrPercent(maxUnavailable) },
          },
        },
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            clusterName,
            version,
            bootstrap: { configRef: bootstrap },
            infrastructureRef: { ...templateRef, name: template },
          },
        },
      },
    });
    try {
      const result = await applyManifests(namespace, manifests);
      setReport(result);
      if (result.ok) {
        setName('');
        onAdded();
      }
    } catch (e) {
      setProblem(message(e));
    }
  };

  return (
    <form
      aria-label="Add a node pool"
      onSubmit={(e) => {
        e.preventDefault();
        void add();
      }}
    >
      <h3>Add a node pool</h3>
      <label>
        Name <input aria-label="New pool name" value={name} onChange={(e) => setName(e.target.value)} />
      </label>{' '}
      <label>
        Replicas{' '}
        <input
          aria-label="New pool replicas"
          value={replicas}
          onChange={(e) => setReplicas(e.target.value)}
          size={4}
          {...capacity.fieldProps('replicas')}
        />
      </label>
      <FieldProblems answer={capacity.answer} field="replicas" />{' '}
      <label>
        Version{' '}
        <input
          aria-label="New pool version"
          value={version}
          onChange={(e) => setVersion(e.target.value)}
          size={9}
        />
      </label>{' '}
      <label>
        {templateRef.kind}{' '}
        <input
          aria-label="New pool machine template"
          list="machine-templates"
          value={template}
          onChange={(e) => setTemplate(e.target.value)}
          {...capacity.fieldProps('machineTemplate')}
        />
      </label>
      <FieldProblems answer={capacity.answer} field="machineTemplate" />{' '}
      <label>
        Max surge{' '}
        <input
          aria-label="New pool max surge"
          value={maxSurge}
          onChange={(e) => setMaxSurge(e.target.value)}
          size={4}
          {...capacity.fieldProps('maxSurge')}
        />
      </label>
      <FieldProblems answer={capacity.answer} field="maxSurge" />{' '}
      <label>
        Max unavailable{' '}
        <input
          aria-label="New pool max unavailable"
          value={maxUnavailable}
          onChange={(e) => setMaxUnavailable(e.target.value)}
          size={4}
        />
      </label>{' '}
      {!base?.bootstrap && (
        // A pool sharing another pool's bootstrap template gets that template's users; a first pool gets its own.
        <label>
          SSH public keys, one per line{' '}
          <textarea
            aria-label="New pool SSH keys"
            value={sshKeys}
            onChange={(e) => setSshKeys(e.target.value)}
            rows={2}
          />
        </label>
      )}{' '}
      <Button type="submit" variant="primary" size="sm">
        Add node pool
      </Button>
      <CapacityLine answer={capacity.answer} />
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      {report && !report.ok && (
        <ul role="alert" className="error">
          {report.objects
            .filter((o) => o.status !== 'valid' && o.status !== 'created')
            .map((o) => (
              <li key={o.index}>
                {o.kind} {o.name}: {o.message}
                {o.causes?.map((c) => ` (${c.field ?? ''}: ${c.message})`).join('')}
              </li>
            ))}
        </ul>
      )}
    </form>
  );
}

const FIELD_IDS: Record<string, string> = {
  replicas: 'new-pool-replicas-capacity',
  maxSurge: 'new-pool-max-surge-capacity',
  machineTemplate: 'new-pool-template-capacity',
};

/**
 * The provider's `node-pool.capacity` answer for the form's values, asked
 * again as they change; `recheck` asks now (at submit). No export for the
 * cluster's provider: no question, no answer.
 */
function useCapacity(
  provider: string,
  values: Omit<Parameters<typeof capacityRequest>[0], 'template'> & {
    template?: Parameters<typeof capacityRequest>[0]['template'];
  },
) {
  const extensions = useExtensions();
  const queryClient = useQueryClient();
  const request = values.template ? capacityRequest({ ...values, template: values.template }) : undefined;
  const asks = extensions !== undefined && entriesFor(extensions, 'node-pool.capacity', provider).length > 0;
  const queryKey = ['node-pool-capacity', provider, JSON.stringify(request ?? null)];
  const { data: answer } = useQuery({
    queryKey,
    queryFn: () => checkCapacity(extensions ?? [], provider, request as NonNullable<typeof request>),
    enabled: asks && request !== undefined,
    placeholderData: (previous) => previous,
  });
  const shown = request !== undefined ? answer : undefined;
  return {
    answer: shown,
    async recheck(): Promise<CapacityAnswer | undefined> {
      if (!asks || !request) return undefined;
      return queryClient.fetchQuery({
        queryKey,
        queryFn: () => checkCapacity(extensions ?? [], provider, request),
        staleTime: 0,
      });
    },
    fieldProps(field: string) {
      const invalid = problemsAt(shown, field).length > 0;
      return invalid ? { 'aria-invalid': true, 'aria-describedby': FIELD_IDS[field] } : {};
    },
  };
}

function FieldProblems({ answer, field }: { answer: CapacityAnswer | undefined; field: string }) {
  const problems = problemsAt(answer, field);
  if (problems.length === 0) return null;
  return (
    <span role="alert" className="error" id={FIELD_IDS[field]} data-capacity-problem={field}>
      {' '}
      {problems.map((p) => p.message).join('; ')}
    </span>
  );
}

/** What the provider counted, under the form: the pools, their free slots and what this pool needs. */
function CapacityLine({ answer }: { answer: CapacityAnswer | undefined }) {
  if (!answer || answer.state === 'none') return null;
  if (answer.state === 'failed')
    return (
      <p className="muted" data-capacity="unknown">
        Capacity unknown: {answer.message}
      </p>
    );
  return (
    <p className="muted" data-capacity="checked" aria-live="polite">
      {capacitySummary(answer.capacity)}
    </p>
  );
}
