import { describe, expect, it } from 'vitest';
import { contractLabels } from '../src/index.js';

describe('contractLabels', () => {
  it('labels each contract with the API versions that implement it', () => {
    expect(contractLabels({ v1beta1: ['v1beta1'], v1beta2: ['v1beta1', 'v1beta2'] })).toEqual({
      'cluster.x-k8s.io/v1beta1': 'v1beta1',
      'cluster.x-k8s.io/v1beta2': 'v1beta1_v1beta2',
    });
  });

  it('leaves out contracts with no API version', () => {
    expect(contractLabels({ v1beta1: [], v1beta2: ['v1beta1'] })).toEqual({
      'cluster.x-k8s.io/v1beta2': 'v1beta1',
    });
  });
});
