/**
 * Where every check the suite runs can be written as it finishes, one JSON line each: a run that
 * wants the outcome outside the test runner (the compatibility matrix's run of a provider's contract
 * tests) names a file in `IINFRA_CONFORMANCE_RECORD`, and reads it when the run is over. Unset, nothing
 * is written.
 */
import { appendFileSync } from 'node:fs';
import type { ConformanceCheck } from './report.js';

/** The environment variable naming the record file. */
export const CONFORMANCE_RECORD_VARIABLE = 'IINFRA_CONFORMANCE_RECORD';

/** Appends the checks to the record file, if one is named. */
export function recordChecks(checks: readonly ConformanceCheck[]): void {
  const file = process.env[CONFORMANCE_RECORD_VARIABLE];
  if (!file || checks.length === 0) return;
  appendFileSync(file, checks.map((check) => `${JSON.stringify(check)}\n`).join(''));
}
