export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What an auth hook sees of a request about to be sent: everything a request signature covers. */
export interface OutgoingRequest {
  method: HttpMethod;
  url: URL;
  /** The headers that will be sent, including `Host`; the hook's headers are added to them. */
  headers: Readonly<Record<string, string>>;
  /** The exact bytes of the body (empty when there is none). */
  body: Uint8Array;
}

/**
 * Adds the platform's authentication to one request: a session header (DCS `X-Auth-Token`), or a
 * signature over method, URL, headers and body (HCS AK/SK). Called once per attempt, so a signature
 * with a timestamp is fresh on a retry. The returned headers are never logged or put into errors.
 */
export type AuthHook = (request: OutgoingRequest) => Record<string, string> | Promise<Record<string, string>>;

export interface JsonRequest {
  method: HttpMethod;
  /** A path under the endpoint, written by the provider's code (`/service/sites`). */
  path?: string | undefined;
  /**
   * A link that came from the platform or from an object's status (a task URI, a `Location`, a job
   * link): followed only within the endpoint's origin and allowed path prefixes, else refused
   * before any byte is sent. Give either `path` or `link`.
   */
  link?: string | undefined;
  query?: Record<string, string | number | boolean | readonly string[] | undefined> | undefined;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as they are instead of `body` (an ISO upload, say). */
  bytes?: { data: Uint8Array; contentType: string } | undefined;
  headers?: Record<string, string> | undefined;
  /** Overrides the transport's auth hook for this request (a login call, another account's session). */
  authenticate?: AuthHook | undefined;
  /** Marks a POST (or PATCH) safe to send twice, so it is retried like a GET. */
  idempotent?: boolean | undefined;
  /** Overrides the transport's request timeout (an upload to a busy host, say). */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** The operation's name in errors and metrics, e.g. `GET /service/sites/{site}/vms`; method and path by default. */
  operation?: string | undefined;
}

export interface JsonResponse<Body = unknown> {
  status: number;
  /** Lower-cased names; a repeated header joined with `, ` (except `set-cookie`). */
  headers: Record<string, string>;
  /** The decoded JSON body; undefined when the body was empty. */
  body: Body;
}

/** An answer read as text (`JsonTransport.requestText`): any status, the body undecoded. */
export interface TextResponse {
  status: number;
  /** Lower-cased names; a repeated header joined with `, `. */
  headers: Record<string, string>;
  text: string;
}
