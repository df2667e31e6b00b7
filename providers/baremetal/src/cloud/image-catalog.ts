/** The ConfigMap that maps `Machine.spec.version` to an elemental upgrade image. */
export const IMAGE_CATALOG_NAME = 'elemental-image-catalog';

export type ImageResolution =
  | { ok: true; image: string }
  | { ok: false; reason: 'ImageCatalogMissing' | 'ImageCatalogMiss'; message: string };

/**
 * The image for a Kubernetes version: the catalog's entry for exactly that key (the leading `v`
 * kept), with its registry replaced by `registry` when one is given. A missing key is never
 * answered with a default image.
 */
export function resolveImage(
  catalog: { namespace: string; data: Record<string, string> | undefined },
  version: string | undefined,
  registry?: string,
): ImageResolution {
  const where = `ConfigMap ${catalog.namespace}/${IMAGE_CATALOG_NAME}`;
  if (!catalog.data)
    return {
      ok: false,
      reason: 'ImageCatalogMissing',
      message: `${where} not found: no image for any version`,
    };
  if (!version) return { ok: false, reason: 'ImageCatalogMiss', message: 'the Machine has no spec.version' };
  const entry = catalog.data[version]?.trim();
  if (!entry) {
    const keys = Object.keys(catalog.data).sort();
    return {
      ok: false,
      reason: 'ImageCatalogMiss',
      message: `Machine.spec.version ${version} is not a key of ${where} (it has ${keys.length > 0 ? keys.join(', ') : 'no keys'}); add it, then recreate the Machine`,
    };
  }
  return { ok: true, image: registry ? withRegistry(entry, registry) : entry };
}

/** The image reference with its registry (the first path part when it looks like a host) replaced. */
export function withRegistry(image: string, registry: string): string {
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  return `${registry.replace(/\/+$/, '')}/${hasRegistry ? image.slice(slash + 1) : image}`;
}
