import type { KubeClient } from '@immutable-infra/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CLONED_FROM_GROUPKIND_ANNOTATION,
  CLONED_FROM_NAME_ANNOTATION,
  clonedFromTemplate,
} from '../../src/index.js';
import { testPoolBed } from './test-pool-bed.js';
import { TEST_POOL_API_VERSION, TEST_POOL_GROUP, type TestPoolObject } from './test-pool-kind.js';

// A TestPool plays the machine template: what matters is that the kind is served.
const templateKind = { apiVersion: TEST_POOL_API_VERSION, kind: 'TestPool' };

describe('clonedFromTemplate on a real kube-apiserver', () => {
  let namespace: string;
  let kube: KubeClient;

  beforeAll(async () => {
    const bed = await testPoolBed('cloned-from');
    ({ namespace, kube } = bed);
    await bed.createPool('workers', { entries: [{ address: '10.0.0.9' }] });
  });

  const machine = (annotations?: Record<string, string>) => ({ metadata: { namespace, annotations } });

  it('reads the template, as it is now, that Cluster API cloned the machine from', async () => {
    const found = await clonedFromTemplate<TestPoolObject>(
      kube,
      machine({
        [CLONED_FROM_NAME_ANNOTATION]: 'workers',
        [CLONED_FROM_GROUPKIND_ANNOTATION]: `TestPool.${TEST_POOL_GROUP}`,
      }),
      templateKind,
    );
    expect(found?.spec.entries).toEqual([{ address: '10.0.0.9' }]);
    // An older Cluster API wrote the name only.
    const byName = await clonedFromTemplate<TestPoolObject>(
      kube,
      machine({ [CLONED_FROM_NAME_ANNOTATION]: 'workers' }),
      templateKind,
    );
    expect(byName?.metadata.name).toBe('workers');
  });

  it('is undefined for a machine not cloned, cloned from another kind, or whose template is gone', async () => {
    expect(await clonedFromTemplate(kube, machine(), templateKind)).toBeUndefined();
    const otherKind = machine({
      [CLONED_FROM_NAME_ANNOTATION]: 'workers',
      [CLONED_FROM_GROUPKIND_ANNOTATION]: 'OtherTemplate.example.io',
    });
    expect(await clonedFromTemplate(kube, otherKind, templateKind)).toBeUndefined();
    const gone = machine({ [CLONED_FROM_NAME_ANNOTATION]: 'deleted-template' });
    expect(await clonedFromTemplate(kube, gone, templateKind)).toBeUndefined();
  });
});
