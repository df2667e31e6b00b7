import type { Discovery } from '../kube/discovery.js';
import type { KubeObject } from '../kube/object-client.js';
import type { KubeTransport } from '../kube/transport.js';
import { Informer, type InformerOptions } from './informer.js';

/** One informer (one watch) per kind, however many controllers use it. */
export class InformerFactory {
  private readonly informers = new Map<string, Promise<Informer>>();
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly transport: KubeTransport,
    private readonly discovery: Discovery,
    private readonly signal: AbortSignal,
    private readonly options: InformerOptions = {},
  ) {}

  informer<T extends KubeObject = KubeObject>(apiVersion: string, kind: string): Promise<Informer<T>> {
    const key = `${apiVersion}/${kind}`;
    let entry = this.informers.get(key);
    if (!entry) {
      entry = this.discovery.resource(apiVersion, kind).then((info) => {
        const informer = new Informer(this.transport, info, this.options);
        this.running.push(informer.run(this.signal));
        return informer;
      });
      this.informers.set(key, entry);
    }
    return entry as Promise<Informer<T>>;
  }

  async all(): Promise<Informer[]> {
    return Promise.all(this.informers.values());
  }

  /** Resolves when every started informer has stopped (after the signal aborts). */
  async stopped(): Promise<void> {
    await Promise.all(this.running);
  }
}
