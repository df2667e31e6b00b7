import { isPlatformFailure, type PlatformFailureKind } from '@immutable-infra/core';
import {
  describeFailure,
  type ErrorAnswer,
  type ErrorAnswerReading,
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
const KIND_OF_CODE = new Map<string, PlatformFailureKind>(
  CODES_OF_KIND.flatMap(([kind, codes]) => codes.map((code) => [code, kind] as const)),
);
const PROJECT_UNAVAILABLE = 'APIGW.0310';

/** The core kind of an HCS refusal (a failed job counts as a 500) from its code, status and words. */
export function hcsFailureKind(status: number, code: string | undefined, words: string): PlatformFailureKind {
  const byCode = code ? KIND_OF_CODE.get(code) : undefined;
  if (byCode) return byCode;
  if (status === 401) return 'LoginRefused';
  if (status === 404) return 'NotFound';
  if (status === 409) return 'Conflict';
  if (status === 429) return 'Throttled';
  if (/quota/i.test(words) && (status >= 500 || status === 403)) return 'QuotaExceeded';
  return status === 403 ? 'LoginRefused' : 'PlatformError';
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

/**
 * OBS answers errors as XML, `<Error><Code>NoSuchBucket</Code><Message>...</Message>...</Error>`
 * (a HEAD answer has no body: the status alone). An access key OBS refuses is a refused login; a
 * missing bucket is a NotFound the condition names.
 */
export function readObsErrorAnswer(answer: ErrorAnswer): ErrorAnswerReading {
  const code = /<Code>([^<]+)<\/Code>/.exec(answer.text)?.[1];
  const words = /<Message>([^<]*)<\/Message>/.exec(answer.text)?.[1];
  const refusedKey = ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'RequestTimeTooSkewed'];
  const kind: PlatformFailureKind =
    code && refusedKey.includes(code)
      ? 'LoginRefused'
      : code === 'SlowDown'
        ? 'Throttled'
        : hcsFailureKind(answer.status, code, words ?? '');
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
