import { providerBundles } from '@immutable-infra/provider-kit/generate';
import { defineConfig } from 'tsup';

export default defineConfig(
  providerBundles({
    // The platform proxy is a Node entry: Fleet Essentials imports it server side.
    entries: ['src/index.ts', 'src/api/index.ts', 'src/cloud/index.ts', 'src/ui/platform-proxy.ts'],
    uiExtension: 'src/ui/extension.ts',
  }),
);
