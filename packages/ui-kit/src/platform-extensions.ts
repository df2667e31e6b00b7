/**
 * The UI extension declaration every platform provider makes: the same
 * anchors, ids named `<provider>.<what>`, one title. A provider names what is
 * its own (its pools' ids and exports, the capacity title, extra anchors);
 * the bundle type still holds each export to its anchor, as
 * `defineExtensions` does. Build time only: the generate script reads it.
 */
import type {
  AnchorId,
  ExtensionEntry,
  ExtensionsDefinition,
  StrictAnchorExport,
} from '@immutable-infra/core';

/** The names of `Bundle`'s exports that serve anchor `A`. */
export type ExportFor<Bundle, A extends AnchorId> = {
  [K in keyof Bundle & string]: Bundle[K] extends StrictAnchorExport<A> ? K : never;
}[keyof Bundle & string];

/** The exports of the anchors every platform provider serves under these names. */
export interface PlatformBundle {
  machineTemplateList: StrictAnchorExport<'machine-template.list'>;
  machineTemplateForm: StrictAnchorExport<'machine-template.form'>;
  createClusterWorkflow: StrictAnchorExport<'cluster.create'>;
  nodePoolUpgrade: StrictAnchorExport<'node-pool.action'>;
  nodePoolCapacity: StrictAnchorExport<'node-pool.capacity'>;
}

/** The credential list and form of a provider whose platform takes credentials. */
export interface CredentialBundle {
  credentialList: StrictAnchorExport<'credential.list'>;
  credentialForm: StrictAnchorExport<'credential.form'>;
}

export interface PlatformExtensionsSpec<Bundle> {
  /** Provider short name (`hcs`): the manifest's provider and the prefix of every id. */
  provider: string;
  /** The title of every entry but the upgrade action and the capacity. */
  title: string;
  /**
   * Range of the host anchor API the extension was built for: `^1.1.0` by default, the first
   * with every anchor declared here (`node-pool.capacity` came in 1.1.0).
   */
  anchorApi?: string;
  /**
   * Whether the platform takes credentials (true by default): then the credential list and form
   * are declared, and the platform proxy (`dist/ui/platform-proxy.js`) that calls the platform with them.
   */
  credentials?: boolean;
  /** The provider's pools on the host's pools page: the ids after `<provider>.` and the exports. */
  pools: {
    listId: string;
    formId: string;
    list: ExportFor<Bundle, 'ip-pool.list'>;
    form: ExportFor<Bundle, 'ip-pool.form'>;
  };
  /** The node pool capacity's title, e.g. `HCS config pool capacity`. */
  capacityTitle: string;
  /** The provider's entries for anchors of its own, declared after the create-cluster workflow. */
  more?: readonly ExtensionEntry<Bundle>[];
}

/**
 * The extensions definition of a platform provider whose bundle
 * (`dist/ui/extension.js`) exports the standard anchors' modules.
 */
export function platformExtensions<Bundle extends PlatformBundle & Partial<CredentialBundle>>(
  spec: PlatformExtensionsSpec<Bundle>,
): ExtensionsDefinition<Bundle> {
  const { provider, title } = spec;
  const withCredentials = spec.credentials ?? true;
  const entry = (anchor: AnchorId, id: string, exportName: string, entryTitle = title) =>
    // The export names are held to their anchors by `Bundle`'s constraint and `ExportFor`.
    ({ anchor, id: `${provider}.${id}`, title: entryTitle, export: exportName }) as ExtensionEntry<Bundle>;
  const credentials = withCredentials
    ? [
        entry('credential.list', 'credentials', 'credentialList'),
        entry('credential.form', 'credential-form', 'credentialForm'),
      ]
    : [];
  return {
    provider,
    anchorApi: spec.anchorApi ?? '^1.1.0',
    bundle: 'dist/ui/extension.js',
    ...(withCredentials ? { platformProxy: 'dist/ui/platform-proxy.js' } : {}),
    extensions: [
      ...credentials,
      entry('ip-pool.list', spec.pools.listId, spec.pools.list),
      entry('ip-pool.form', spec.pools.formId, spec.pools.form),
      entry('machine-template.list', 'machine-templates', 'machineTemplateList'),
      entry('machine-template.form', 'machine-template-form', 'machineTemplateForm'),
      entry('cluster.create', 'create-cluster', 'createClusterWorkflow'),
      ...(spec.more ?? []),
      entry('node-pool.action', 'node-pool-upgrade', 'nodePoolUpgrade', 'Upgrade'),
      entry('node-pool.capacity', 'node-pool-capacity', 'nodePoolCapacity', spec.capacityTitle),
    ],
  };
}
