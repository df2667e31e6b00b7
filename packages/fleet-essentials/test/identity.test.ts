import { testKubeConfig } from '@immutable-infra/testkit/vitest';
import { describe, expect, it } from 'vitest';
import { KubeEndpoint } from '../src/server/kube-endpoint.js';
import { TEST_USERS } from './users.ts';

describe('requests as the signed-in user', () => {
  it('carry only the user token, never the server kubeconfig client certificate', async () => {
    const endpoint = new KubeEndpoint(testKubeConfig());
    try {
      const review = (identity: Parameters<KubeEndpoint['request']>[0]) =>
        endpoint.request<{ status: { userInfo: { username: string } } }>(identity, {
          method: 'POST',
          path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
          body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
        });
      expect(
        (await review({ kind: 'token', token: TEST_USERS.viewer.token })).body.status.userInfo.username,
      ).toBe('victor');
      expect((await review({ kind: 'token', token: 'not-a-token' })).status).toBe(401);
      expect((await review({ kind: 'kubeconfig' })).body.status.userInfo.username).not.toBe('victor');
    } finally {
      endpoint.close();
    }
  });
});
