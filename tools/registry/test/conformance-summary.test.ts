import { parseCompatMatrix } from '@immutable-infra/core';
import { describe, expect, it } from 'vitest';
import { readMatrix } from '../src/compat-matrix-file.ts';
import { summarizeConformance } from '../src/contract-run.ts';

const line = (name: string, status: string, why?: string) => JSON.stringify({ name, status, why });

describe('the conformance record of a contract run, as the matrix keeps it', () => {
  it('counts each check by its last outcome and names the failed ones', () => {
    const record = [
      line('manifest.matches-package', 'passed'),
      line('machine.kills', 'failed', 'found 4'),
      line('machine.pause-honoured', 'skipped', 'no pause'),
      // The same check again, from a retried test: its last outcome counts.
      line('machine.kills', 'passed'),
      line('machine.status-fields', 'failed', 'no addresses'),
      '',
    ].join('\n');
    expect(summarizeConformance(record)).toEqual({
      result: 'failed',
      passed: 2,
      failed: 1,
      skipped: 1,
      failedChecks: ['machine.status-fields'],
    });
  });

  it('is passed without failedChecks when nothing failed, and absent when nothing ran', () => {
    expect(summarizeConformance(`${line('crds.generated', 'passed')}\n`)).toEqual({
      result: 'passed',
      passed: 1,
      failed: 0,
      skipped: 0,
    });
    expect(summarizeConformance('\n')).toBeUndefined();
  });

  it('fits the matrix schema of core next to the contract tests', () => {
    const matrix = readMatrix();
    const record = matrix.providers.at(-1);
    const verification = record?.verifications.at(-1);
    if (!record || !verification) throw new Error('compat-matrix.json has no verification');
    const conformance = summarizeConformance(line('machine.kills', 'failed', 'duplicates'));
    if (conformance) verification.conformance = conformance;
    const parsed = parseCompatMatrix(matrix);
    expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
  });
});
