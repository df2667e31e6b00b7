/** A 409 (a compare-and-swap lost, or a create that found the object) from the host's KubeClient (`status`) or from client-node (`code`). */
export function isKubeConflict(error: unknown): boolean {
  const { status, code, statusCode } = (error ?? {}) as {
    status?: unknown;
    code?: unknown;
    statusCode?: unknown;
  };
  return status === 409 || code === 409 || statusCode === 409;
}

/** A 404 from the host's KubeClient or from client-node: the object is already gone. */
export function isKubeNotFound(error: unknown): boolean {
  const { status, code, statusCode } = (error ?? {}) as {
    status?: unknown;
    code?: unknown;
    statusCode?: unknown;
  };
  return status === 404 || code === 404 || statusCode === 404;
}
