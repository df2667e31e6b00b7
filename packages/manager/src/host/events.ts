import type { EventRecorder, Logger } from '@immutable-infra/core';
import type { KubeObject, ObjectClient } from '../kube/object-client.js';
import { maskSecretValues } from '../runtime/secret-masking.js';

/** Records core/v1 Events on an object; failures are logged, never thrown into a reconcile. */
export function eventRecorderFor(client: ObjectClient, object: KubeObject, log: Logger): EventRecorder {
  const record = (type: 'Normal' | 'Warning', reason: string, message: string) => {
    const now = new Date().toISOString();
    client
      .create({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: {
          generateName: `${object.metadata.name}.`,
          namespace: object.metadata.namespace ?? 'default',
        },
        involvedObject: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: object.metadata.name,
          namespace: object.metadata.namespace,
          uid: object.metadata.uid,
        },
        type,
        reason,
        // Providers put platform answers in messages; a credential value never reaches an Event.
        message: maskSecretValues(message).slice(0, 1024),
        source: { component: 'iinfra-manager' },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      } as unknown as KubeObject)
      .catch((error: unknown) => log.warn('could not record event', { reason, error: String(error) }));
  };
  return {
    normal: (reason, message) => record('Normal', reason, message),
    warning: (reason, message) => record('Warning', reason, message),
  };
}
