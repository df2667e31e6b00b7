/**
 * Error codes the simulator answers with. The first group comes from the wire contract (which
 * took them from the brief or from open-source clients); `invalidParameter`, `notFound`,
 * `wrongState` and `internal` are ours, since no public source names the real ones.
 */
export const ErrorCode = {
  serviceUnavailable: '10000001',
  sessionExpired: '10000002',
  badCredentials: '10000003',
  accountLocked: '10100116',
  /** Volume (or uploaded ISO) in use. Huawei's Cinder driver retries on it. */
  busy: '10420005',
  /** Volume does not exist; Huawei's Cinder driver treats it as "already deleted". */
  volumeNotFound: '10420004',
  stoppedOnlyDelete: '102212808',
  invalidParameter: '10000010',
  notFound: '10000404',
  wrongState: '10300100',
  internal: '10000000',
  /**
   * Request rate exceeded. No public DCS/FusionCompute source names a throttling code, so this
   * one is the simulator's own and says so.
   */
  throttled: 'SIM.0429',
} as const;

/** A refusal as the platform sends it: HTTP status plus `{"errorCode","errorDes"}`. */
export class DcsError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly errorCode: string,
    readonly errorDes: string,
    /** Seconds the caller should wait, sent as `Retry-After`. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${httpStatus} ${errorCode}: ${errorDes}`);
    this.name = 'DcsError';
  }

  static invalid(field: string, problem: string): DcsError {
    return new DcsError(400, ErrorCode.invalidParameter, `invalid parameter ${field}: ${problem}`);
  }

  static notFound(what: string): DcsError {
    return new DcsError(404, ErrorCode.notFound, `${what} does not exist`);
  }

  static wrongState(what: string): DcsError {
    return new DcsError(409, ErrorCode.wrongState, what);
  }

  static throttled(retryAfterSeconds: number): DcsError {
    return new DcsError(
      429,
      ErrorCode.throttled,
      `dcs-sim: request rate exceeded, retry after ${retryAfterSeconds} s`,
      retryAfterSeconds,
    );
  }

  static busy(what: string): DcsError {
    return new DcsError(409, ErrorCode.busy, `${what} is in use`);
  }
}
