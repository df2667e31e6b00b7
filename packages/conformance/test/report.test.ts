import { readFileSync, rmSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { ConformanceReportSchema, checkProviderPackage } from '../src/index.js';
import { conformanceReportJsonSchema } from '../src/report.js';
import { fixturePackage, fixtureProvider } from './fixture-provider.js';

const schemaFile = new URL('../schemas/conformance-report.schema.json', import.meta.url);
const published = JSON.parse(readFileSync(schemaFile, 'utf8'));
const validate = new Ajv2020({ strict: true }).compile(published);

const provider = fixtureProvider({ coreRange: '>=0.4.0 <0.5.0' });
const dir = fixturePackage(provider);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const report = checkProviderPackage({ packageDir: dir, provider, coreVersion: '0.5.0' });

describe('the conformance report', () => {
  it('is what its zod schema describes, version 1, with passed and failed checks alike', () => {
    expect(report.schemaVersion).toBe(1);
    expect(report.checks.some((c) => c.status === 'failed')).toBe(true);
    expect(ConformanceReportSchema.parse(report)).toEqual(report);
  });

  it('is accepted by the published JSON Schema, which refuses what the zod schema refuses', () => {
    const asJson = JSON.parse(JSON.stringify(report));
    expect(validate(asJson), JSON.stringify(validate.errors)).toBe(true);
    const wrong = [
      { ...asJson, schemaVersion: 2 },
      { ...asJson, contract: 'v1alpha4' },
      { ...asJson, checks: [{ name: 'x', status: 'unknown' }] },
      { ...asJson, extra: true },
      (({ coreVersion: _, ...rest }) => rest)(asJson),
    ];
    for (const document of wrong) {
      expect(validate(document), JSON.stringify(document)).toBe(false);
      expect(ConformanceReportSchema.safeParse(document).success).toBe(false);
    }
  });

  it('has its JSON Schema file as the zod schema generates it (npm run generate writes it)', () => {
    expect(published).toEqual(conformanceReportJsonSchema());
  });
});
