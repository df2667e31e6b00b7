import { type FormEvent, useState } from 'react';
import { ApiError, api, setCsrfToken } from './api.ts';

export function SignIn({ onSignedIn }: { onSignedIn(user: string): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    try {
      const session = await api<{ username: string; csrfToken: string }>('POST', '/api/session', { token });
      setCsrfToken(session.csrfToken);
      onSignedIn(session.username);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  }

  return (
    <main>
      <h1>Sign in to Fleet Essentials</h1>
      <form onSubmit={submit}>
        <label>
          Kubernetes bearer token{' '}
          <input
            name="token"
            type="password"
            autoComplete="off"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-invalid={error !== undefined}
          />
        </label>{' '}
        <button type="submit">Sign in</button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
      <p className="muted">
        You act with your own identity: what you may see and do is decided by Kubernetes RBAC.
      </p>
    </main>
  );
}
