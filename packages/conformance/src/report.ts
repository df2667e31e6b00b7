/**
 * The conformance report's shape, once: the TypeScript types are inferred from these schemas, and
 * `npm run generate` writes the JSON Schema (`schemas/conformance-report.schema.json`, exported as
 * `@immutable-infra/conformance/report.schema.json`) from them, for scripts that read
 * `iinfra-conformance --json`.
 */
import { CAPI_CONTRACT_VERSIONS } from '@immutable-infra/core';
import { z } from 'zod';

/** The report format's version; it changes only when a reader would have to. */
export const CONFORMANCE_REPORT_SCHEMA_VERSION = 1;

/** A check's outcome. */
export const CheckStatusSchema = z
  .enum(['passed', 'failed', 'skipped'])
  .describe('passed; failed (the package breaks the promise); skipped (the check did not apply)');

/** One check: its name, its outcome and, unless it passed, why. */
export const ConformanceCheckSchema = z
  .object({
    name: z
      .string()
      .describe('Dotted and stable, e.g. `crds.generated`: what a report reader and a CI rule key on.'),
    status: CheckStatusSchema,
    why: z
      .string()
      .optional()
      .describe('For a failed or skipped check: what differed or why it did not apply.'),
  })
  .strict();

/** The report of `checkProviderPackage` and of `iinfra-conformance --json`. */
export const ConformanceReportSchema = z
  .object({
    schemaVersion: z.literal(CONFORMANCE_REPORT_SCHEMA_VERSION).describe("This report format's version."),
    package: z.string().describe("The provider's package name, from its manifest."),
    version: z.string().describe("The provider's version, from its manifest."),
    coreVersion: z.string().describe('The @immutable-infra/core version the checks assumed the host runs.'),
    contract: z
      .enum(CAPI_CONTRACT_VERSIONS)
      .describe("The management cluster's Cluster API contract the checks assumed."),
    checks: z.array(ConformanceCheckSchema).describe('Every check, in the order they ran.'),
  })
  .strict();

/** A check's outcome: `passed`, `failed` or `skipped`. */
export type CheckStatus = z.infer<typeof CheckStatusSchema>;
/** One check of a report. */
export type ConformanceCheck = z.infer<typeof ConformanceCheckSchema>;
/** Which package, against which core and contract, and every check's outcome. */
export type ConformanceReport = z.infer<typeof ConformanceReportSchema>;

/** The JSON Schema of a report (draft 2020-12), as `npm run generate` writes it. */
export function conformanceReportJsonSchema(): Record<string, unknown> {
  return {
    title: 'iinfra-conformance --json report',
    ...z.toJSONSchema(ConformanceReportSchema, { target: 'draft-2020-12' }),
  };
}
