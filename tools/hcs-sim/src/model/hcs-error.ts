/**
 * Which body shape a refusal is sent in. Each Huawei service answers errors its own way
 * (notes/wire-api.md, "Error bodies"):
 * - `nested`: `{"error":{"code":"Ecs.0114","message":"..."}}` (ECS, EVS, IMS);
 * - `flat`: `{"error_code":"APIGW.0301","error_msg":"...","request_id":"..."}` (API gateway, ELB v3, VPC);
 * - `keystone`: `{"error":{"code":401,"message":"...","title":"Unauthorized"}}` (IAM).
 */
export type ErrorStyle = 'nested' | 'flat' | 'keystone';

/** A refusal as the platform sends it: HTTP status, a service error code and a message. */
export class HcsError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    readonly detail: string,
    /** Forces a body shape; by default the shape of the service that answers. */
    readonly style?: ErrorStyle,
    /** Seconds the caller should wait, sent as `Retry-After`. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${httpStatus} ${code}: ${detail}`);
    this.name = 'HcsError';
  }
}

/** Errors of the API gateway in front of every service (same shape whichever service is behind). */
export const Gateway = {
  noApi: (method: string, path: string) =>
    new HcsError(
      404,
      'APIGW.0101',
      `The API does not exist or has not been published in the environment: ${method} ${path}`,
      'flat',
    ),
  badAkSk: (reason: string) =>
    new HcsError(401, 'APIGW.0301', `Incorrect IAM authentication information: ${reason}`, 'flat'),
  tokenMustBeUpdated: () => new HcsError(401, 'APIGW.0307', 'The token must be updated.', 'flat'),
  projectForbidden: (project: string) =>
    new HcsError(403, 'APIGW.0310', `The project is unavailable: ${project}`, 'flat'),
  /** Huawei's gateway words the per-user limit "policy user over ratelimit". */
  throttled: (retryAfterSeconds: number) =>
    new HcsError(
      429,
      'APIGW.0308',
      'The throttling threshold has been reached: policy user over ratelimit',
      'flat',
      retryAfterSeconds,
    ),
  backendUnavailable: () => new HcsError(502, 'APIGW.0201', 'Backend unavailable.', 'flat'),
  tooLarge: (limit: number) =>
    new HcsError(413, 'APIGW.0201', `Request entity too large (more than ${limit} bytes).`, 'flat'),
  badJson: () => new HcsError(400, 'APIGW.0201', 'API request error: the body is not valid JSON.', 'flat'),
};
