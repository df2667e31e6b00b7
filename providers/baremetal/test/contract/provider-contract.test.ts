// The bare-metal provider's package contract: only the published surface of the package (imported
// by its name) next to whichever @immutable-infra/core is installed, so the compatibility run can
// run it in a scratch project against every core in the provider's range.
import { installedPackage } from '@immutable-infra/conformance';
import { packageConformanceTest } from '@immutable-infra/conformance/vitest';
import baremetalProvider from '@immutable-infra/provider-baremetal';
import { describe } from 'vitest';

const installedCore = installedPackage('@immutable-infra/core', import.meta.url);

describe(`provider-baremetal contract with core ${installedCore.version}`, () => {
  packageConformanceTest({
    packageName: '@immutable-infra/provider-baremetal',
    provider: baremetalProvider,
    importMetaUrl: import.meta.url,
  });
});
