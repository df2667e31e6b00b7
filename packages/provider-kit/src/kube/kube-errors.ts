/**
 * Where an error may carry its HTTP status: `status` (the host's KubeClient), `code` (client-node's
 * ApiException), `statusCode` (older clients). Each is read on its own: a Status object's `status`
 * is the word `Failure`, its `code` the number.
 */
function httpStatusesOf(error: unknown): unknown[] {
  const { status, code, statusCode } = (error ?? {}) as {
    status?: unknown;
    code?: unknown;
    statusCode?: unknown;
  };
  return [status, code, statusCode];
}

/** A 409: a compare-and-swap lost, or a create that found the object. */
export function isKubeConflict(error: unknown): boolean {
  return httpStatusesOf(error).includes(409);
}

/** A 404: the object is already gone. */
export function isKubeNotFound(error: unknown): boolean {
  return httpStatusesOf(error).includes(404);
}
