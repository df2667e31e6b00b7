import { providerBundles } from '@immutable-infra/provider-kit/generate';
import { defineConfig } from 'tsup';

export default defineConfig(
  providerBundles({
    entries: ['src/index.ts', 'src/api/index.ts', 'src/cloud/index.ts', 'src/storagectl.ts'],
    uiExtension: 'src/ui/extension.ts',
  }),
);
