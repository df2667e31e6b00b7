import type { Identity, KubeEndpoint } from './kube-endpoint.js';

export interface AccessQuestion {
  verb: string;
  group: string;
  resource: string;
  /** Omit for all namespaces. */
  namespace?: string;
}

const TTL_MS = 30_000;

/**
 * Asks the API server, as the user, whether they may do something
 * (SelfSubjectAccessReview), and remembers the answer briefly so a list page
 * does not cost a review per row. The server's caches are only ever shown
 * through this check.
 */
export class AccessReviewer {
  private readonly answers = new Map<string, { allowed: boolean; at: number }>();

  constructor(
    private readonly endpoint: KubeEndpoint,
    private readonly now: () => number = Date.now,
  ) {}

  async allowed(identity: Identity, sessionKey: string, question: AccessQuestion): Promise<boolean> {
    const key = `${sessionKey}|${question.verb}|${question.group}|${question.resource}|${question.namespace ?? '*'}`;
    const cached = this.answers.get(key);
    if (cached && this.now() - cached.at < TTL_MS) return cached.allowed;
    const response = await this.endpoint.request<{ status?: { allowed?: boolean } }>(identity, {
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: {
          resourceAttributes: {
            verb: question.verb,
            group: question.group,
            resource: question.resource,
            ...(question.namespace ? { namespace: question.namespace } : {}),
          },
        },
      },
    });
    const allowed = response.status === 201 && response.body.status?.allowed === true;
    this.answers.set(key, { allowed, at: this.now() });
    return allowed;
  }
}
