// The adapter module `iinfra-conformance --platform` loads in the command's test: the fixture cloud
// the test serves (handed over on globalThis, as both run in one process), with its URL for the host
// processes of machine.kills.
import type { KubeConfig } from '@kubernetes/client-node';
import type { PlatformAdapterModule } from '../src/index.js';
import { cloudAdapter, type FixtureCloud } from './platform-fixture.js';

export interface CliCloud {
  cloud: FixtureCloud;
  url: string;
  closed: boolean;
}

export const CLI_CLOUD = Symbol.for('iinfra-conformance-test/cli-cloud');

export default function cliAdapter({ kubeConfig }: { kubeConfig: KubeConfig }): PlatformAdapterModule {
  const shared = (globalThis as { [CLI_CLOUD]?: CliCloud })[CLI_CLOUD];
  if (!shared) throw new Error('the test shares no fixture cloud');
  return {
    ...cloudAdapter(kubeConfig, shared.cloud),
    hostEnv: { FIXTURE_CLOUD_URL: shared.url },
    close: async () => {
      shared.closed = true;
    },
  };
}
