import type { FieldProblem } from '@immutable-infra/core';
import { maskPrefix, parseIpv4, sameSubnet } from '@immutable-infra/ui-kit';
import type { z } from 'zod';
import { DNS1123_SUBDOMAIN } from '../../api/common.js';
import { DCSIpHostnamePoolSpec, type NicConfig } from '../../api/dcs-ip-hostname-pool.js';

export type PoolSpec = z.input<typeof DCSIpHostnamePoolSpec>;
type Nic = z.input<typeof NicConfig>;

/**
 * Every problem of an IP pool's entries, each naming its field
 * (`pool.0.gateway`, `pool.1.additionNic.0.portGroupName`): the documented
 * rules (at least one entry, valid IPv4, IPs unique in the pool, a mask given
 * as a prefix length or dotted and contiguous, IP and gateway in the same
 * subnet, DNS servers separated by commas or semicolons, a DNS-1123 hostname,
 * switch and port group for additional NICs) and then whatever the schema itself refuses.
 */
export function validatePoolSpec(spec: PoolSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const report = (field: string, message: string) => {
    if (!problems.some((problem) => problem.field === field)) problems.push({ field, message });
  };
  const entries = spec.pool ?? [];
  if (entries.length === 0) report('pool', 'add at least one node entry');

  const owners = new Map<string, string>();
  const claim = (field: string, ip: string | undefined) => {
    if (!ip || parseIpv4(ip) === undefined) return;
    const first = owners.get(ip);
    if (first) report(field, `${ip} is already used by ${first}; IPs must be unique in the pool`);
    else owners.set(ip, field);
  };

  entries.forEach((entry, i) => {
    const at = `pool.${i}`;
    checkNic(entry, at, true, report);
    claim(`${at}.ip`, entry.ip);
    if (entry.hostname && (entry.hostname.length > 63 || !DNS1123_SUBDOMAIN.test(entry.hostname)))
      report(
        `${at}.hostname`,
        'lowercase letters, digits, hyphens and dots, at most 63, each part starting and ending alphanumeric',
      );
    (entry.additionNic ?? []).forEach((nic, j) => {
      const nicAt = `${at}.additionNic.${j}`;
      checkNic(nic, nicAt, false, report);
      claim(`${nicAt}.ip`, nic.ip);
    });
  });

  const parsed = DCSIpHostnamePoolSpec.safeParse(spec);
  if (!parsed.success)
    for (const issue of parsed.error.issues) report(issue.path.join('.') || 'pool', issue.message);
  return problems;
}

function checkNic(
  nic: Nic,
  at: string,
  nodeNic: boolean,
  report: (field: string, message: string) => void,
): void {
  const ip = nic.ip ? parseIpv4(nic.ip) : undefined;
  if (!nic.ip) report(`${at}.ip`, 'IP is required');
  else if (ip === undefined) report(`${at}.ip`, `${nic.ip} is not an IPv4 address`);

  let prefix: number | undefined;
  if (!nic.mask) report(`${at}.mask`, 'subnet mask is required');
  else if (nic.mask.includes('/'))
    report(
      `${at}.mask`,
      `give the mask as a prefix length without the slash, e.g. ${nic.mask.replace('/', '')}`,
    );
  else if (!/^\d{1,2}$/.test(nic.mask.trim())) {
    prefix = maskPrefix(nic.mask);
    if (prefix === undefined)
      report(
        `${at}.mask`,
        parseIpv4(nic.mask) === undefined
          ? `${nic.mask} is not a subnet mask; give a prefix length such as 24 or a mask such as 255.255.255.0`
          : `${nic.mask} is not a contiguous mask; the 1 bits must come first, as in 255.255.255.0`,
      );
    else if (prefix < 1) report(`${at}.mask`, 'the mask must keep at least one network bit');
  } else {
    prefix = maskPrefix(nic.mask);
    if (prefix === undefined || prefix < 1) report(`${at}.mask`, 'the prefix length must be 1 to 32');
  }

  const gateway = nic.gateway ? parseIpv4(nic.gateway) : undefined;
  if (!nic.gateway) report(`${at}.gateway`, 'gateway is required');
  else if (gateway === undefined) report(`${at}.gateway`, `${nic.gateway} is not an IPv4 address`);

  if (ip !== undefined && gateway !== undefined && prefix !== undefined && prefix >= 1) {
    if (!sameSubnet(ip, gateway, prefix))
      report(`${at}.gateway`, `gateway ${nic.gateway} is outside the subnet of ${nic.ip}/${prefix}`);
    else if (ip === gateway) report(`${at}.ip`, 'the IP is the gateway itself');
    else if (prefix <= 30) {
      const size = 2 ** (32 - prefix);
      const offset = ip % size;
      if (offset === 0) report(`${at}.ip`, `${nic.ip} is the network address of /${prefix}`);
      else if (offset === size - 1) report(`${at}.ip`, `${nic.ip} is the broadcast address of /${prefix}`);
    }
  }

  if (nic.dns) {
    const bad = nic.dns
      .split(/[,;]/)
      .map((server) => server.trim())
      .find((server) => parseIpv4(server) === undefined);
    if (bad !== undefined)
      report(
        `${at}.dns`,
        `${bad || '(empty)'} is not an IPv4 address; separate servers with commas or semicolons`,
      );
  }
  if (!nodeNic) {
    if (!nic.dvSwitchName) report(`${at}.dvSwitchName`, 'an additional NIC needs its DV switch');
    if (!nic.portGroupName) report(`${at}.portGroupName`, 'an additional NIC needs its port group');
  } else if (nic.portGroupName && !nic.dvSwitchName) {
    report(`${at}.dvSwitchName`, 'choose the DV switch the port group belongs to');
  }
}

/** Entries as the form edits them: masks shown as prefix lengths, whatever form they were stored in. */
export function withPrefixMasks(spec: PoolSpec): PoolSpec {
  const normalize = <T extends { mask?: string | undefined }>(nic: T): T => {
    if (!nic.mask) return nic;
    const prefix = maskPrefix(nic.mask);
    return prefix === undefined ? nic : { ...nic, mask: String(prefix) };
  };
  return {
    pool: (spec.pool ?? []).map((entry) => ({
      ...normalize(entry),
      ...(entry.additionNic ? { additionNic: entry.additionNic.map(normalize) } : {}),
    })),
  };
}
