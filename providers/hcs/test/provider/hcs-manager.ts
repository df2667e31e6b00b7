import type { Provider } from '@immutable-infra/core';
import { type HcsSimulator, startHcsSimulator } from '@immutable-infra/hcs-sim';
import { createLogger, Manager } from '@immutable-infra/manager';
import type { LogCapture } from '@immutable-infra/testkit';
import { testKubeConfig } from '@immutable-infra/testkit/vitest';
import { type KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import { HcsFixtures } from './hcs-fixtures.ts';

/** What a test file of the HCS provider works with: the test API server, a simulator, the fixtures, its manager. */
export interface HcsTestBed {
  kubeConfig: KubeConfig;
  objects: KubernetesObjectApi;
  sim: HcsSimulator;
  fixtures: HcsFixtures;
  /** The manager the file started last; stopped after its tests, before the simulator closes. */
  manager: Manager | undefined;
}

/** Starts a simulator (jobs of 0.05 s) and the fixtures before the file's tests, and stops both after them. */
export function hcsTestBed(): HcsTestBed {
  const bed = { manager: undefined } as HcsTestBed;
  beforeAll(async () => {
    bed.kubeConfig = testKubeConfig();
    bed.objects = KubernetesObjectApi.makeApiClient(bed.kubeConfig);
    bed.sim = await startHcsSimulator({ faults: { jobSeconds: 0.05 } });
    bed.fixtures = new HcsFixtures(bed.objects, bed.sim);
  });
  afterAll(async () => {
    await bed.manager?.stop();
    await bed.sim?.close();
  });
  return bed;
}

/**
 * The given HCS provider in a manager of one namespace, in this process, started without waiting
 * for its caches (the tests wait for what they look at); its debug log goes to `log`, else only
 * errors to the console. Kept as the bed's manager, which the bed stops after the file's tests.
 */
export function startHcsManager(
  bed: HcsTestBed,
  options: { namespace: string; provider: Provider; log?: LogCapture | undefined },
): Manager {
  const manager = new Manager({
    kubeConfig: bed.kubeConfig,
    namespace: options.namespace,
    providers: [options.provider],
    log: options.log
      ? createLogger({ level: 'debug', destination: options.log.destination })
      : createLogger({ level: 'error' }),
  });
  void manager.start();
  bed.manager = manager;
  return manager;
}
