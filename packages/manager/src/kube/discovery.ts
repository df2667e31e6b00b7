import type { KubeTransport } from './transport.js';

export interface ResourceInfo {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

interface ApiResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

/** Maps apiVersion + kind to the REST resource, asking the API server once per group version. */
export class Discovery {
  private readonly cache = new Map<string, Promise<Map<string, ResourceInfo>>>();

  constructor(private readonly transport: KubeTransport) {}

  async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    let found = (await this.groupVersion(apiVersion)).get(kind);
    if (!found) {
      // A CRD may have been installed since we last asked.
      this.cache.delete(apiVersion);
      found = (await this.groupVersion(apiVersion)).get(kind);
    }
    if (!found) throw new Error(`the API server serves no kind ${kind} in ${apiVersion}`);
    return found;
  }

  private groupVersion(apiVersion: string): Promise<Map<string, ResourceInfo>> {
    let entry = this.cache.get(apiVersion);
    if (!entry) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      entry = this.transport.request<ApiResourceList>({ method: 'GET', path }).then((list) => {
        const byKind = new Map<string, ResourceInfo>();
        for (const r of list.resources) {
          if (r.name.includes('/')) continue; // subresources
          byKind.set(r.kind, { apiVersion, kind: r.kind, plural: r.name, namespaced: r.namespaced });
        }
        return byKind;
      });
      entry.catch(() => this.cache.delete(apiVersion));
      this.cache.set(apiVersion, entry);
    }
    return entry;
  }
}

/** The REST path of a collection or, with a name, of one object. */
export function resourcePath(info: ResourceInfo, namespace?: string, name?: string): string {
  const base = info.apiVersion.includes('/') ? `/apis/${info.apiVersion}` : `/api/${info.apiVersion}`;
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${info.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
}
