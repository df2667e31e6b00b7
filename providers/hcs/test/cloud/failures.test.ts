import { PlatformFailure } from '@immutable-infra/core';
import { describe, expect, it } from 'vitest';
import {
  describeHcsFailure,
  hcsFailureKind,
  hcsFailureReason,
  interpretJob,
  readHcsErrorAnswer,
} from '../../src/cloud/index.js';

const answer = (status: number, body: unknown) => ({
  status,
  body,
  text: JSON.stringify(body),
  operation: 'GET /v1/{project_id}/vpcs',
});

describe('HCS failures in core terms', () => {
  it('reads the three error body shapes and classifies by code, status and words', () => {
    expect(readHcsErrorAnswer(answer(400, { error: { code: 'Ecs.0001', message: 'quota' } }))).toEqual({
      kind: 'QuotaExceeded',
      message: 'quota',
      platformCode: 'Ecs.0001',
    });
    expect(readHcsErrorAnswer(answer(401, { error_code: 'APIGW.0301', error_msg: 'bad signature' }))).toEqual(
      {
        kind: 'LoginRefused',
        message: 'bad signature',
        platformCode: 'APIGW.0301',
      },
    );
    expect(readHcsErrorAnswer(answer(401, { error: { code: 401, message: 'token expired' } }))).toEqual({
      kind: 'LoginRefused',
      message: 'token expired',
    });
    expect(hcsFailureKind(403, undefined, 'Quota exceeded for ports')).toBe('QuotaExceeded');
    expect(hcsFailureKind(403, undefined, 'forbidden')).toBe('LoginRefused');
    expect(hcsFailureKind(500, 'ELB.1003', 'busy')).toBe('Conflict');
    expect(hcsFailureKind(503, undefined, 'maintenance')).toBe('PlatformError');
    expect(hcsFailureKind(400, undefined, 'bad field')).toBe('PlatformError');
  });

  it('keeps the condition reasons users read', () => {
    const failure = (kind: PlatformFailure['kind'], details: PlatformFailure['details'] = {}) =>
      new PlatformFailure(kind, 'words', details);
    expect(hcsFailureReason(failure('LoginRefused', { platformCode: 'APIGW.0301' }))).toBe(
      'AuthenticationFailed',
    );
    expect(hcsFailureReason(failure('LoginRefused', { platformCode: 'APIGW.0310' }))).toBe(
      'ProjectUnavailable',
    );
    expect(hcsFailureReason(failure('PlatformError', { httpStatus: 503 }))).toBe('PlatformUnavailable');
    expect(hcsFailureReason(failure('PlatformError', { httpStatus: 400 }))).toBe('InvalidRequest');
    expect(hcsFailureReason(failure('PlatformError'))).toBe('PlatformUnavailable');
    expect(hcsFailureReason(failure('TLSFailure'))).toBe('Unreachable');
    expect(hcsFailureReason(failure('QuotaExceeded'))).toBe('QuotaExceeded');
    expect(hcsFailureReason(new Error('kube said no'))).toBe('HCSError');
  });

  it('words an answer as HCS answering the request', () => {
    const failure = new PlatformFailure(
      'QuotaExceeded',
      'POST /v1/{project_id}/cloudservers: HTTP 400 Ecs.0001: full',
      {
        httpStatus: 400,
        platformCode: 'Ecs.0001',
        operation: 'POST /v1/{project_id}/cloudservers',
      },
    );
    expect(describeHcsFailure(failure)).toBe(
      'HCS POST /v1/{project_id}/cloudservers answered 400 Ecs.0001: full',
    );
  });

  it('gives a failed job the kind of its code', () => {
    const job = { job_id: 'j', job_type: 'createServer', entities: {}, error_code: null, fail_reason: null };
    expect(interpretJob({ ...job, status: 'RUNNING' })).toEqual({ state: 'running' });
    expect(interpretJob({ ...job, status: 'SUCCESS' })).toEqual({ state: 'succeeded' });
    expect(interpretJob({ ...job, status: 'FAIL', error_code: 'Ecs.0001', fail_reason: 'quota' })).toEqual({
      state: 'failed',
      message: 'quota',
      platformCode: 'Ecs.0001',
      kind: 'QuotaExceeded',
    });
    expect(interpretJob({ ...job, status: 'FAIL', error_code: 'Ecs.0000' })).toMatchObject({
      message: 'no reason given',
      kind: 'PlatformError',
    });
  });
});
