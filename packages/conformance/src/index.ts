export { installedPackage } from './installed-package.js';
export {
  checkProviderPackage,
  conforms,
  markdownReport,
  type PackageCheckInput,
} from './package-checks.js';
export {
  type CheckStatus,
  CheckStatusSchema,
  CONFORMANCE_REPORT_SCHEMA_VERSION,
  type ConformanceCheck,
  ConformanceCheckSchema,
  type ConformanceReport,
  ConformanceReportSchema,
} from './report.js';
