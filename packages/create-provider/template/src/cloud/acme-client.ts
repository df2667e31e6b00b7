// The Acme API's wire format, and nothing else: paths, bodies, states and error codes as the
// platform's API reference has them. TLS, timeouts, rate limits and retries of idempotent requests
// are the kit's JsonTransport's; every failure is core's PlatformFailure, classified in one place.
import type { PlatformFailureKind } from '@immutable-infra/core';
import { type ErrorAnswer, type ErrorAnswerReading, JsonTransport } from '@immutable-infra/provider-kit';
import type { AcmeCredentials } from '../api/credentials.js';

/** A machine as the Acme API describes it. */
export interface AcmeMachineInfo {
  id: string;
  name: string;
  image: string;
  state: 'building' | 'running' | 'deleting' | 'failed';
  /** IPv4 addresses, once the machine runs. */
  addresses: string[];
}

/** What Acme's error answers carry: `{ "error": { "code": "...", "message": "..." } }`. */
interface AcmeErrorBody {
  error?: { code?: string; message?: string };
}

/** The platform's error codes that say more than the HTTP status. */
const CODE_KINDS: Record<string, PlatformFailureKind> = {
  QuotaExceeded: 'QuotaExceeded',
  TokenInvalid: 'LoginRefused',
  AccountLocked: 'AccountLocked',
  MachineNotFound: 'NotFound',
  NameInUse: 'Conflict',
};

/**
 * Every Acme error answer into a PlatformFailure kind, in one function: the controllers and any
 * connection test then say the same thing for the same answer.
 */
export function classifyAcmeError(answer: ErrorAnswer): ErrorAnswerReading {
  const body = (answer.body ?? {}) as AcmeErrorBody;
  const code = body.error?.code;
  const message = body.error?.message;
  const byCode = code ? CODE_KINDS[code] : undefined;
  const kind: PlatformFailureKind =
    byCode ??
    (answer.status === 401 || answer.status === 403
      ? 'LoginRefused'
      : answer.status === 404
        ? 'NotFound'
        : answer.status === 409
          ? 'Conflict'
          : answer.status === 429
            ? 'Throttled'
            : answer.status === 504
              ? 'Timeout'
              : 'PlatformError');
  return { kind, ...(code ? { platformCode: code } : {}), ...(message ? { message } : {}) };
}

export interface AcmeClientOptions {
  /** Time for one request; 30 s by default. */
  requestTimeoutMs?: number;
}

/** The Acme API for one credential. */
export class AcmeClient {
  private readonly transport: JsonTransport;

  constructor(credentials: AcmeCredentials, options: AcmeClientOptions = {}) {
    this.transport = new JsonTransport({
      endpoint: credentials.endpoint,
      authenticate: () => ({ Authorization: `Bearer ${credentials.token}` }),
      readErrorAnswer: classifyAcmeError,
      secrets: [credentials.token],
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    });
  }

  /** The machine named `name`, or undefined. A machine created a moment ago may not be listed yet. */
  async findMachine(name: string): Promise<AcmeMachineInfo | undefined> {
    const { body } = await this.transport.request<{ machines: AcmeMachineInfo[] }>({
      method: 'GET',
      path: '/v1/machines',
      query: { name },
      operation: 'GET /v1/machines?name',
    });
    return body.machines.find((machine) => machine.name === name);
  }

  /** Asks for a machine; it is `building` and becomes `running` on its own. Never retried: not idempotent. */
  async createMachine(request: { name: string; image: string; userData: string }): Promise<AcmeMachineInfo> {
    const { body } = await this.transport.request<AcmeMachineInfo>({
      method: 'POST',
      path: '/v1/machines',
      body: request,
    });
    return body;
  }

  /** Asks for a machine's deletion; it is `deleting` until it is gone. */
  async deleteMachine(id: string): Promise<void> {
    await this.transport.request({
      method: 'DELETE',
      path: `/v1/machines/${encodeURIComponent(id)}`,
      operation: 'DELETE /v1/machines/{id}',
    });
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
}
