import { isPlatformFailure, type PlatformFailureKind } from '@immutable-infra/core';
import {
  describeFailure,
  type ErrorAnswer,
  type ErrorAnswerReading,
  type FailureKindTable,
  failureClassifier,
  HTTP_STATUS_KINDS,
  type PlatformAnswer,
  type TaskState,
} from '@immutable-infra/provider-kit';
import type { HcsJob } from './hcs-types.js';

// Codes as each service answers them (notes/wire-api.md and wire-contract.md of tools/hcs-sim).
// APIGW.0310: the key is valid but may not use the project.
const CODES_OF_KIND: [PlatformFailureKind, string[]][] = [
  ['QuotaExceeded', ['Ecs.0001', 'Ecs.0021', 'Ecs.0022', 'EVS.1004', 'ELB.1004']],
  ['LoginRefused', ['APIGW.0301', 'APIGW.0307', 'APIGW.0310']],
  ['NotFound', ['Ecs.0114', 'EVS.1002', 'ELB.1002', 'VPC.1002']],
  ['Conflict', ['ELB.1003', 'Ecs.0010']],
];
const PROJECT_UNAVAILABLE = 'APIGW.0310';

const HCS_FAILURES = {
  codes: Object.fromEntries(CODES_OF_KIND.flatMap(([kind, codes]) => codes.map((code) => [code, kind]))),
  // Some services answer a used-up quota with 403 or a 5xx and only the words tell.
  refine: ({ status = 500, words = '' }: PlatformAnswer) =>
    /quota/i.test(words) && (status >= 500 || status === 403) ? ('QuotaExceeded' as const) : undefined,
  statuses: HTTP_STATUS_KINDS,
} satisfies FailureKindTable;
const hcsKindOf = failureClassifier(HCS_FAILURES);

/** The core kind of an HCS refusal (a failed job counts as a 500) from its code, status and words. */
export function hcsFailureKind(status: number, code: string | undefined, words: string): PlatformFailureKind {
  return hcsKindOf({ status, code, words });
}

/**
 * The code and words of an HCS error body, in its three shapes: `{error:{code,message}}` (ECS, EVS,
 * IMS), `{error_code,error_msg}` (API gateway, VPC, ELB) and keystone's `{error:{code:401,message}}`
 * (IAM); the kind from the code, the status and the words.
 */
export function readHcsErrorAnswer(answer: ErrorAnswer): ErrorAnswerReading {
  const body = (answer.body ?? {}) as {
    error?: { code?: unknown; message?: unknown };
    error_code?: unknown;
    error_msg?: unknown;
  };
  const nested = body.error?.code;
  const code =
    typeof nested === 'string' ? nested : typeof body.error_code === 'string' ? body.error_code : undefined;
  const words = body.error?.message ?? body.error_msg;
  const message =
    typeof words === 'string' && words ? words : answer.text.trim().slice(0, 300) || `HTTP ${answer.status}`;
  return {
    kind: hcsFailureKind(answer.status, code, message),
    message,
    ...(code ? { platformCode: code } : {}),
  };
}

// OBS refuses a key with codes of its own; the rest are HCS's.
const obsKindOf = failureClassifier({
  ...HCS_FAILURES,
  codes: {
    ...HCS_FAILURES.codes,
    InvalidAccessKeyId: 'LoginRefused',
    SignatureDoesNotMatch: 'LoginRefused',
    RequestTimeTooSkewed: 'LoginRefused',
    SlowDown: 'Throttled',
  },
});

/**
 * OBS answers errors as XML, `<Error><Code>NoSuchBucket</Code><Message>...</Message>...</Error>`
 * (a HEAD answer has no body: the status alone). An access key OBS refuses is a refused login; a
 * missing bucket is a NotFound the condition names.
 */
export function readObsErrorAnswer(answer: ErrorAnswer): ErrorAnswerReading {
  const code = /<Code>([^<]+)<\/Code>/.exec(answer.text)?.[1];
  const words = /<Message>([^<]*)<\/Message>/.exec(answer.text)?.[1];
  const kind = obsKindOf({ status: answer.status, code, words });
  return { kind, message: words || `HTTP ${answer.status}`, ...(code ? { platformCode: code } : {}) };
}

/** Where an asynchronous ECS or EVS job stands, for the kit's followTaskStep. */
export function interpretJob(job: HcsJob): TaskState {
  if (job.status === 'SUCCESS') return { state: 'succeeded' };
  if (job.status !== 'FAIL') return { state: 'running' };
  const message = job.fail_reason ?? 'no reason given';
  const platformCode = job.error_code ?? undefined;
  return { state: 'failed', message, platformCode, kind: hcsFailureKind(500, platformCode, message) };
}

/**
 * The condition reason users read for a failure: core's kind, in the words HCS conditions have
 * always used where they differ (`AuthenticationFailed` rather than core's `LoginFailed`).
 */
export function hcsFailureReason(error: unknown): string {
  if (!isPlatformFailure(error)) return 'HCSError';
  switch (error.kind) {
    case 'LoginRefused':
      return error.details.platformCode === PROJECT_UNAVAILABLE
        ? 'ProjectUnavailable'
        : 'AuthenticationFailed';
    case 'PlatformError':
      // A failed job has no status: the platform failed, not the request.
      return (error.details.httpStatus ?? 500) >= 500 ? 'PlatformUnavailable' : 'InvalidRequest';
    case 'TLSFailure':
      return 'Unreachable';
    default:
      return error.kind;
  }
}

/** One line for a condition message or an Event; failures never carry a credential. */
export const describeHcsFailure = (error: unknown): string => describeFailure(error, 'HCS');
