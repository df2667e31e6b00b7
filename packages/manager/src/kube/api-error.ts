/** A non-2xx answer from the API server, with its Status reason and message. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: ${status} ${reason}: ${message}`);
    this.name = 'KubeApiError';
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }
  get isConflict(): boolean {
    return this.status === 409;
  }
  get isGone(): boolean {
    return this.status === 410;
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.isNotFound;
}

export function isConflict(error: unknown): boolean {
  return error instanceof KubeApiError && error.isConflict;
}
