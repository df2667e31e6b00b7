#!/usr/bin/env node
// Prints one closing line for the whole suite, summed over every package's
// vitest JSON report, so a reader (or CI) sees the totals without scrolling.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
for (const group of ['packages', 'providers', 'tools']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    // The unit/integration report and, where a package has one, its end-to-end report.
    for (const file of ['.vitest-results.json', '.vitest-e2e-results.json']) {
      const report = join(dir, name, file);
      if (!existsSync(report)) continue;
      const results = JSON.parse(readFileSync(report, 'utf8'));
      passed += results.numPassedTests ?? 0;
      failed += results.numFailedTests ?? 0;
      skipped += (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
    }
  }
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
