import { request as httpsRequest, type RequestOptions } from 'node:https';
import { type DeclaredPlatformOperation, type HostApi, validateWithSchema } from '@immutable-infra/core';
import type { KubeConfig } from '@kubernetes/client-node';
import { operations } from '../../src/ui/platform-proxy.js';

export interface KubernetesFailure {
  code: number;
  reason?: string;
  message: string;
}

/** A raw API request with the kubeconfig's identity; rejects with the API server's Status. */
export async function kubernetesRequest<T>(
  kubeConfig: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error('kubeconfig has no current cluster');
  const url = new URL(path, server);
  const options: RequestOptions = {
    method,
    headers: {
      Accept: 'application/json',
      // The extension's PATCHes are JSON merge patches (a Secret's values cannot be read back to PUT them).
      ...(body === undefined
        ? {}
        : { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }),
    },
  };
  await kubeConfig.applyToHTTPSOptions(options);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const req = httpsRequest(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const parsed = text ? (JSON.parse(text) as unknown) : undefined;
        if ((res.statusCode ?? 500) >= 300) {
          const status = (parsed ?? {}) as { code?: number; reason?: string; message?: string };
          reject({ code: res.statusCode, reason: status.reason, message: status.message ?? text });
        } else resolve(parsed as T);
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Empties Secret values as the real host does: writes go through, reads come back without values. */
function emptySecrets(value: unknown): unknown {
  const object = value as { kind?: string; items?: unknown[]; data?: Record<string, string> };
  const empty = (secret: { data?: Record<string, string> }) =>
    secret.data
      ? { ...secret, data: Object.fromEntries(Object.keys(secret.data).map((key) => [key, ''])) }
      : secret;
  // List items carry no kind of their own.
  if (object?.kind === 'SecretList' && Array.isArray(object.items))
    return { ...object, items: object.items.map((item) => empty(item as { data?: Record<string, string> })) };
  if (object?.kind === 'Secret') return empty(object);
  return value;
}

/**
 * A small stand-in for Fleet Essentials' HostApi: Kubernetes calls go to the
 * real API server (Secrets read back emptied), platform calls run this
 * package's platform-proxy operations with the Secret's values, server side.
 */
export function testHostApi(kubeConfig: KubeConfig, notices: string[] = []): HostApi & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async kubernetes<T>(request: { method: string; path: string; body?: unknown }): Promise<T> {
      calls.push(`${request.method} ${request.path}`);
      return emptySecrets(
        await kubernetesRequest<T>(kubeConfig, request.method, request.path, request.body),
      ) as T;
    },
    async platform<T>(request: {
      credential: { namespace: string; name: string };
      operation: string;
      params?: Record<string, unknown>;
    }): Promise<T> {
      calls.push(`platform ${request.operation}`);
      const operation = (operations as Record<string, DeclaredPlatformOperation>)[request.operation];
      if (!operation) throw { reason: 'UnknownOperation', message: `no operation ${request.operation}` };
      // Like the host: declared params are checked before the Secret is read or the operation runs.
      const checked = await validateWithSchema(operation.params, request.params ?? {});
      if (!checked.ok) throw { reason: 'InvalidParams', message: checked.message };
      const secret = await kubernetesRequest<{ data?: Record<string, string> }>(
        kubeConfig,
        'GET',
        `/api/v1/namespaces/${request.credential.namespace}/secrets/${request.credential.name}`,
      );
      const credential = Object.fromEntries(
        Object.entries(secret.data ?? {}).map(([key, value]) => [
          key,
          Buffer.from(value, 'base64').toString('utf8'),
        ]),
      );
      let result: unknown;
      try {
        result = await operation({
          credential,
          params: request.params ?? {},
          signal: new AbortController().signal,
        });
      } catch (error) {
        const e = error as { reason?: string; message?: string };
        throw { reason: e.reason ?? 'PlatformError', message: e.message ?? String(error) };
      }
      // Like the host: a result carrying any of the Secret's values (in any usual encoding) is refused.
      const text = JSON.stringify(result ?? null);
      for (const value of Object.values(credential).filter((v) => v.length >= 4))
        for (const form of [value, Buffer.from(value).toString('base64'), encodeURIComponent(value)])
          if (text.includes(form))
            throw {
              reason: 'CredentialInResult',
              message: `operation ${request.operation} returned a credential value`,
            };
      return result as T;
    },
    notify(message) {
      notices.push(`${message.kind}: ${message.text}`);
    },
  };
}
