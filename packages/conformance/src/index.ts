export { installedPackage } from './installed-package.js';
export {
  type CheckStatus,
  type ConformanceCheck,
  type ConformanceReport,
  checkProviderPackage,
  conforms,
  markdownReport,
  type PackageCheckInput,
} from './package-checks.js';
