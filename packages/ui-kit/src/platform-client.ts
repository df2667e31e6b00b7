import type { HostApi, PlatformClient } from '@immutable-infra/core';

/**
 * A typed client of an extension's platform operations, over the host's
 * `HostApi.platform` with one credential: each method sends its operation's
 * params and resolves to its result, as the declarations type them. `Operations` is the type of the provider's declarations (or
 * of its platform-proxy module's `operations`), imported as a type only, so
 * no server code or schema reaches the browser. Failures reject with the
 * host's `PlatformCallError` (`reason`, `message`), as `api.platform` does.
 */
export function platformClient<Operations>(
  api: Pick<HostApi, 'platform'>,
  credential: { namespace: string; name: string },
): PlatformClient<Operations> {
  return new Proxy(Object.freeze({}), {
    get(_target, operation) {
      // Not an operation: symbols, and `then`, which `await` probes on any object.
      if (typeof operation !== 'string' || operation === 'then') return undefined;
      return (params?: Readonly<Record<string, unknown>>) =>
        api.platform({
          credential: { namespace: credential.namespace, name: credential.name },
          operation,
          ...(params === undefined ? {} : { params: { ...params } }),
        });
    },
  }) as PlatformClient<Operations>;
}
