import semver from 'semver';
import { z } from 'zod';
import { ANCHOR_API_VERSION, ANCHOR_IDS, type AnchorId } from './anchors.js';

const packagePath = z
  .string()
  .regex(/^(?!\/)(?!.*\.\.).+\.m?js$/, 'a relative path to a .js file inside the package');

const entryFields = {
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  title: z.string().min(1),
  /** Named export of the bundle with `mount(element, props)`; loaded only when the anchor renders. */
  export: z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/),
  order: z.number().int().optional(),
};

function manifestSchema<Anchor extends z.ZodType<string>>(anchor: Anchor) {
  return z
    .object({
      name: z.string().min(1).describe('npm package the extension ships in'),
      version: z.string().refine((v) => semver.valid(v) !== null, 'a semantic version'),
      /** Provider short name (`dcs`): anchors with a provider scope show the extension for its clusters only. */
      provider: z.string().min(1),
      anchorApi: z
        .string()
        .refine((v) => semver.validRange(v) !== null, 'a semver range such as "^1.0.0"')
        .describe('Range of the host anchor API the extension was built for'),
      /** Path of the ES module bundle inside the package, relative to its root. */
      bundle: packagePath.describe('ES module bundle loaded by the browser'),
      /** Server-side module exporting `operations` (a `PlatformProxyModule`), run by the host's platform proxy. */
      platformProxy: packagePath.optional().describe('Node ES module with the platform operations'),
      extensions: z.array(z.object({ anchor, ...entryFields }).strict()).min(1),
    })
    .strict();
}

/**
 * A provider's UI extension manifest (`ui-extension.json` in its package, named
 * by package.json `immutableInfra.uiExtension`): declarative, so the host can
 * list, gate and explain extensions before it loads any code. This is the
 * manifest as the host keeps it: every entry names an anchor the host knows.
 */
export const ExtensionManifestSchema = manifestSchema(z.enum(ANCHOR_IDS));

/**
 * A manifest as a package may ship it: an entry's anchor only has to look like
 * an anchor id, because a later anchor API adds anchors (see
 * `ANCHOR_API_VERSION`). Everything else is checked as strictly as
 * `ExtensionManifestSchema` does.
 */
export const ExtensionManifestDocumentSchema = manifestSchema(
  z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/, 'an anchor id such as "node.columns"'),
);

export type ExtensionManifest = z.infer<typeof ExtensionManifestSchema>;

export interface ExtensionGate {
  load: boolean;
  /** Why not, naming both versions; the UI shows these words. */
  reason?: string;
}

/** Whether the host may load an extension: its anchor API range must include the host's anchor API. */
export function gateExtension(
  manifest: Pick<ExtensionManifest, 'name' | 'version' | 'anchorApi'>,
  hostAnchorApi = ANCHOR_API_VERSION,
): ExtensionGate {
  if (semver.satisfies(hostAnchorApi, manifest.anchorApi)) return { load: true };
  return {
    load: false,
    reason: `${manifest.name}@${manifest.version} was built for anchor API ${manifest.anchorApi}, but this Fleet Essentials provides anchor API ${hostAnchorApi}`,
  };
}

/** A manifest as parsed, with what the host left out of it. */
export type ParsedExtensionManifest =
  | {
      ok: true;
      manifest: ExtensionManifest;
      /**
       * Entries skipped because they name an anchor this host does not know
       * (one note each, naming the entry and the anchor), for the host's
       * extensions diagnostics; the rest of the manifest loads.
       */
      notes: string[];
    }
  | { ok: false; problems: { path: string; message: string }[] };

/**
 * Parses a manifest and returns every problem with its path. An entry naming
 * an anchor the host does not know (`knownAnchors`, this core's anchors by
 * default) is skipped with a note rather than failing the manifest, so an
 * extension built for a later anchor API with an optional anchor still loads
 * its other entries on this host; whether it may load at all is
 * `gateExtension`'s question (its `anchorApi` range). A malformed entry or
 * field fails the manifest as before.
 */
export function parseExtensionManifest(
  document: unknown,
  knownAnchors: readonly string[] = ANCHOR_IDS,
): ParsedExtensionManifest {
  const parsed = ExtensionManifestDocumentSchema.safeParse(document);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        path: issue.path.join('.') || '(root)',
        message: issue.message,
      })),
    };
  const known = new Set<string>(knownAnchors.filter((a) => (ANCHOR_IDS as readonly string[]).includes(a)));
  const notes: string[] = [];
  const extensions: ExtensionManifest['extensions'] = [];
  parsed.data.extensions.forEach((entry, index) => {
    if (known.has(entry.anchor)) extensions.push({ ...entry, anchor: entry.anchor as AnchorId });
    else
      notes.push(
        `extensions.${index} (${entry.id}) names the anchor ${entry.anchor}, which this Fleet Essentials does not provide; the entry is skipped`,
      );
  });
  return { ok: true, manifest: { ...parsed.data, extensions }, notes };
}
