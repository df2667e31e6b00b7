import { LRUCache } from 'lru-cache';
import { type Identity, type KubeEndpoint, refusalMessage } from './kube-endpoint.js';
import type { ApplyReport, ObjectReport } from './manifest-report.js';
import { credentialForms, redact, secretValuesOf } from './secret-scrub.js';

export type { ApplyReport, ObjectReport };

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

interface Resource {
  plural: string;
  namespaced: boolean;
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const MAX_OBJECTS = 200;

/** Checks the shape of the request; every problem named by its field. */
export function parseManifests(body: unknown): { manifests: ManifestObject[] } | { problems: string[] } {
  const list = (body as { manifests?: unknown } | undefined)?.manifests;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_OBJECTS)
    return { problems: [`manifests must be a list of 1 to ${MAX_OBJECTS} objects`] };
  const problems: string[] = [];
  list.forEach((object, i) => {
    const o = (object ?? {}) as Partial<ManifestObject>;
    if (typeof o.apiVersion !== 'string' || o.apiVersion === '')
      problems.push(`manifests[${i}].apiVersion is required`);
    if (typeof o.kind !== 'string' || o.kind === '') problems.push(`manifests[${i}].kind is required`);
    if (typeof o.metadata?.name !== 'string' || !NAME.test(o.metadata.name))
      problems.push(`manifests[${i}].metadata.name must be a lower-case DNS name`);
    if (o.metadata?.namespace !== undefined && !NAME.test(String(o.metadata.namespace)))
      problems.push(`manifests[${i}].metadata.namespace must be a namespace name`);
  });
  return problems.length > 0 ? { problems } : { manifests: list as ManifestObject[] };
}

/**
 * Creates a list of objects as the user: first every one with dryRun=All, so
 * the API server's schema, CEL and admission errors come back for all of them,
 * naming object and field, before anything exists; then each in order,
 * stopping at the first refusal.
 */
export class ManifestApplier {
  // Discovery documents are the same for every user. They are kept a few minutes, so kinds
  // installed later (a new provider's CRDs) are found, and bounded in number, since the API
  // versions asked for come from what users send.
  private readonly discovery = new LRUCache<string, Promise<Map<string, Resource>>>({
    max: 256,
    ttl: 5 * 60_000,
  });

  constructor(private readonly endpoint: KubeEndpoint) {}

  private resources(identity: Identity, apiVersion: string): Promise<Map<string, Resource>> {
    let found = this.discovery.get(apiVersion);
    if (!found) {
      found = this.endpoint
        .request<{ resources?: { name: string; kind: string; namespaced: boolean }[] }>(identity, {
          method: 'GET',
          path: apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`,
        })
        .then((response) => {
          if (response.status !== 200) throw new Error(`the API server does not serve ${apiVersion}`);
          const byKind = new Map<string, Resource>();
          for (const r of response.body.resources ?? []) {
            if (!r.name.includes('/')) byKind.set(r.kind, { plural: r.name, namespaced: r.namespaced });
          }
          return byKind;
        });
      this.discovery.set(apiVersion, found);
      found.catch(() => this.discovery.delete(apiVersion));
    }
    return found;
  }

  private async collectionPath(
    identity: Identity,
    object: ManifestObject,
    namespace: string,
  ): Promise<{ path: string; namespace?: string } | { error: string }> {
    let byKind: Map<string, Resource>;
    try {
      byKind = await this.resources(identity, object.apiVersion);
    } catch (error) {
      return { error: (error as Error).message };
    }
    const resource = byKind.get(object.kind);
    if (!resource)
      return { error: `the API server does not serve kind ${object.kind} in ${object.apiVersion}` };
    const prefix = object.apiVersion.includes('/')
      ? `/apis/${object.apiVersion}`
      : `/api/${object.apiVersion}`;
    if (!resource.namespaced) return { path: `${prefix}/${resource.plural}` };
    const ns = object.metadata.namespace ?? namespace;
    return { path: `${prefix}/namespaces/${encodeURIComponent(ns)}/${resource.plural}`, namespace: ns };
  }

  async apply(
    identity: Identity,
    namespace: string,
    manifests: readonly ManifestObject[],
  ): Promise<ApplyReport> {
    const forms = credentialForms(manifests.flatMap(secretValuesOf));
    const targets = await Promise.all(manifests.map((m) => this.collectionPath(identity, m, namespace)));
    const report = (i: number, status: ObjectReport['status'], extra: Partial<ObjectReport> = {}) => {
      const m = manifests[i] as ManifestObject;
      const target = targets[i];
      const ns = target && 'namespace' in target ? target.namespace : undefined;
      return {
        index: i,
        apiVersion: m.apiVersion,
        kind: m.kind,
        name: m.metadata.name,
        ...(ns ? { namespace: ns } : {}),
        status,
        ...extra,
      } satisfies ObjectReport;
    };
    const send = async (i: number, dryRun: boolean) => {
      const target = targets[i] as NonNullable<(typeof targets)[number]>;
      if ('error' in target) return report(i, dryRun ? 'invalid' : 'failed', { message: target.error });
      const m = manifests[i] as ManifestObject;
      const body = target.namespace ? { ...m, metadata: { ...m.metadata, namespace: target.namespace } } : m;
      const response = await this.endpoint.request<{
        details?: { causes?: { field?: string; message?: string }[] };
      }>(identity, {
        method: 'POST',
        path: `${target.path}${dryRun ? '?dryRun=All&fieldValidation=Strict' : '?fieldValidation=Strict'}`,
        body,
      });
      if (response.status < 300) return report(i, dryRun ? 'valid' : 'created');
      const causes = (response.body?.details?.causes ?? []).map((c) => ({
        ...(c.field ? { field: c.field } : {}),
        message: redact(c.message ?? '', forms),
      }));
      return report(i, dryRun ? 'invalid' : 'failed', {
        message: redact(refusalMessage(response), forms),
        ...(causes.length > 0 ? { causes } : {}),
      });
    };

    const checked = await Promise.all(manifests.map((_, i) => send(i, true)));
    if (checked.some((r) => r.status === 'invalid')) return { phase: 'dry-run', ok: false, objects: checked };
    const objects: ObjectReport[] = [];
    for (let i = 0; i < manifests.length; i++) {
      if (objects.some((r) => r.status === 'failed')) {
        objects.push(report(i, 'not attempted'));
        continue;
      }
      objects.push(await send(i, false));
    }
    return { phase: 'create', ok: objects.every((r) => r.status === 'created'), objects };
  }
}
