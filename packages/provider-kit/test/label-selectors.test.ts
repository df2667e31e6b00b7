import { describe, expect, it } from 'vitest';
import { labelSelectorMatches, labelSelectorQuery } from '../src/index.js';

const selector = {
  matchLabels: { region: 'a' },
  matchExpressions: [
    { key: 'zone', operator: 'In' as const, values: ['1', '2'] },
    { key: 'tier', operator: 'NotIn' as const, values: ['edge'] },
    { key: 'ready', operator: 'Exists' as const },
    { key: 'retired', operator: 'DoesNotExist' as const },
  ],
};

describe('label selectors', () => {
  it("writes a selector in the API's query syntax", () => {
    expect(labelSelectorQuery(selector)).toBe('region=a,zone in (1,2),tier notin (edge),ready,!retired');
    expect(labelSelectorQuery({})).toBe('');
  });

  it('matches labels as the API server does (NotIn matches an absent label; {} matches everything)', () => {
    const labels = { region: 'a', zone: '2', ready: '' };
    expect(labelSelectorMatches(selector, labels)).toBe(true);
    expect(labelSelectorMatches(selector, { ...labels, tier: 'edge' })).toBe(false);
    expect(labelSelectorMatches(selector, { ...labels, zone: '3' })).toBe(false);
    expect(labelSelectorMatches(selector, { ...labels, retired: 'yes' })).toBe(false);
    expect(labelSelectorMatches(selector, { region: 'a', zone: '1' })).toBe(false);
    expect(labelSelectorMatches(selector, { ...labels, region: 'b' })).toBe(false);
    expect(labelSelectorMatches({}, {})).toBe(true);
  });
});
