import type { PlatformFailureKind } from '@immutable-infra/core';

/** What a platform answered, as a classifier reads it. */
export interface PlatformAnswer {
  /** The HTTP status; a platform task's failure has none (a classifier may pass 500). */
  status?: number | undefined;
  /** The platform's own error code (a DCS errorCode, an HCS `Ecs.0001`, a vim25 fault type). */
  code?: string | undefined;
  /** The platform's words, for the few answers only they tell apart. */
  words?: string | undefined;
}

/**
 * How one platform's answers map to core's failure kinds, as data: the provider keeps only its own
 * table (its codes, the statuses it answers with), the order of the checks is the kit's.
 */
export interface FailureKindTable {
  /** The platform's codes and the kind each one is; a listed code decides whatever the status. */
  codes?: Readonly<Record<string, PlatformFailureKind>> | undefined;
  /**
   * What a platform rule says when no code decided (words that mean a quota, say); undefined leaves
   * the answer to `statuses`.
   */
  refine?: ((answer: PlatformAnswer) => PlatformFailureKind | undefined) | undefined;
  /** HTTP statuses and the kind each one is, for an answer neither a code nor `refine` decided. */
  statuses?: Readonly<Record<number, PlatformFailureKind>> | undefined;
  /** The kind of every other answer; PlatformError by default (the platform answered, and said no). */
  otherwise?: PlatformFailureKind | undefined;
}

/** The statuses most platforms use in their HTTP meaning, for a table's `statuses`. */
export const HTTP_STATUS_KINDS: Readonly<Record<number, PlatformFailureKind>> = {
  401: 'LoginRefused',
  403: 'LoginRefused',
  404: 'NotFound',
  409: 'Conflict',
  429: 'Throttled',
};

/** A platform's classifier from its table: the code first, then `refine`, then the status. */
export function failureClassifier(table: FailureKindTable): (answer: PlatformAnswer) => PlatformFailureKind {
  const codes = new Map(Object.entries(table.codes ?? {}));
  return (answer) => {
    const byCode = answer.code === undefined ? undefined : codes.get(answer.code);
    if (byCode) return byCode;
    const refined = table.refine?.(answer);
    if (refined) return refined;
    const byStatus = answer.status === undefined ? undefined : table.statuses?.[answer.status];
    return byStatus ?? table.otherwise ?? 'PlatformError';
  };
}
