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

  /**
   * The informer of a kind. `everyObject` leaves out the label selector (`--watch-filter`): for a
   * kind the provider only reads, whose objects do not carry the filter's label.
   */
  informer<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    { everyObject = false }: { everyObject?: boolean } = {},
  ): Promise<Informer<T>> {
    const filtered = !everyObject && this.options.labelSelector !== undefined;
    const key = `${apiVersion}/${kind}${filtered || this.options.labelSelector === undefined ? '' : ' (every object)'}`;
    let entry = this.informers.get(key);
    if (!entry) {
      const { labelSelector: _, ...unfiltered } = this.options;
      entry = this.discovery.resource(apiVersion, kind).then((info) => {
        const informer = new Informer(this.transport, info, filtered ? this.options : unfiltered);
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
