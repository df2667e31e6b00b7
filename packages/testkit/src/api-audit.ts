import { readFileSync } from 'node:fs';

/**
 * The kube-apiserver's audit log, read back to prove what a service account did: which calls it
 * made, whether RBAC refused any, and which of the rules it was granted it never needed. The
 * policy logs every request of a service account at Metadata level (no bodies, so no Secret data
 * reaches the log); nothing of admin or the control plane's own users. A watch is logged when its
 * response starts (ResponseStarted, only long-running requests have that stage), every other
 * request when it completes.
 */
export const SERVICE_ACCOUNT_AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived", "Panic"]
rules:
  - level: Metadata
    userGroups: ["system:serviceaccounts"]
  - level: None
`;

/** The kube-apiserver flags that write `SERVICE_ACCOUNT_AUDIT_POLICY`'s log (JSON lines) to `logPath`. */
export function auditFlags(policyPath: string, logPath: string): string[] {
  return [
    `--audit-policy-file=${policyPath}`,
    `--audit-log-path=${logPath}`,
    '--audit-log-format=json',
    // The log backend writes each event before the response returns: a test reads it at once.
    '--audit-log-mode=blocking',
    '--audit-log-maxsize=0',
  ];
}

/** One API request as the audit log records it. */
export interface AuditedCall {
  verb: string;
  /** '' for the core group. */
  apiGroup: string;
  /** With its subresource as RBAC names it: `machines/status`. Undefined for a non-resource URL. */
  resource?: string;
  namespace?: string;
  name?: string;
  /** The non-resource URL (`/api`, `/version`), for calls that are not about a resource. */
  path?: string;
  code: number;
}

interface AuditEvent {
  stage?: string;
  verb?: string;
  requestURI?: string;
  user?: { username?: string };
  objectRef?: {
    apiGroup?: string;
    resource?: string;
    subresource?: string;
    namespace?: string;
    name?: string;
  };
  responseStatus?: { code?: number };
}

/** Every completed request `username` made, in log order. A missing log is an empty one. */
export function readAuditedCalls(logPath: string, username: string): AuditedCall[] {
  let text: string;
  try {
    text = readFileSync(logPath, 'utf8');
  } catch {
    return [];
  }
  const calls: AuditedCall[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const event = JSON.parse(line) as AuditEvent;
    if (event.user?.username !== username) continue;
    // A watch still open when the log is read has no ResponseComplete yet; count it once, at its start.
    const counted =
      event.verb === 'watch' ? event.stage === 'ResponseStarted' : event.stage === 'ResponseComplete';
    if (!counted) continue;
    const ref = event.objectRef;
    const call: AuditedCall = {
      verb: event.verb ?? '',
      apiGroup: ref?.apiGroup ?? '',
      code: event.responseStatus?.code ?? 0,
    };
    if (ref?.resource) {
      call.resource = ref.subresource ? `${ref.resource}/${ref.subresource}` : ref.resource;
      if (ref.namespace) call.namespace = ref.namespace;
      if (ref.name) call.name = ref.name;
    } else {
      call.path = (event.requestURI ?? '').split('?')[0] ?? '';
    }
    calls.push(call);
  }
  return calls;
}

/** A rule of a ClusterRole or Role, as RBAC reads it. */
export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

/** Rules and where they apply: a ClusterRole bound cluster-wide (no namespace) or a Role in its namespace. */
export interface Grant {
  source: string;
  namespace?: string;
  rules: PolicyRule[];
}

const matches = (values: readonly string[] | undefined, value: string) =>
  values !== undefined && (values.includes('*') || values.includes(value));

function resourceMatches(resources: readonly string[] | undefined, resource: string): boolean {
  if (matches(resources, resource)) return true;
  // `*/status` grants the status subresource of every resource.
  const slash = resource.indexOf('/');
  return slash > 0 && matches(resources, `*${resource.slice(slash)}`);
}

function allows(grant: Grant, rule: PolicyRule, call: AuditedCall): boolean {
  if (call.resource === undefined) return false;
  if (grant.namespace !== undefined && call.namespace !== grant.namespace) return false;
  if (!matches(rule.verbs, call.verb) || !matches(rule.apiGroups, call.apiGroup)) return false;
  if (!resourceMatches(rule.resources, call.resource)) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0) {
    return call.name !== undefined && rule.resourceNames.includes(call.name);
  }
  return true;
}

/**
 * What every authenticated user may do without a grant of ours (the API server's bootstrap
 * roles `system:discovery`, `system:basic-user`, `system:public-info-viewer`): discovery and
 * version paths and reviews of one's own access.
 */
function grantedToEveryone(call: AuditedCall): boolean {
  if (call.path !== undefined) return true;
  return (
    (call.apiGroup === 'authorization.k8s.io' &&
      ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'].includes(call.resource ?? '')) ||
    (call.apiGroup === 'authentication.k8s.io' && call.resource === 'selfsubjectreviews')
  );
}

/** `group/resource verb` for a call or a rule's entry; the core group is spelled `core`. */
export const permissionName = (apiGroup: string, resource: string, verb: string) =>
  `${apiGroup === '' ? 'core' : apiGroup}/${resource} ${verb}`;

/** `ClusterRole/x: cluster.x-k8s.io clusters,machines get`: one verb of one rule of a grant. */
const ruleVerbName = (grant: Grant, rule: PolicyRule, verb: string) =>
  `${grant.source}: ${(rule.apiGroups ?? []).map((g) => (g === '' ? 'core' : g)).join(',')} ${(rule.resources ?? []).join(',')} ${verb}`;

export interface PermissionReport {
  /** Calls the API server refused with 403: a permission the grants lack. */
  forbidden: AuditedCall[];
  /** Calls that succeeded although no grant allows them (an aggregated or default role did). */
  outsideGrants: AuditedCall[];
  /**
   * Each verb of a rule no call used, as `<grant>: <groups> <resources> <verb>`: candidates for
   * removal. A verb counts as used when a call of it matched the rule, on any of its resources.
   */
  unused: string[];
  /** Distinct permissions the calls used, sorted: `group/resource verb`. */
  used: string[];
}

/**
 * The grants of the kit's alive ModuleInfo rules (`ALIVE_MODULE_RBAC_RULES`) as `permissionProblems`
 * takes them, each marked not exercised for `reason`: the module kinds are asked for only for a
 * self-built VIP on a platform that serves them, which a provider's self-built VIP test plays and an
 * end to end on a bare management plane does not.
 */
export function aliveModuleGrantsNotExercised(reason: string): Record<string, string> {
  return {
    'cluster.alauda.io moduleinfoes get': reason,
    'cluster.alauda.io moduleinfoes create': reason,
    'cluster.alauda.io moduleinfoes patch': reason,
    'cluster.alauda.io moduleplugins,moduleconfigs,clustermodules get': reason,
  };
}

/** Holds the calls a service account made against the rules it was granted. */
export function permissionReport(grants: readonly Grant[], calls: readonly AuditedCall[]): PermissionReport {
  const forbidden = calls.filter((call) => call.code === 403);
  const outsideGrants: AuditedCall[] = [];
  const usedEntries = new Set<string>();
  const used = new Set<string>();
  for (const call of calls) {
    if (call.code === 403 || grantedToEveryone(call)) continue;
    used.add(permissionName(call.apiGroup, call.resource ?? '', call.verb));
    let granted = false;
    for (const grant of grants) {
      for (const rule of grant.rules) {
        if (!allows(grant, rule, call)) continue;
        granted = true;
        usedEntries.add(ruleVerbName(grant, rule, rule.verbs.includes(call.verb) ? call.verb : '*'));
      }
    }
    if (!granted) outsideGrants.push(call);
  }
  const unused: string[] = [];
  for (const grant of grants)
    for (const rule of grant.rules)
      for (const verb of rule.verbs) {
        const name = ruleVerbName(grant, rule, verb);
        if (!usedEntries.has(name) && !unused.includes(name)) unused.push(name);
      }
  return { forbidden, outsideGrants, unused, used: [...used].sort() };
}
