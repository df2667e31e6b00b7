import type { ProviderManifest } from '@immutable-infra/core';
import { credentialFinalizerName } from '../cluster/cluster-deletion.js';
import { type ProviderPackageJson, providerManifest } from './provider-manifest.js';

/** What a provider's `create…Provider` derives from its package.json and its own setting. */
export interface ProviderSettings {
  manifest: ProviderManifest;
  /** The finalizer its clusters keep on their credential Secret (see `credentialFinalizerName`). */
  credentialFinalizer: string;
  /** The alive version a self-built VIP's ModuleInfo asks for instead of the platform's choice, if any. */
  aliveVersion: string | undefined;
}

/** Where a provider's alive version override comes from: its option, else its environment variable. */
export interface AliveVersionSetting {
  option?: string | undefined;
  /** e.g. `DCS_PLUGIN_ALIVE_VERSION`; an empty variable is no override. */
  environmentVariable?: string | undefined;
}

/**
 * The manifest, the credential finalizer and the alive version override of a provider. The
 * manager's flags are the same for every provider, so a provider's own setting (the documented
 * `--plugin-alive-version`) comes from its option, else from its environment variable (e.g.
 * `DCS_PLUGIN_ALIVE_VERSION`); an empty variable is no override.
 */
export function providerSettings(
  packageJson: ProviderPackageJson,
  alive: AliveVersionSetting = {},
): ProviderSettings {
  const manifest = providerManifest(packageJson);
  const fromEnvironment = alive.environmentVariable ? process.env[alive.environmentVariable] : undefined;
  return {
    manifest,
    credentialFinalizer: credentialFinalizerName(manifest.platform),
    aliveVersion: alive.option ?? (fromEnvironment || undefined),
  };
}
