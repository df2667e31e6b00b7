import { describe, expect, it } from 'vitest';
import { anyTestFailed } from '../src/vitest.js';

describe('anyTestFailed', () => {
  it('finds a failed test at any depth, and none in a passing or still-running suite', () => {
    const passed = { result: { state: 'pass' } };
    expect(anyTestFailed({ tasks: [passed, { tasks: [passed] }] })).toBe(false);
    expect(
      anyTestFailed({
        result: { state: 'run' },
        tasks: [{ tasks: [passed, { result: { state: 'fail' } }] }],
      }),
    ).toBe(true);
    expect(anyTestFailed({ result: { state: 'fail' }, tasks: [] })).toBe(true);
    expect(anyTestFailed({})).toBe(false);
  });
});
