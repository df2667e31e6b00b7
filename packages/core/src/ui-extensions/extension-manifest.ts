import semver from 'semver';
import { z } from 'zod';
import { ANCHOR_API_VERSION, ANCHOR_IDS } from './anchors.js';

const packagePath = z
  .string()
  .regex(/^(?!\/)(?!.*\.\.).+\.m?js$/, 'a relative path to a .js file inside the package');

/**
 * A provider's UI extension manifest (`ui-extension.json` in its package, named
 * by package.json `immutableInfra.uiExtension`): declarative, so the host can
 * list, gate and explain extensions before it loads any code.
 */
export const ExtensionManifestSchema = z
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
    extensions: z
      .array(
        z
          .object({
            anchor: z.enum(ANCHOR_IDS),
            id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
            title: z.string().min(1),
            /** Named export of the bundle with `mount(element, props)`; loaded only when the anchor renders. */
            export: z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/),
            order: z.number().int().optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

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

/** Parses a manifest and returns every problem with its path. */
export function parseExtensionManifest(
  document: unknown,
): { ok: true; manifest: ExtensionManifest } | { ok: false; problems: { path: string; message: string }[] } {
  const parsed = ExtensionManifestSchema.safeParse(document);
  if (parsed.success) return { ok: true, manifest: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({
      path: issue.path.join('.') || '(root)',
      message: issue.message,
    })),
  };
}
