// Writes the JSON Schema of the conformance report (what `iinfra-conformance --json` prints) from its
// zod schema, the single source of truth. Runs with Node's type stripping, after api-extractor.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conformanceReportJsonSchema } from '../src/report.ts';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, 'conformance-report.schema.json'),
  `${JSON.stringify(conformanceReportJsonSchema(), null, 2)}\n`,
);
