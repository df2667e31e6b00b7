/** Users of the test API server (token auth file), and what the tests let each do. */
export const TEST_USERS = {
  operator: { name: 'olivia', token: 'operator-token-7c1f', groups: ['fleet-operators'] },
  viewer: { name: 'victor', token: 'viewer-token-2b9e', groups: ['fleet-viewers'] },
} as const;
