import { api, type ExtensionInfo } from './api.ts';

let registry: Promise<ExtensionInfo[]> | undefined;
const modules = new Map<string, Promise<Record<string, unknown>>>();

/** The installed extensions, fetched once per page load. */
export function extensionRegistry(): Promise<ExtensionInfo[]> {
  registry ??= api<ExtensionInfo[]>('GET', '/api/extensions');
  return registry;
}

/** An extension's bundle, loaded the first time one of its anchors renders. */
export function loadBundle(url: string): Promise<Record<string, unknown>> {
  let module = modules.get(url);
  if (!module) {
    module = import(/* @vite-ignore */ url) as Promise<Record<string, unknown>>;
    modules.set(url, module);
  }
  return module;
}

export interface AnchorEntry {
  extension: ExtensionInfo;
  /** The manifest entry. */
  entry: { anchor: string; id: string; title: string; export: string; order?: number };
  bundleUrl: string;
}

/** The loadable entries for an anchor (optionally only one provider's), in manifest order. */
export function entriesFor(extensions: ExtensionInfo[], anchor: string, provider?: string): AnchorEntry[] {
  const found: AnchorEntry[] = [];
  for (const extension of extensions) {
    if (!extension.load || !extension.manifest || !extension.bundleUrl) continue;
    if (provider !== undefined && extension.manifest.provider !== provider) continue;
    for (const entry of extension.manifest.extensions) {
      if (entry.anchor === anchor) found.push({ extension, entry, bundleUrl: extension.bundleUrl });
    }
  }
  return found.sort((a, b) => (a.entry.order ?? 0) - (b.entry.order ?? 0));
}

/** The named export of an entry's bundle. */
export async function exportOf<T>(entry: AnchorEntry): Promise<T> {
  const module = await loadBundle(entry.bundleUrl);
  const value = module[entry.entry.export];
  if (value === undefined) throw new Error(`${entry.extension.id} exports no ${entry.entry.export}`);
  return value as T;
}
