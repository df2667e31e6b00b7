import type { KubeClient, ObjectReference } from '@immutable-infra/core';
import { isNotFound } from './api-error.js';
import { type Discovery, resourcePath } from './discovery.js';
import type { KubeTransport } from './transport.js';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

const MERGE_PATCH = 'application/merge-patch+json';

/** The reference of an object, for reading it again or patching it. */
export function refOf(object: KubeObject): ObjectReference {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    namespace: object.metadata.namespace,
  };
}

/** Generic object access for the host, and the KubeClient handed to provider hooks. */
export class ObjectClient implements KubeClient {
  constructor(
    readonly transport: KubeTransport,
    readonly discovery: Discovery,
  ) {}

  private async path(ref: ObjectReference, withName = true): Promise<string> {
    const info = await this.discovery.resource(ref.apiVersion, ref.kind);
    return resourcePath(info, ref.namespace, withName ? ref.name : undefined);
  }

  async get<T = KubeObject>(ref: ObjectReference): Promise<T | undefined> {
    try {
      return await this.transport.request<T>({ method: 'GET', path: await this.path(ref) });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list<T = KubeObject>(
    apiVersion: string,
    kind: string,
    options: { namespace?: string; labelSelector?: string } = {},
  ): Promise<T[]> {
    const info = await this.discovery.resource(apiVersion, kind);
    const list = await this.transport.request<{ items: T[] }>({
      method: 'GET',
      path: resourcePath(info, options.namespace),
      query: { labelSelector: options.labelSelector },
    });
    return list.items.map((item) => ({ apiVersion, kind, ...item }));
  }

  async create<T extends { apiVersion: string; kind: string }>(object: T): Promise<T> {
    const meta = (object as unknown as KubeObject).metadata;
    const ref = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: meta.name,
      namespace: meta.namespace,
    };
    return this.transport.request<T>({ method: 'POST', path: await this.path(ref, false), body: object });
  }

  async patch<T = KubeObject>(ref: ObjectReference, patch: Record<string, unknown>): Promise<T> {
    return this.transport.request<T>({
      method: 'PATCH',
      path: await this.path(ref),
      body: patch,
      contentType: MERGE_PATCH,
    });
  }

  async patchStatus<T = KubeObject>(ref: ObjectReference, patch: Record<string, unknown>): Promise<T> {
    return this.transport.request<T>({
      method: 'PATCH',
      path: `${await this.path(ref)}/status`,
      body: patch,
      contentType: MERGE_PATCH,
    });
  }

  /** Replaces status; fails with 409 if the object changed since `object.metadata.resourceVersion`. */
  async updateStatus<T extends KubeObject>(object: T): Promise<T> {
    return this.transport.request<T>({
      method: 'PUT',
      path: `${await this.path(refOf(object))}/status`,
      body: object,
    });
  }

  /** Replaces the whole object; fails with 409 on a stale resourceVersion. */
  async update<T extends KubeObject>(object: T): Promise<T> {
    return this.transport.request<T>({ method: 'PUT', path: await this.path(refOf(object)), body: object });
  }

  async delete(ref: ObjectReference): Promise<void> {
    try {
      await this.transport.request({ method: 'DELETE', path: await this.path(ref) });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
