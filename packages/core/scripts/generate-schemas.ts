// Writes the JSON schemas of core's documents (the compatibility matrix and
// the `iinfra compat check --json` report) from their zod schemas, the single
// source of truth. Runs on the built package, after `tsup`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CompatCheckReportSchema, CompatMatrixSchema } from '../dist/index.js';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');
mkdirSync(outDir, { recursive: true });
const documents = {
  'compat-matrix.schema.json': {
    schema: CompatMatrixSchema,
    title: 'Immutable Infrastructure compatibility matrix',
  },
  'compat-check-report.schema.json': {
    schema: CompatCheckReportSchema,
    title: 'iinfra compat check --json report',
  },
};
for (const [file, { schema, title }] of Object.entries(documents)) {
  const json = { title, ...z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any' }) };
  writeFileSync(join(outDir, file), `${JSON.stringify(json, null, 2)}\n`);
}
