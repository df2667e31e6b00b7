import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The manager's Prometheus metrics, in a registry of its own. */
export function createMetrics() {
  const registry = new Registry();
  // Resident memory, heap and event-loop lag, as every Prometheus client exposes them, so a fleet's
  // memory per watched object can be read from outside (the scale and watch-memory benchmarks do).
  collectDefaultMetrics({ register: registry });
  const reconciles = new Counter({
    name: 'iinfra_reconcile_total',
    help: 'Reconciles by kind and result.',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
  });
  const reconcileDuration = new Histogram({
    name: 'iinfra_reconcile_duration_seconds',
    help: 'Time spent in one reconcile, by kind.',
    labelNames: ['kind'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const queueDepth = new Gauge({
    name: 'iinfra_workqueue_depth',
    help: 'Keys waiting in the work queue, by kind.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const platformCalls = new Counter({
    name: 'iinfra_platform_api_calls_total',
    help: 'Calls to a platform API, by platform, operation and result.',
    labelNames: ['platform', 'operation', 'result'] as const,
    registers: [registry],
  });
  const platformCallDuration = new Histogram({
    name: 'iinfra_platform_api_call_duration_seconds',
    help: 'Latency of platform API calls, by platform and operation.',
    labelNames: ['platform', 'operation'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const watchAge = new Gauge({
    name: 'iinfra_informer_watch_last_activity_seconds',
    help: 'Seconds since each informer watch last saw an event or bookmark.',
    labelNames: ['resource'] as const,
    registers: [registry],
  });
  const relists = new Gauge({
    name: 'iinfra_informer_relists',
    help: 'Full lists an informer has made (1 at start, more after 410 Gone).',
    labelNames: ['resource'] as const,
    registers: [registry],
  });
  const cachedObjects = new Gauge({
    name: 'iinfra_informer_objects',
    help: 'Objects each informer holds in its cache.',
    labelNames: ['resource'] as const,
    registers: [registry],
  });
  const kubeRequests = new Counter({
    name: 'iinfra_kube_requests_total',
    help: 'Requests to the Kubernetes API server, by method, resource (plural), subresource (status, or empty) and status code.',
    labelNames: ['method', 'resource', 'subresource', 'code'] as const,
    registers: [registry],
  });
  const statusWrites = new Counter({
    name: 'iinfra_status_writes_total',
    help: "Status writes the host made, by kind, what they changed (fields; conditions by type and part) and the Ready condition's reason they left.",
    labelNames: ['kind', 'change', 'ready'] as const,
    registers: [registry],
  });
  const leader = new Gauge({
    name: 'iinfra_leader',
    help: '1 while this manager holds the leader lease.',
    registers: [registry],
  });
  return {
    registry,
    reconciles,
    reconcileDuration,
    queueDepth,
    platformCalls,
    platformCallDuration,
    watchAge,
    relists,
    cachedObjects,
    kubeRequests,
    statusWrites,
    leader,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
