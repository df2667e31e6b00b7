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
 * `PlatformCallError.reason`. An operation may also carry `params` and
 * `result` schemas (`DeclaredPlatformOperation`): the host discovers them as
 * properties of the function and validates with them; a host that predates
 * them ignores them.
 */
export interface PlatformProxyModule {
  operations: Readonly<Record<string, PlatformOperation>>;
}

/** Well-known operation names the host itself calls. */
export const PLATFORM_OPERATIONS = {
  /** Resolves to a `ConnectionTestResult`; the credential form's "Test connection". */
  testConnection: 'testConnection',
} as const;

/**
 * A validator in the Standard Schema shape (https://standardschema.dev),
 * which zod 4, valibot and arktype schemas implement: the host validates with
 * the provider's own schema object, whatever library and version made it.
 * Copied, as the specification intends, so core needs no dependency for it.
 */
export interface StandardSchema<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

export type StandardSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | {
      readonly issues: readonly {
        readonly message: string;
        readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;
      }[];
    };

type SchemaInput<S> = S extends StandardSchema ? NonNullable<S['~standard']['types']>['input'] : never;
type SchemaOutput<S> = S extends StandardSchema ? NonNullable<S['~standard']['types']>['output'] : never;

/**
 * An operation that declares its parameters and result. Still a
 * `PlatformOperation` (a function), so a host that knows nothing of the
 * schemas runs it as before; a host that does validates `params` before the
 * call (refusing with reason `InvalidParams`, naming the field, without
 * calling) and the result after it (`InvalidResult`).
 */
export interface DeclaredPlatformOperation<
  Params extends StandardSchema = StandardSchema,
  Result extends StandardSchema = StandardSchema,
> extends PlatformOperation {
  readonly params: Params;
  readonly result: Result;
}

/** What the browser sends for `operation`: its params schema's input, or any object when it declares none. */
export type PlatformOperationParams<Operation> = Operation extends { params: infer S extends StandardSchema }
  ? SchemaInput<S>
  : Readonly<Record<string, unknown>>;

/** What the browser receives from `operation`: its result schema's output, else what the function resolves to. */
export type PlatformOperationResult<Operation> = Operation extends { result: infer S extends StandardSchema }
  ? SchemaOutput<S>
  : Operation extends (...args: never[]) => Promise<infer R>
    ? R
    : unknown;

/**
 * A typed browser client of a platform-proxy module's operations (`Operations`
 * is `typeof operations`, imported as a type only): one method per operation,
 * taking its params (optional when every param is) and resolving to its result.
 */
export type PlatformClient<Operations> = {
  readonly [Name in keyof Operations & string]: (
    ...params: Record<string, never> extends PlatformOperationParams<Operations[Name]>
      ? [params?: PlatformOperationParams<Operations[Name]>]
      : [params: PlatformOperationParams<Operations[Name]>]
  ) => Promise<PlatformOperationResult<Operations[Name]>>;
};

/** Whether `value` carries a Standard Schema validator (an operation's `params` or `result`). */
export function isStandardSchema(value: unknown): value is StandardSchema {
  const props = (value as { '~standard'?: { validate?: unknown } } | null | undefined)?.['~standard'];
  return typeof props?.validate === 'function';
}

/** One problem a schema found: the field as a dotted path (`vmUrns.0`; empty for the value itself) and what is wrong. */
export interface SchemaIssue {
  field: string;
  message: string;
}

/**
 * Validates `value` with a Standard Schema. A failure names the first
 * problem's field, lists every problem in `message` (`field: problem; ...`)
 * and gives them one by one in `issues`.
 */
export async function validateWithSchema<Output>(
  schema: StandardSchema<unknown, Output>,
  value: unknown,
): Promise<
  { ok: true; value: Output } | { ok: false; field: string; message: string; issues: SchemaIssue[] }
> {
  const result = await schema['~standard'].validate(value);
  if (!result.issues) return { ok: true, value: result.value };
  const issues = result.issues.map((issue) => ({
    field: (issue.path ?? [])
      .map((segment) => String(typeof segment === 'object' && segment !== null ? segment.key : segment))
      .join('.'),
    message: issue.message,
  }));
  return {
    ok: false,
    field: issues[0]?.field ?? '',
    message: issues
      .map((issue) => (issue.field ? `${issue.field}: ${issue.message}` : issue.message))
      .join('; '),
    issues,
  };
}
