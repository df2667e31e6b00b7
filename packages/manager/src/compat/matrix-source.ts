import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type CompatMatrix, parseCompatMatrix } from '@immutable-infra/core';

/**
 * The compatibility matrix: a file the user names (a newer one than this
 * manager shipped with, say), else the copy packaged with this manager at
 * build time. Both work offline.
 */
export function loadCompatMatrix(path?: string): { matrix: CompatMatrix; source: string } {
  const source =
    path ?? createRequire(import.meta.url).resolve('@immutable-infra/manager/compat-matrix.json');
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(source, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the compatibility matrix ${source}: ${(error as Error).message}`);
  }
  const parsed = parseCompatMatrix(document);
  if (!parsed.ok) {
    const problems = parsed.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n');
    throw new Error(`the compatibility matrix ${source} is invalid:\n${problems}`);
  }
  return { matrix: parsed.matrix, source };
}
