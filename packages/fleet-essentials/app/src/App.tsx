import { useEffect, useState } from 'react';
import { api, setCsrfToken } from './api.ts';
import { ClusterList } from './ClusterList.tsx';
import { ClusterPage } from './ClusterPage.tsx';
import { CreateCluster } from './CreateCluster.tsx';
import { Extension, safeMode as inSafeMode, useExtensions } from './ExtensionSlot.tsx';
import { entriesFor } from './extensions.ts';
import { INFRASTRUCTURE_KINDS, Infrastructure, type InfrastructureKind } from './Infrastructure.tsx';
import { SignIn } from './SignIn.tsx';
import { dismiss, useToasts } from './toasts.ts';

function useHashRoute(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash.replace(/^#/, '') || '/clusters';
}

export function App() {
  const [user, setUser] = useState<string | undefined>();
  const [checked, setChecked] = useState(false);
  const route = useHashRoute();
  const safeMode = inSafeMode();

  useEffect(() => {
    api<{ username: string; csrfToken: string }>('GET', '/api/session')
      .then((session) => {
        setCsrfToken(session.csrfToken);
        setUser(session.username);
      })
      .catch(() => setUser(undefined))
      .finally(() => setChecked(true));
  }, []);

  if (!checked) return <p>Loading…</p>;
  if (!user) return <SignIn onSignedIn={setUser} />;
  const detail = route.match(/^\/clusters\/([^/]+)\/([^/]+)$/);
  const infrastructure = route.match(/^\/infrastructure\/([a-z-]+)(?:\/([^/]+))?$/);
  const create = route.match(/^\/create(?:\/([^/]+))?(?:\/([^/]+))?$/);
  const decode = (part: string | undefined, fallback: string) => (part ? decodeURIComponent(part) : fallback);
  return (
    <>
      <header>
        <strong>Fleet Essentials</strong>
        <a href="#/clusters">Clusters</a>
        <a href="#/create/default">Create cluster</a>
        <a href="#/infrastructure/credentials/default">Infrastructure</a>
        {!safeMode && <NavigationItems />}
        <span style={{ marginLeft: 'auto' }}>signed in as {user}</span>
        <button type="button" onClick={() => api('DELETE', '/api/session').finally(() => setUser(undefined))}>
          Sign out
        </button>
      </header>
      {safeMode && <div className="banner">Safe mode: no extensions are loaded.</div>}
      <main>
        {detail ? (
          <ClusterPage
            key={route}
            namespace={decodeURIComponent(detail[1] as string)}
            name={decodeURIComponent(detail[2] as string)}
          />
        ) : infrastructure && (infrastructure[1] as string) in INFRASTRUCTURE_KINDS ? (
          <Infrastructure
            kind={infrastructure[1] as InfrastructureKind}
            namespace={decode(infrastructure[2], 'default')}
          />
        ) : create ? (
          <CreateCluster
            namespace={decode(create[1], 'default')}
            {...(create[2] ? { entryId: decodeURIComponent(create[2]) } : {})}
          />
        ) : (
          <ClusterList />
        )}
      </main>
      <Toasts />
    </>
  );
}

/** Providers' `navigation.item` entries, in the header. */
function NavigationItems() {
  const extensions = useExtensions();
  if (!extensions) return null;
  return (
    <>
      {entriesFor(extensions, 'navigation.item').map((entry) => (
        <span
          key={`${entry.extension.id}/${entry.entry.id}`}
          className="nav-extension"
          data-extension={entry.entry.id}
        >
          <Extension entry={entry} props={{ namespace: 'default' }} mountKey="nav" />
        </span>
      ))}
    </>
  );
}

function Toasts() {
  const toasts = useToasts();
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} role="status" data-toast={t.kind}>
          {t.text}{' '}
          <button type="button" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
