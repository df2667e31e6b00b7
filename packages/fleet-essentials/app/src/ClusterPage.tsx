import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api, type ClusterDetail } from './api.ts';
import { Extension, ExtensionSlot, useExtensions } from './ExtensionSlot.tsx';
import { entriesFor } from './extensions.ts';
import { NodePools } from './NodePools.tsx';
import { NodesTable } from './NodesTable.tsx';
import { Upgrade } from './Upgrade.tsx';

const TABS = ['Overview', 'Nodes', 'Node Pools', 'Upgrade', 'Extensions'] as const;

export function ClusterPage({ namespace, name }: { namespace: string; name: string }) {
  const [tab, setTab] = useState<(typeof TABS)[number]>('Overview');
  const [detail, setDetail] = useState<ClusterDetail | undefined>();
  const [gone, setGone] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [confirming, setConfirming] = useState(false);
  const [notYet, setNotYet] = useState(false);
  const [action, setAction] = useState<string | undefined>();
  const extensions = useExtensions();
  const seen = useRef(false);
  const base = `/api/clusters/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;

  const load = useCallback(() => {
    api<ClusterDetail>('GET', base)
      .then((d) => {
        seen.current = true;
        setNotYet(false);
        setDetail(d);
      })
      .catch((e) => {
        // A cluster just created may reach the server's caches a moment after this page opens.
        if (e instanceof ApiError && e.status === 404) {
          if (seen.current) setGone(true);
          else setNotYet(true);
        } else setError(e instanceof ApiError ? e.message : String(e));
      });
  }, [base]);

  useEffect(load, [load]);
  useEffect(() => {
    if (!notYet) return;
    const timer = setTimeout(load, 1_000);
    return () => clearTimeout(timer);
  }, [notYet, load]);
  useEffect(() => {
    const events = new EventSource('/api/events');
    events.addEventListener('cluster', (event) => {
      const change = JSON.parse((event as MessageEvent<string>).data) as { namespace: string; name: string };
      if (change.namespace === namespace && change.name === name) load();
    });
    return () => events.close();
  }, [namespace, name, load]);

  if (gone) return <p role="status">Cluster {name} has been deleted.</p>;
  if (!detail)
    return error ? (
      <p className="error">{error}</p>
    ) : notYet ? (
      <p role="status">Waiting for cluster {name} to appear…</p>
    ) : (
      <p>Loading…</p>
    );
  const actions = extensions ? entriesFor(extensions, 'cluster.action', detail.row.provider) : [];
  const openAction = actions.find((a) => a.entry.id === action);

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
        </button>{' '}
        {actions.map((a) => (
          <button
            key={a.entry.id}
            type="button"
            data-cluster-action={a.entry.id}
            onClick={() => setAction(a.entry.id)}
          >
            {a.entry.title}
          </button>
        ))}
      </p>
      {openAction && (
        <div className="panel" role="dialog" aria-label={openAction.entry.title}>
          <Extension
            entry={openAction}
            mountKey={`${namespace}/${name}`}
            props={{
              namespace,
              clusterName: name,
              done: () => {
                setAction(undefined);
                load();
              },
            }}
          />
        </div>
      )}
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
      {tab === 'Nodes' && <NodesTable namespace={namespace} name={name} detail={detail} />}
      {tab === 'Node Pools' && (
        <NodePools
          namespace={namespace}
          clusterName={name}
          detail={detail}
          onChanged={load}
          onError={setError}
        />
      )}
      {tab === 'Upgrade' && <Upgrade namespace={namespace} name={name} detail={detail} onChanged={load} />}
      {tab === 'Extensions' && (
        <ExtensionSlot
          anchor="cluster.detail.tab"
          provider={detail.row.provider}
          props={{ namespace, clusterName: name }}
          mountKey={`${namespace}/${name}`}
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
