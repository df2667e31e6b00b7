import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, type ClusterDetail } from './api.ts';
import { ExtensionSlot } from './ExtensionSlot.tsx';

const TABS = ['Overview', 'Nodes', 'Node Pools', 'Extensions'] as const;

export function ClusterPage({
  namespace,
  name,
  safeMode,
}: {
  namespace: string;
  name: string;
  safeMode: boolean;
}) {
  const [tab, setTab] = useState<(typeof TABS)[number]>('Overview');
  const [detail, setDetail] = useState<ClusterDetail | undefined>();
  const [gone, setGone] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [confirming, setConfirming] = useState(false);
  const base = `/api/clusters/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;

  const load = useCallback(() => {
    api<ClusterDetail>('GET', base)
      .then(setDetail)
      .catch((e) => {
        if (e instanceof ApiError && e.status === 404) setGone(true);
        else setError(e instanceof ApiError ? e.message : String(e));
      });
  }, [base]);

  useEffect(load, [load]);
  useEffect(() => {
    const events = new EventSource('/api/events');
    events.addEventListener('cluster', (event) => {
      const change = JSON.parse((event as MessageEvent<string>).data) as { namespace: string; name: string };
      if (change.namespace === namespace && change.name === name) load();
    });
    return () => events.close();
  }, [namespace, name, load]);

  if (gone) return <p role="status">Cluster {name} has been deleted.</p>;
  if (!detail) return error ? <p className="error">{error}</p> : <p>Loading…</p>;

  return (
    <section>
      <h1>
        {name} <span className="muted">{namespace}</span>
      </h1>
      <p>
        {detail.row.provider} · Kubernetes {detail.row.kubernetesVersion} ·{' '}
        {detail.deletionTimestamp ? 'Deleting' : detail.row.phase}{' '}
        <button
          type="button"
          onClick={() => setConfirming(true)}
          disabled={detail.deletionTimestamp !== undefined}
        >
          Destroy
        </button>
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {detail.deletionTimestamp && (
        <p role="status">
          Deleting since {detail.deletionTimestamp}; held by{' '}
          {detail.finalizers.length > 0 ? detail.finalizers.join(', ') : 'nothing: it will be gone shortly'}.
        </p>
      )}
      {confirming && (
        <DestroyDialog
          name={name}
          onCancel={() => setConfirming(false)}
          onConfirm={async () => {
            setConfirming(false);
            try {
              await api('DELETE', base);
              load();
            } catch (e) {
              setError(e instanceof ApiError ? e.message : String(e));
            }
          }}
        />
      )}
      <div className="tabs" role="tablist">
        {TABS.map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
            {t}
          </button>
        ))}
      </div>
      {tab === 'Overview' && <Overview detail={detail} />}
      {tab === 'Nodes' && (
        <table aria-label="Nodes">
          <thead>
            <tr>
              <th>Machine</th>
              <th>Phase</th>
              <th>Node</th>
              <th>Provider ID</th>
              <th>Version</th>
            </tr>
          </thead>
          <tbody>
            {detail.machines.map((m) => (
              <tr key={m.name}>
                <td>{m.name}</td>
                <td>{m.phase}</td>
                <td>{m.nodeName}</td>
                <td>{m.providerID}</td>
                <td>{m.version}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {tab === 'Node Pools' && (
        <NodePools namespace={namespace} detail={detail} onChanged={load} onError={setError} />
      )}
      {tab === 'Extensions' && (
        <ExtensionSlot
          anchor="cluster.detail.tab"
          provider={detail.row.provider}
          namespace={namespace}
          clusterName={name}
          safeMode={safeMode}
        />
      )}
    </section>
  );
}

function Overview({ detail }: { detail: ClusterDetail }) {
  const waiting = detail.row.waitingFor;
  return (
    <div>
      <p>
        Control plane {detail.row.controlPlane.ready}/{detail.row.controlPlane.desired} ready · workers{' '}
        {detail.row.workers.ready}/{detail.row.workers.desired} ready
      </p>
      {waiting ? (
        <p role="status">
          Waiting for <strong>{waiting.condition}</strong>
          {waiting.reason ? ` (${waiting.reason})` : ''}
          {waiting.message ? `: ${waiting.message}` : ''}
        </p>
      ) : (
        <p role="status">Nothing pending.</p>
      )}
      <table aria-label="Conditions">
        <thead>
          <tr>
            <th>Condition</th>
            <th>Status</th>
            <th>Reason</th>
            <th>Message</th>
          </tr>
        </thead>
        <tbody>
          {detail.conditions.map((c) => (
            <tr key={c.type}>
              <td>{c.type}</td>
              <td>{c.status}</td>
              <td>{c.reason}</td>
              <td>{c.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NodePools({
  namespace,
  detail,
  onChanged,
  onError,
}: {
  namespace: string;
  detail: ClusterDetail;
  onChanged(): void;
  onError(message: string): void;
}) {
  const pools = [
    ...(detail.controlPlane
      ? [
          {
            kind: 'KubeadmControlPlane',
            name: detail.controlPlane.name,
            replicas: detail.controlPlane.replicas,
            readyReplicas: detail.controlPlane.readyReplicas,
            version: detail.controlPlane.version,
          },
        ]
      : []),
    ...detail.nodePools,
  ];
  return (
    <table aria-label="Node pools">
      <thead>
        <tr>
          <th>Pool</th>
          <th>Kind</th>
          <th>Ready</th>
          <th>Version</th>
          <th>Scale</th>
        </tr>
      </thead>
      <tbody>
        {pools.map((pool) => (
          <ScaleRow
            key={pool.name}
            namespace={namespace}
            pool={pool}
            onChanged={onChanged}
            onError={onError}
          />
        ))}
      </tbody>
    </table>
  );
}

function ScaleRow({
  namespace,
  pool,
  onChanged,
  onError,
}: {
  namespace: string;
  pool: { kind: string; name: string; replicas: number; readyReplicas: number; version?: string | undefined };
  onChanged(): void;
  onError(message: string): void;
}) {
  const [replicas, setReplicas] = useState(String(pool.replicas));
  const [fieldError, setFieldError] = useState<string | undefined>();
  return (
    <tr data-pool={pool.name}>
      <td>{pool.name}</td>
      <td>{pool.kind}</td>
      <td>
        {pool.readyReplicas}/{pool.replicas}
      </td>
      <td>{pool.version}</td>
      <td>
        <input
          aria-label={`Replicas of ${pool.name}`}
          value={replicas}
          onChange={(e) => setReplicas(e.target.value)}
          size={4}
        />{' '}
        <button
          type="button"
          onClick={async () => {
            setFieldError(undefined);
            try {
              await api(
                'PATCH',
                `/api/node-pools/${encodeURIComponent(namespace)}/${pool.kind}/${encodeURIComponent(pool.name)}`,
                {
                  replicas: Number(replicas),
                },
              );
              onChanged();
            } catch (e) {
              if (e instanceof ApiError && e.field === 'replicas') setFieldError(e.message);
              else onError(e instanceof ApiError ? e.message : String(e));
            }
          }}
        >
          Scale
        </button>
        {fieldError && (
          <span role="alert" className="error">
            {' '}
            {fieldError}
          </span>
        )}
      </td>
    </tr>
  );
}

function DestroyDialog({ name, onCancel, onConfirm }: { name: string; onCancel(): void; onConfirm(): void }) {
  const [typed, setTyped] = useState('');
  return (
    <div className="dialog" role="dialog" aria-label="Destroy cluster">
      <p>
        Destroying <strong>{name}</strong> deletes every machine and its platform resources. Type the cluster
        name to confirm.
      </p>
      <input aria-label="Cluster name to confirm" value={typed} onChange={(e) => setTyped(e.target.value)} />{' '}
      <button type="button" disabled={typed !== name} onClick={onConfirm}>
        Destroy {name}
      </button>{' '}
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
