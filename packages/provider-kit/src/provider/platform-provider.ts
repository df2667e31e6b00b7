import {
  defineProvider,
  type KindDefinition,
  type Provider,
  type ProviderDefinition,
} from '@immutable-infra/core';
import type { ProviderPackageJson } from './provider-manifest.js';
import { type AliveVersionSetting, type ProviderSettings, providerSettings } from './provider-settings.js';

/**
 * A provider package's default export: the manifest from its package.json, the rest built by
 * `parts` with the settings derived from it (the credential finalizer, the alive version override),
 * so a provider's `create…Provider` states only its own parts.
 */
export function definePlatformProvider<
  C extends KindDefinition,
  M extends KindDefinition,
  T extends KindDefinition,
>(
  packageJson: ProviderPackageJson,
  alive: AliveVersionSetting,
  parts: (settings: ProviderSettings) => Omit<ProviderDefinition<C, M, T>, 'manifest'>,
): Provider<C, M, T> {
  const settings = providerSettings(packageJson, alive);
  return defineProvider({ manifest: settings.manifest, ...parts(settings) });
}
