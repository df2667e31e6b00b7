import type { AnchorDataExports, AnchorId, AnchorProps, HTMLElementLike } from './anchors.js';
import { type ExtensionManifest, parseExtensionManifest } from './extension-manifest.js';

/**
 * What a bundle export must be to serve `A`, checked strictly: `mount` is a
 * function property here (not a method, as in `MountableExtension`), so its
 * props are compared contravariantly and a module written for a narrower
 * anchor (a node pool action's props on a cluster tab) does not pass.
 */
export type StrictAnchorExport<A extends AnchorId> = A extends keyof AnchorDataExports
  ? AnchorDataExports[A]
  : A extends keyof AnchorProps
    ? { mount: (element: HTMLElementLike, props: AnchorProps[A]) => () => void }
    : never;

/**
 * One manifest entry whose `export` names a member of `Bundle` (the type of
 * the extension's bundle module) that serves its `anchor`: every valid
 * anchor/export pair is a member of this union, so a wrong pair fails to
 * type-check.
 */
export type ExtensionEntry<Bundle> = {
  [A in AnchorId]: {
    [K in keyof Bundle & string]: Bundle[K] extends StrictAnchorExport<A>
      ? { anchor: A; id: string; title: string; export: K; order?: number }
      : never;
  }[keyof Bundle & string];
}[AnchorId];

/** A provider's UI extensions, declared once against its bundle's type. */
export interface ExtensionsDefinition<Bundle = unknown> {
  /** Provider short name (`dcs`). */
  provider: string;
  /** Range of the host anchor API the extension was built for, e.g. `^1.0.0`. */
  anchorApi: string;
  /** Path of the browser ES module bundle inside the package. */
  bundle: string;
  /** Path of the server-side platform-proxy module inside the package, if any. */
  platformProxy?: string;
  extensions: readonly ExtensionEntry<Bundle>[];
}

/**
 * Declares a provider's UI extensions against the type of its bundle module
 * (`defineExtensions<typeof import('./extension.js')>({...})`), so each
 * entry's export is checked against its anchor's type. Returns the
 * definition unchanged; `extensionManifest` turns it into `ui-extension.json`.
 */
export function defineExtensions<Bundle>(
  definition: ExtensionsDefinition<Bundle>,
): ExtensionsDefinition<Bundle> {
  return definition;
}

/**
 * The `ui-extension.json` document of a definition, for the package named:
 * the fields in the manifest's order, checked by the host's own schema, so a
 * generator never writes a manifest the host would refuse.
 */
export function extensionManifest(
  definition: Omit<ExtensionsDefinition, 'extensions'> & {
    extensions: readonly { anchor: AnchorId; id: string; title: string; export: string; order?: number }[];
  },
  pkg: { name: string; version: string },
): ExtensionManifest {
  const document = {
    name: pkg.name,
    version: pkg.version,
    provider: definition.provider,
    anchorApi: definition.anchorApi,
    bundle: definition.bundle,
    ...(definition.platformProxy ? { platformProxy: definition.platformProxy } : {}),
    extensions: definition.extensions.map((entry) => ({
      anchor: entry.anchor,
      id: entry.id,
      title: entry.title,
      export: entry.export,
      ...(entry.order !== undefined ? { order: entry.order } : {}),
    })),
  };
  const parsed = parseExtensionManifest(document);
  if (!parsed.ok)
    throw new Error(
      `the UI extension definition of ${pkg.name} is not a valid manifest: ${parsed.problems
        .map((problem) => `${problem.path}: ${problem.message}`)
        .join('; ')}`,
    );
  if (parsed.notes.length > 0)
    throw new Error(
      `the UI extension definition of ${pkg.name} names anchors this core does not know: ${parsed.notes.join('; ')}`,
    );
  const ids = parsed.manifest.extensions.map((entry) => entry.id);
  const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (repeated.length > 0)
    throw new Error(`the UI extension definition of ${pkg.name} repeats the id ${repeated.join(', ')}`);
  return parsed.manifest;
}
