/** A reference to one Kubernetes object. */
export interface ObjectReference {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
}

/** The slice of a Kubernetes client a hook may use; the host implements it with rate limits and metrics. */
export interface KubeClient {
  /** Undefined when the object does not exist. */
  get<T = unknown>(ref: ObjectReference): Promise<T | undefined>;
  list<T = unknown>(
    apiVersion: string,
    kind: string,
    options?: { namespace?: string; labelSelector?: string },
  ): Promise<T[]>;
  create<T extends { apiVersion: string; kind: string }>(object: T): Promise<T>;
  /**
   * JSON merge patch of the main resource. Put `metadata.resourceVersion` in
   * the patch to make it conditional: a concurrent change then fails with 409.
   */
  patch<T = unknown>(ref: ObjectReference, patch: Record<string, unknown>): Promise<T>;
  /** JSON merge patch of the status subresource; conditional in the same way. */
  patchStatus<T = unknown>(ref: ObjectReference, patch: Record<string, unknown>): Promise<T>;
  delete(ref: ObjectReference): Promise<void>;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Kubernetes Events on the object being reconciled. Never put credentials in a message. */
export interface EventRecorder {
  normal(reason: string, message: string): void;
  warning(reason: string, message: string): void;
}

/** Reads Secrets; values are decoded strings and must not be logged or copied into status. */
export interface SecretReader {
  read(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

export interface Clock {
  now(): Date;
}

/** Counts and times calls to the platform's API, per operation, for the host's metrics. */
export interface PlatformCallRecorder {
  record<T>(operation: string, call: () => Promise<T>): Promise<T>;
}

/**
 * How hard a manager may drive one platform account: requests per second with a burst above it,
 * and requests in flight at once. Every field is optional; a provider falls back to its own defaults.
 */
export interface PlatformLimits {
  requestsPerSecond?: number | undefined;
  burst?: number | undefined;
  maxConcurrentRequests?: number | undefined;
}

/** What every hook receives from the host. */
export interface HostContext {
  kube: KubeClient;
  log: Logger;
  events: EventRecorder;
  secrets: SecretReader;
  clock: Clock;
  platformCalls: PlatformCallRecorder;
  /** Aborted when the host shuts down or loses leadership; pass it to long requests. */
  signal: AbortSignal;
  /**
   * The manager's limits for each platform account (`iinfra manager --platform-qps`, ...), which a
   * credential Secret may override for its own account. Absent on hosts that set none.
   */
  platformLimits?: PlatformLimits | undefined;
}
