export { CONFORMANCE_RECORD_VARIABLE, recordChecks } from './check-record.js';
export type { PlatformAdapterModule } from './command.js';
export { installedPackage } from './installed-package.js';
export {
  type ConformanceReportInput,
  checkProviderPackage,
  conformanceReport,
  conforms,
  markdownReport,
  PACKAGE_CHECKS,
  type PackageCheckInput,
} from './package-checks.js';
export {
  type HostProcessInput,
  KILLS_SKIPPED_WHY,
  PLATFORM_CHECKS,
  type PlatformAdapter,
  type PlatformCheckInput,
  type PlatformThing,
  runPlatformChecks,
} from './platform-checks.js';
export {
  type CheckStatus,
  CheckStatusSchema,
  CONFORMANCE_REPORT_SCHEMA_VERSION,
  type ConformanceCheck,
  ConformanceCheckSchema,
  type ConformanceReport,
  ConformanceReportSchema,
} from './report.js';
