import type { KubeClient } from '@immutable-infra/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { keepAnnotations } from '../../src/index.js';
import { type TestPoolBed, testPoolBed } from './test-pool-bed.js';
import type { TestPoolObject } from './test-pool-kind.js';

describe('keepAnnotations on a real kube-apiserver', () => {
  let bed: TestPoolBed;
  let kube: KubeClient;

  beforeAll(async () => {
    bed = await testPoolBed('keep-annotations');
    kube = bed.kube;
  });

  const ref = (name: string) => bed.ref(name);
  type Annotated = TestPoolObject & { metadata: { annotations?: Record<string, string> } };
  const read = (name: string) => bed.read<Annotated>(name);

  it('patches only when a wanted key differs, removes null keys, keeps the others, and updates the copy', async () => {
    await bed.createPool('host', { entries: [] }, { 'user/note': 'kept', 'kit/state': 'Available' });
    const copy = await read('host');
    const version = copy.metadata.resourceVersion;
    expect(
      await keepAnnotations(kube, ref('host'), copy, { 'kit/state': 'Available', 'kit/owner': null }),
    ).toBe(false);
    expect((await read('host')).metadata.resourceVersion).toBe(version);

    expect(
      await keepAnnotations(kube, ref('host'), copy, { 'kit/state': 'Allocated', 'kit/owner': 'm-1' }),
    ).toBe(true);
    const stored = (await read('host')).metadata.annotations;
    expect(stored).toEqual({ 'user/note': 'kept', 'kit/state': 'Allocated', 'kit/owner': 'm-1' });
    expect(copy.metadata.annotations).toEqual(stored);

    expect(await keepAnnotations(kube, ref('host'), copy, { 'kit/owner': null })).toBe(true);
    expect((await read('host')).metadata.annotations).toEqual({
      'user/note': 'kept',
      'kit/state': 'Allocated',
    });
    expect(copy.metadata.annotations).toEqual({ 'user/note': 'kept', 'kit/state': 'Allocated' });
  });
});
