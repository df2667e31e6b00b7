import { pathToFileURL } from 'node:url';
import {
  isStandardSchema,
  type PlatformProxyModule,
  type StandardSchema,
  validateWithSchema,
} from '@immutable-infra/core';
import type { ExtensionRegistry } from './extension-registry.js';
import { type Identity, type KubeEndpoint, refusalMessage } from './kube-endpoint.js';
import { containsAny, credentialForms, redact } from './secret-scrub.js';

export interface PlatformCallOutcome {
  status: number;
  body: { result: unknown } | { error: { reason: string; message: string; field?: string } };
}

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const REASON = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

function failure(status: number, reason: string, message: string, field?: string): PlatformCallOutcome {
  return { status, body: { error: { reason, message, ...(field ? { field } : {}) } } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a declared operation's params or result, naming the field from the
 * root of the call (`params.dvSwitch`); a validator that throws counts as a
 * refusal rather than a host failure.
 */
async function checkDeclared(
  schema: StandardSchema,
  value: unknown,
  root: 'params' | 'result',
): Promise<{ ok: true } | { ok: false; field: string; message: string }> {
  try {
    const checked = await validateWithSchema(schema, value);
    if (checked.ok) return { ok: true };
    const path = (field: string) => (field ? `${root}.${field}` : root);
    return {
      ok: false,
      field: path(checked.field),
      message: checked.issues.map((issue) => `${path(issue.field)}: ${issue.message}`).join('; '),
    };
  } catch (error) {
    return {
      ok: false,
      field: root,
      message: `${root}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

interface CallRequest {
  credential: { namespace: string; name: string };
  operation: string;
  params: Record<string, unknown>;
}

/** Reads a call from the browser; every problem named. */
export function parseCallRequest(body: unknown): { request: CallRequest } | { problems: string[] } {
  const problems: string[] = [];
  const b = isRecord(body) ? body : {};
  const credential = isRecord(b.credential) ? b.credential : {};
  if (typeof credential.namespace !== 'string' || !DNS_NAME.test(credential.namespace))
    problems.push('credential.namespace must be a namespace name');
  if (typeof credential.name !== 'string' || !DNS_NAME.test(credential.name))
    problems.push('credential.name must be a Secret name');
  if (typeof b.operation !== 'string' || !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(b.operation))
    problems.push('operation must be an operation name');
  if (b.params !== undefined && !isRecord(b.params)) problems.push('params must be an object');
  if (problems.length > 0) return { problems };
  return {
    request: {
      credential: { namespace: credential.namespace as string, name: credential.name as string },
      operation: b.operation as string,
      params: (b.params as Record<string, unknown> | undefined) ?? {},
    },
  };
}

/**
 * The host side of HostApi.platform: loads an extension's platform-proxy
 * module in this process, reads the credential Secret as the signed-in user
 * (so RBAC decides whether they may use it), runs the operation with the
 * Secret's values under an AbortSignal and a time limit, and returns only its
 * result. Credential values are removed from every message, and a result
 * that contains one is refused rather than sent.
 */
export class PlatformProxy {
  private readonly modules = new Map<string, Promise<PlatformProxyModule>>();

  constructor(
    private readonly registry: ExtensionRegistry,
    private readonly endpoint: KubeEndpoint,
    private readonly timeLimitMs = 30_000,
  ) {}

  private load(path: string): Promise<PlatformProxyModule> {
    let module = this.modules.get(path);
    if (!module) {
      module = import(pathToFileURL(path).href) as Promise<PlatformProxyModule>;
      this.modules.set(path, module);
      module.catch(() => this.modules.delete(path));
    }
    return module;
  }

  async call(
    identity: Identity,
    extensionId: string,
    body: unknown,
    clientGone: AbortSignal,
  ): Promise<PlatformCallOutcome> {
    const parsed = parseCallRequest(body);
    if ('problems' in parsed) return failure(400, 'InvalidRequest', parsed.problems.join('; '));
    const { credential, operation, params } = parsed.request;
    const path = this.registry.platformProxy(extensionId);
    if (!path) return failure(404, 'NoPlatformProxy', `${extensionId} has no loadable platform proxy`);
    let module: PlatformProxyModule;
    try {
      module = await this.load(path);
    } catch (error) {
      return failure(
        500,
        'ProxyLoadFailed',
        `${extensionId}'s platform proxy failed to load: ${String(error)}`,
      );
    }
    // A CommonJS build reaches us as the default export.
    const exported = isRecord(module.operations)
      ? module.operations
      : (module as { default?: { operations?: unknown } }).default?.operations;
    const operations = isRecord(exported) ? exported : {};
    const run = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
    if (typeof run !== 'function')
      return failure(
        404,
        'UnknownOperation',
        `${extensionId} has no platform operation ${operation}`,
        'operation',
      );

    // An operation may declare its params and result as Standard Schemas (properties
    // of the function, so hosts that predate them still run it). Params are
    // checked before the Secret is read: a malformed call never reaches the platform.
    const declared = run as { params?: unknown; result?: unknown };
    if (isStandardSchema(declared.params)) {
      const checked = await checkDeclared(declared.params, params, 'params');
      if (!checked.ok)
        return failure(422, 'InvalidParams', `${operation}: ${checked.message}`, checked.field);
    }

    const secret = await this.endpoint.request<{ data?: Record<string, string> }>(identity, {
      method: 'GET',
      path: `/api/v1/namespaces/${encodeURIComponent(credential.namespace)}/secrets/${encodeURIComponent(credential.name)}`,
    });
    if (secret.status === 403) return failure(403, 'Forbidden', refusalMessage(secret), 'credential');
    if (secret.status === 404)
      return failure(
        404,
        'CredentialNotFound',
        `Secret ${credential.namespace}/${credential.name} not found`,
        'credential',
      );
    if (secret.status !== 200)
      return failure(502, 'CredentialUnreadable', refusalMessage(secret), 'credential');
    const values = Object.fromEntries(
      Object.entries(secret.body.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
    const forms = credentialForms(Object.values(values));

    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`the operation did not finish in ${this.timeLimitMs / 1000}s`)),
      this.timeLimitMs,
    );
    const onGone = () => controller.abort(new Error('the browser went away'));
    clientGone.addEventListener('abort', onGone, { once: true });
    // An operation that ignores its signal still ends the call when the signal fires.
    const aborted = new Promise<never>((_, reject) =>
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }),
    );
    try {
      const result = await Promise.race([
        run({
          credential: Object.freeze(values),
          params: Object.freeze({ ...params }),
          signal: controller.signal,
        }),
        aborted,
      ]);
      const text = JSON.stringify(result ?? null);
      if (containsAny(text, forms)) {
        return failure(
          502,
          'CredentialInResult',
          `${extensionId}'s operation ${operation} returned a credential value; the host refused to send it`,
        );
      }
      const sent = JSON.parse(text);
      if (isStandardSchema(declared.result)) {
        const checked = await checkDeclared(declared.result, sent, 'result');
        if (!checked.ok)
          return failure(
            502,
            'InvalidResult',
            redact(
              `${extensionId}'s operation ${operation} returned a result its declaration refuses: ${checked.message}`,
              forms,
            ),
          );
      }
      return { status: 200, body: { result: sent } };
    } catch (error) {
      if (controller.signal.aborted) {
        return failure(504, 'Timeout', redact(String((controller.signal.reason as Error)?.message), forms));
      }
      const reason = (error as { reason?: unknown })?.reason;
      const message = error instanceof Error ? error.message : String(error);
      return failure(
        reason === 'InvalidParams' ? 422 : 502,
        typeof reason === 'string' && REASON.test(reason) ? reason : 'OperationFailed',
        redact(message, forms),
      );
    } finally {
      clearTimeout(timer);
      clientGone.removeEventListener('abort', onGone);
    }
  }
}
