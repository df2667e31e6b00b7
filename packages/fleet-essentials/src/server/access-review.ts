import { LRUCache } from 'lru-cache';
import type { Identity, KubeEndpoint } from './kube-endpoint.js';

export interface AccessQuestion {
  verb: string;
  group: string;
  resource: string;
  /** Omit for all namespaces. */
  namespace?: string;
  /** One object by name (a Secret the user may read while other Secrets stay closed). */
  name?: string;
}

const TTL_MS = 30_000;
/** Answers remembered at most (a few per namespace per signed-in user); the least recently used go first. */
export const MAX_ACCESS_ANSWERS = 50_000;

/**
 * Asks the API server, as the user, whether they may do something
 * (SelfSubjectAccessReview), and remembers the answer briefly so a list page
 * does not cost a review per row. The server's caches are only ever shown
 * through this check. Answers expire after 30 s, are bounded in number, and a
 * session's answers go when it signs out.
 */
export class AccessReviewer {
  private readonly answers: LRUCache<string, { allowed: boolean }>;

  constructor(
    private readonly endpoint: KubeEndpoint,
    now: () => number = Date.now,
    maxAnswers = MAX_ACCESS_ANSWERS,
  ) {
    this.answers = new LRUCache({ max: maxAnswers, ttl: TTL_MS, perf: { now } });
  }

  async allowed(identity: Identity, sessionKey: string, question: AccessQuestion): Promise<boolean> {
    const key = `${sessionKey}|${question.verb}|${question.group}|${question.resource}|${question.namespace ?? '*'}|${question.name ?? '*'}`;
    const cached = this.answers.get(key);
    if (cached) return cached.allowed;
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
            ...(question.name ? { name: question.name } : {}),
          },
        },
      },
    });
    const allowed = response.status === 201 && response.body.status?.allowed === true;
    this.answers.set(key, { allowed });
    return allowed;
  }

  /** Drops a session's answers (at sign-out). */
  forget(sessionKey: string): void {
    for (const key of this.answers.keys()) if (key.startsWith(`${sessionKey}|`)) this.answers.delete(key);
  }

  get size(): number {
    return this.answers.size;
  }
}
