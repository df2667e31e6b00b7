import { isPlatformFailure, PlatformFailure, type PlatformFailureKind } from '@immutable-infra/core';
import {
  describeFailureWithAdvice,
  type ErrorAnswer,
  type ErrorAnswerReading,
  failureClassifier,
  HTTP_STATUS_KINDS,
} from '@immutable-infra/provider-kit';

/**
 * Every failure of a DCS call is a core PlatformFailure: the transport builds it from DCS's error
 * body (readDcsErrorAnswer, the one place DCS codes become kinds), and the predicates below read
 * its kind and DCS code. Nothing here ever sees the key: failures are built from the status line,
 * the DCS error body, the verb and the path, never from request headers.
 */

/** DCS error codes the provider reacts to (see tools/dcs-sim/notes/wire-contract.md). */
export const DcsErrorCode = {
  sessionExpired: '10000002',
  badCredentials: '10000003',
  accountLocked: '10100116',
  busy: '10420005',
  /** Huawei's Cinder driver reads it as "already deleted". */
  volumeNotFound: '10420004',
  stoppedOnlyDelete: '102212808',
} as const;

/** The core kind of each DCS code the provider reacts to; other answers go by their status. */
const dcsFailureKind = failureClassifier({
  codes: {
    [DcsErrorCode.badCredentials]: 'LoginRefused',
    [DcsErrorCode.accountLocked]: 'AccountLocked',
    [DcsErrorCode.volumeNotFound]: 'NotFound',
    [DcsErrorCode.busy]: 'Conflict',
    [DcsErrorCode.stoppedOnlyDelete]: 'Conflict',
  },
  // An expired session is logged in again: its 401 is no refused login.
  refine: ({ status, code }) =>
    code === DcsErrorCode.sessionExpired && (status === 401 || status === 403) ? 'PlatformError' : undefined,
  statuses: HTTP_STATUS_KINDS,
});

/** DCS's error body `{errorCode, errorDes}` read into the transport's failure: kind, DCS code, description. */
export function readDcsErrorAnswer({ status, body }: ErrorAnswer): ErrorAnswerReading {
  const { errorCode, errorDes } = (body ?? {}) as { errorCode?: unknown; errorDes?: unknown };
  const code = errorCode === undefined || errorCode === null ? undefined : String(errorCode);
  return {
    kind: dcsFailureKind({ status, code }),
    platformCode: code,
    message: typeof errorDes === 'string' && errorDes ? errorDes : undefined,
  };
}

/** An inventory object looked up by name does not exist; the message names what was looked for. */
export class DcsLookupError extends PlatformFailure {
  constructor(kind: string, lookedFor: string, where: string) {
    super('NotFound', `DCS ${kind} "${lookedFor}" not found${where ? ` in ${where}` : ''}`, {
      operation: `find ${kind}`,
    });
  }
}

/** A 2xx answer whose body is not what the contract says (a field the client needs is missing). */
export class DcsResponseError extends PlatformFailure {
  constructor(method: string, path: string, detail: string) {
    super('PlatformError', `${method} ${path}: unexpected DCS response: ${detail}`, {
      operation: `${method} ${path}`,
    });
  }
}

const codeOf = (error: unknown) => (isPlatformFailure(error) ? error.details.platformCode : undefined);

/** The token is missing, unknown or expired: log in again. DCS answers every 401 this way. */
export function isSessionExpired(error: unknown): boolean {
  return (
    isPlatformFailure(error) &&
    (error.details.httpStatus === 401 || error.details.platformCode === DcsErrorCode.sessionExpired)
  );
}

/** True also for a login the back-off held back after such an answer (it keeps the refusal's code). */
export const isAccountLocked = (error: unknown) => codeOf(error) === DcsErrorCode.accountLocked;
export const isBadCredentials = (error: unknown) => codeOf(error) === DcsErrorCode.badCredentials;

/** The object (VM, volume, upload, task, or one looked up by name) does not exist (any more). */
export const isNotFound = (error: unknown) => isPlatformFailure(error) && error.kind === 'NotFound';

/** The volume is in use (attached); try again after detaching it. */
export const isBusy = (error: unknown) => codeOf(error) === DcsErrorCode.busy;

/** The site only deletes stopped VMs: stop the VM (again) and retry; the docs call this recoverable. */
export const isStoppedOnlyDelete = (error: unknown) => codeOf(error) === DcsErrorCode.stoppedOnlyDelete;

/** The kinds the credential form and the inventory listings tell apart. */
export type DcsFailureKind =
  | 'unreachable'
  | 'tls'
  | 'bad-credentials'
  | 'account-locked'
  | 'session-expired'
  | 'not-found'
  | 'busy'
  | 'stopped-only-delete'
  | 'unexpected-response'
  | 'dcs-error'
  | 'other';

export interface DcsFailure {
  kind: DcsFailureKind;
  /** One line for a condition message or an Event; never contains the key. */
  reason: string;
}

const KIND_OF: Partial<Record<PlatformFailureKind, DcsFailureKind>> = {
  Unreachable: 'unreachable',
  Timeout: 'unreachable',
  TLSFailure: 'tls',
  LoginRefused: 'bad-credentials',
  AccountLocked: 'account-locked',
  NotFound: 'not-found',
};

/** Any failure as a kind and one line for operators; `secrets` are masked as a last line of defence. */
export function classifyDcsFailure(error: unknown, secrets: readonly string[] = []): DcsFailure {
  return { kind: dcsKindOf(error), reason: describeDcsFailure(error, secrets) };
}

/** Just the operator-facing reason of {@link classifyDcsFailure}. */
export function describeDcsFailure(error: unknown, secrets: readonly string[] = []): string {
  return describeFailureWithAdvice(error, { platform: 'DCS', secrets });
}

function dcsKindOf(error: unknown): DcsFailureKind {
  if (!isPlatformFailure(error)) return 'other';
  if (isBusy(error)) return 'busy';
  if (isStoppedOnlyDelete(error)) return 'stopped-only-delete';
  const status = error.details.httpStatus;
  if (error instanceof DcsResponseError || (status !== undefined && status < 300))
    return 'unexpected-response';
  return KIND_OF[error.kind] ?? 'dcs-error';
}
