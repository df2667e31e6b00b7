import { setTimeout as sleep } from 'node:timers/promises';
import { KubeApiError } from '../kube/api-error.js';
import { type ResourceInfo, resourcePath } from '../kube/discovery.js';
import type { KubeObject } from '../kube/object-client.js';
import type { KubeTransport } from '../kube/transport.js';

export interface InformerHandlers<T extends KubeObject> {
  onAdd?(object: T): void;
  onUpdate?(previous: T, object: T): void;
  onDelete?(object: T): void;
}

export interface InformerOptions {
  /**
   * The API server ends each watch after this many seconds (randomised a
   * little so informers do not renew in lockstep). A watch that has neither
   * ended nor sent anything by then plus `staleGraceMs` is stale: the
   * connection died without telling us (client-node's issues #958 and #3020).
   */
  watchTimeoutSeconds?: number;
  staleGraceMs?: number;
  onError?: (error: unknown) => void;
  onRelist?: (reason: string) => void;
  /** Watch one namespace only; all namespaces when omitted. */
  namespace?: string;
  /** List and watch only objects with these labels (e.g. `cluster.x-k8s.io/watch-filter=shard-a`). */
  labelSelector?: string;
}

interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T & { code?: number; message?: string };
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** List-then-watch cache of one kind, shared by every controller that needs it. */
export class Informer<T extends KubeObject = KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private resourceVersion: string | undefined;
  private synced: Promise<void>;
  private markSynced!: () => void;
  /** When the current watch last showed a sign of life (event, bookmark or start). */
  lastActivity = Date.now();
  relists = 0;

  constructor(
    private readonly transport: KubeTransport,
    readonly resource: ResourceInfo,
    private readonly options: InformerOptions = {},
  ) {
    this.synced = new Promise((resolve) => {
      this.markSynced = resolve;
    });
  }

  addHandlers(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
    for (const object of this.cache.values()) handlers.onAdd?.(object);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(`${namespace ?? ''}/${name}`);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  /** How many objects the cache holds. */
  get size(): number {
    return this.cache.size;
  }

  /** Resolves once the first list has filled the cache. */
  hasSynced(): Promise<void> {
    return this.synced;
  }

  /** Runs until the signal aborts; reconnects, relists on 410 Gone and replaces stale watches. */
  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (this.resourceVersion === undefined) await this.relist();
        // The signal may have fired during the list; a listener added now would never run.
        if (signal.aborted) break;
        await this.watchOnce(signal);
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof KubeApiError && error.isGone) {
          this.resourceVersion = undefined;
          this.options.onRelist?.('410 Gone');
          continue;
        }
        this.options.onError?.(error);
        failures++;
        await sleep(Math.min(30_000, 250 * 2 ** Math.min(failures, 7)), undefined, { signal }).catch(
          () => {},
        );
      }
    }
  }

  private async relist(): Promise<void> {
    const list = await this.transport.request<{ metadata: { resourceVersion: string }; items: T[] }>({
      method: 'GET',
      path: resourcePath(this.resource, this.options.namespace),
      ...(this.options.labelSelector ? { query: { labelSelector: this.options.labelSelector } } : {}),
    });
    this.relists++;
    const seen = new Set<string>();
    for (const raw of list.items) {
      const object = this.withKind(raw);
      const key = keyOf(object);
      seen.add(key);
      const previous = this.cache.get(key);
      this.cache.set(key, object);
      if (!previous) this.emit((h) => h.onAdd?.(object));
      else if (previous.metadata.resourceVersion !== object.metadata.resourceVersion) {
        this.emit((h) => h.onUpdate?.(previous, object));
      }
    }
    for (const [key, object] of this.cache) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.emit((h) => h.onDelete?.(object));
      }
    }
    this.resourceVersion = list.metadata.resourceVersion;
    this.markSynced();
  }

  private async watchOnce(signal: AbortSignal): Promise<void> {
    const timeoutSeconds = Math.round((this.options.watchTimeoutSeconds ?? 300) * (1 + Math.random() * 0.2));
    const staleAfterMs = timeoutSeconds * 1000 + (this.options.staleGraceMs ?? 30_000);
    const controller = new AbortController();
    const watchSignal = AbortSignal.any([signal, controller.signal]);
    this.lastActivity = Date.now();
    let stale = false;
    const staleCheck = setInterval(
      () => {
        if (Date.now() - this.lastActivity > staleAfterMs) {
          stale = true;
          controller.abort();
        }
      },
      Math.min(5_000, staleAfterMs),
    );
    try {
      const events = this.transport.stream<WatchEvent<T>>({
        path: resourcePath(this.resource, this.options.namespace),
        query: {
          watch: 1,
          ...(this.options.labelSelector ? { labelSelector: this.options.labelSelector } : {}),
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds,
        },
        signal: watchSignal,
      });
      for await (const event of events) {
        this.lastActivity = Date.now();
        this.apply(event);
      }
    } catch (error) {
      if (stale) {
        this.options.onError?.(new Error(`watch of ${this.resource.plural} went silent; re-establishing it`));
        return;
      }
      if (signal.aborted) return;
      throw error;
    } finally {
      clearInterval(staleCheck);
    }
  }

  private apply(event: WatchEvent<T>): void {
    if (event.type === 'ERROR') {
      const code = event.object.code ?? 500;
      throw new KubeApiError(
        code,
        'WatchError',
        event.object.message ?? 'watch error',
        'WATCH',
        this.resource.plural,
      );
    }
    const object = this.withKind(event.object);
    this.resourceVersion = object.metadata.resourceVersion ?? this.resourceVersion;
    if (event.type === 'BOOKMARK') return;
    const key = keyOf(object);
    const previous = this.cache.get(key);
    if (event.type === 'DELETED') {
      this.cache.delete(key);
      this.emit((h) => h.onDelete?.(object));
    } else {
      this.cache.set(key, object);
      if (previous) this.emit((h) => h.onUpdate?.(previous, object));
      else this.emit((h) => h.onAdd?.(object));
    }
  }

  /**
   * The object as the cache keeps it: with its kind (lists leave it out), and without
   * `metadata.managedFields`, which nothing here reads and which is often the larger half of an
   * object. Writes from a cached copy stay correct: the API server keeps the stored managedFields
   * when an update leaves them out.
   */
  private withKind(object: T): T {
    const { managedFields: _managedFields, ...metadata } = object.metadata as T['metadata'] & {
      managedFields?: unknown;
    };
    return { ...object, metadata, apiVersion: this.resource.apiVersion, kind: this.resource.kind };
  }

  private emit(call: (handlers: InformerHandlers<T>) => void): void {
    for (const handlers of this.handlers) {
      try {
        call(handlers);
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }
}
