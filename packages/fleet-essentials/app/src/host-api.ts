import type { HostApi, PlatformCallError } from '@immutable-infra/core';
import { csrfHeader } from './api.ts';
import { notify } from './toasts.ts';

/** A failed Kubernetes call as an extension sees it: the API server's own words and HTTP status. */
export class KubernetesCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** A failed platform call: `reason` and `message`, as `PlatformCallError` promises. */
export class PlatformCallFailure extends Error implements PlatformCallError {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

async function send(
  method: string,
  path: string,
  body: unknown,
): Promise<{ status: number; payload: unknown }> {
  const headers: Record<string, string> = { accept: 'application/json', ...csrfHeader(method) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, payload: await response.json().catch(() => undefined) };
}

/**
 * The HostApi one extension gets: Kubernetes as the signed-in user through
 * the server's pass-through, platform calls through the server's proxy for
 * this extension only, and toasts.
 */
export function createHostApi(extensionId: string): HostApi {
  return {
    async kubernetes<T>(request: { method: string; path: string; body?: unknown }): Promise<T> {
      if (!request.path.startsWith('/')) throw new KubernetesCallError(400, 'the path must start with /');
      const { status, payload } = await send(
        request.method.toUpperCase(),
        `/api/kube${request.path}`,
        request.body,
      );
      if (status >= 300) {
        const p = payload as { message?: string; reason?: string; error?: { message?: string } } | undefined;
        throw new KubernetesCallError(status, p?.message ?? p?.error?.message ?? `HTTP ${status}`, p?.reason);
      }
      return payload as T;
    },
    async platform<T>(request: {
      credential: { namespace: string; name: string };
      operation: string;
      params?: Record<string, unknown>;
    }): Promise<T> {
      const { status, payload } = await send('POST', '/api/platform', { extension: extensionId, ...request });
      if (status >= 300) {
        const error = (payload as { error?: { reason?: string; message?: string } } | undefined)?.error;
        throw new PlatformCallFailure(error?.reason ?? 'HostError', error?.message ?? `HTTP ${status}`);
      }
      return (payload as { result: T }).result;
    },
    notify(message) {
      notify(message.kind, message.text);
    },
  };
}
