import type { DeclaredPlatformOperation, PlatformOperationRequest } from '@immutable-infra/core';
import type { z } from 'zod';

/**
 * A platform operation's failure as the host passes it on to the browser
 * (`PlatformCallError`): `reason` says what kind (InvalidParams, Unreachable,
 * TLSFailure, LoginFailed...), the message what happened, never a secret.
 */
export class PlatformOperationError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'PlatformOperationError';
  }
}

/**
 * An operation with its declaration's params and result attached, as the host
 * discovers them (`DeclaredPlatformOperation`). It checks its params itself
 * too (refusing with reason `InvalidParams` and the schema's words), so a host
 * that predates declared operations refuses a bad call the same way; `run`
 * gets them parsed. Core describes this shape in types only, so a provider
 * built on it needs no core newer than its peer range allows.
 */
export function declaredOperation<
  Params extends z.ZodType<Readonly<Record<string, unknown>>>,
  Result extends z.ZodType,
>(
  declaration: { params: Params; result: Result },
  run: (params: z.output<Params>, request: PlatformOperationRequest) => Promise<z.input<Result>>,
) {
  const operation = async (request: PlatformOperationRequest): Promise<z.input<Result>> => {
    const parsed = declaration.params.safeParse(request.params);
    if (!parsed.success)
      throw new PlatformOperationError(
        'InvalidParams',
        [...new Set(parsed.error.issues.map((issue) => issue.message))].join('; '),
      );
    return run(parsed.data, request);
  };
  return Object.assign(operation, declaration) satisfies DeclaredPlatformOperation<Params, Result>;
}

/**
 * Whether `text` carries one of a credential Secret's values (four characters
 * or more). The host refuses a result that does (user, endpoint and site
 * included, not only the password), so verdicts and facts are worded without them.
 */
export function mentionsCredential(text: string, credential: Readonly<Record<string, string>>): boolean {
  return Object.values(credential).some((value) => value.length >= 4 && text.includes(value));
}
