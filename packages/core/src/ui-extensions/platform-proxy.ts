/**
 * The server side of an extension's platform calls. Fleet Essentials imports
 * a provider's platform-proxy module (named by `platformProxy` in its UI
 * extension manifest) in its own Node process, reads the credential Secret as
 * the signed-in user, and runs the named operation with the Secret's values.
 * Only the operation's result crosses to the browser, so an operation returns
 * platform facts (templates, networks, datastores, a connection verdict) and
 * never a credential; the host also refuses a result that contains one.
 *
 * Structural types only: a provider implements them without importing
 * anything from core at run time, so one build works with several cores.
 */

export interface PlatformOperationRequest {
  /** The credential Secret's data, decoded to strings (server side only). */
  credential: Readonly<Record<string, string>>;
  params: Readonly<Record<string, unknown>>;
  /** Aborted when the browser goes away or the host's time limit passes. */
  signal: AbortSignal;
}

export type PlatformOperation = (request: PlatformOperationRequest) => Promise<unknown>;

/**
 * The platform-proxy module's exports. An operation fails by throwing an
 * Error; a `reason` property on it (`Unreachable`, `TLSFailure`,
 * `LoginFailed`, `AccountLocked`, `InvalidParams`, ...) reaches the browser as
 * `PlatformCallError.reason`.
 */
export interface PlatformProxyModule {
  operations: Readonly<Record<string, PlatformOperation>>;
}

/** Well-known operation names the host itself calls. */
export const PLATFORM_OPERATIONS = {
  /** Resolves to a `ConnectionTestResult`; the credential form's "Test connection". */
  testConnection: 'testConnection',
} as const;
