import { useEffect, useState } from 'react';
import { api, setCsrfToken } from './api.ts';
import { ClusterList } from './ClusterList.tsx';
import { ClusterPage } from './ClusterPage.tsx';
import { SignIn } from './SignIn.tsx';

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
  const safeMode = new URLSearchParams(window.location.search).has('safe-mode');

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
  return (
    <>
      <header>
        <strong>Fleet Essentials</strong>
        <a href="#/clusters">Clusters</a>
        <span style={{ marginLeft: 'auto' }}>signed in as {user}</span>
        <button type="button" onClick={() => api('DELETE', '/api/session').finally(() => setUser(undefined))}>
          Sign out
        </button>
      </header>
      {safeMode && <div className="banner">Safe mode: no extensions are loaded.</div>}
      <main>
        {detail ? (
          <ClusterPage
            namespace={decodeURIComponent(detail[1] as string)}
            name={decodeURIComponent(detail[2] as string)}
            safeMode={safeMode}
          />
        ) : (
          <ClusterList />
        )}
      </main>
    </>
  );
}
