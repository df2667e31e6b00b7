// The audit log read back: one account's calls (a watch counted at its start), and the report that
// holds them against a ClusterRole and a Role.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Grant, permissionReport, readAuditedCalls } from '../src/api-audit.js';

const scratch = mkdtempSync(join(tmpdir(), 'iinfra-audit-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SA = 'system:serviceaccount:ns:manager';
const event = (stage: string, verb: string, objectRef: object | undefined, code: number, username = SA) =>
  JSON.stringify({
    stage,
    verb,
    requestURI: objectRef ? '/apis/x' : '/apis?timeout=32s',
    user: { username },
    ...(objectRef ? { objectRef } : {}),
    responseStatus: { code },
  });

const MACHINES = { apiGroup: 'cluster.x-k8s.io', resource: 'machines', namespace: 'ns' };
const log = join(scratch, 'audit.log');
writeFileSync(
  log,
  [
    event('ResponseComplete', 'list', MACHINES, 200),
    event('ResponseStarted', 'watch', MACHINES, 200),
    // The same watch, ended: counted once, at its start.
    event('ResponseComplete', 'watch', MACHINES, 200),
    event('ResponseComplete', 'get', { resource: 'secrets', namespace: 'ns', name: 'cred' }, 200),
    event(
      'ResponseComplete',
      'patch',
      {
        resource: 'dcsmachines',
        subresource: 'status',
        apiGroup: 'infrastructure.cluster.x-k8s.io',
        namespace: 'ns',
        name: 'm',
      },
      200,
    ),
    event('ResponseComplete', 'list', { resource: 'secrets' }, 403),
    event(
      'ResponseComplete',
      'update',
      { apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'ns', name: 'l' },
      200,
    ),
    event(
      'ResponseComplete',
      'get',
      { apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'other', name: 'l' },
      200,
    ),
    event('ResponseComplete', 'get', undefined, 200),
    event('ResponseComplete', 'delete', MACHINES, 200, 'admin'),
    '',
  ].join('\n'),
);

const grants: Grant[] = [
  {
    source: 'ClusterRole/manager',
    rules: [
      {
        apiGroups: ['cluster.x-k8s.io'],
        resources: ['clusters', 'machines'],
        verbs: ['get', 'list', 'watch'],
      },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'patch'] },
      { apiGroups: ['infrastructure.cluster.x-k8s.io'], resources: ['*/status'], verbs: ['patch'] },
    ],
  },
  {
    source: 'Role/leader-election',
    namespace: 'ns',
    rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'] }],
  },
];

describe('readAuditedCalls', () => {
  it("reads one account's calls, with subresources, a watch once, and non-resource paths", () => {
    const calls = readAuditedCalls(log, SA);
    expect(calls.map((c) => `${c.verb} ${c.resource ?? c.path} ${c.code}`)).toEqual([
      'list machines 200',
      'watch machines 200',
      'get secrets 200',
      'patch dcsmachines/status 200',
      'list secrets 403',
      'update leases 200',
      'get leases 200',
      'get /apis 200',
    ]);
  });

  it('answers no calls for a log that is not there', () => {
    expect(readAuditedCalls(join(scratch, 'none.log'), SA)).toEqual([]);
  });
});

describe('permissionReport', () => {
  const report = permissionReport(grants, readAuditedCalls(log, SA));

  it('names refused calls, and calls no grant allows (a Role holds in its namespace only)', () => {
    expect(report.forbidden.map((c) => `${c.verb} ${c.resource}`)).toEqual(['list secrets']);
    expect(report.outsideGrants.map((c) => `${c.verb} ${c.resource} ${c.namespace}`)).toEqual([
      'get leases other',
    ]);
  });

  it('lists what was used, and each verb of a rule nothing used', () => {
    expect(report.used).toEqual([
      'cluster.x-k8s.io/machines list',
      'cluster.x-k8s.io/machines watch',
      'coordination.k8s.io/leases get',
      'coordination.k8s.io/leases update',
      'core/secrets get',
      'infrastructure.cluster.x-k8s.io/dcsmachines/status patch',
    ]);
    expect(report.unused).toEqual([
      'ClusterRole/manager: cluster.x-k8s.io clusters,machines get',
      'ClusterRole/manager: core secrets patch',
      'Role/leader-election: coordination.k8s.io leases get',
    ]);
  });
});
