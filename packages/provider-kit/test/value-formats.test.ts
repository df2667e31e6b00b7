import { describe, expect, it } from 'vitest';
import {
  DNS1123_SUBDOMAIN,
  DnsServers,
  dnsServerList,
  Ipv4Address,
  LOAD_BALANCER_HOST,
  parseGoDuration,
  SubnetMask,
} from '../src/kinds/index.js';

describe('value formats', () => {
  it('takes contiguous dotted masks and prefix lengths, and refuses holes and slashes', () => {
    for (const mask of ['255.255.255.0', '255.255.254.0', '255.0.0.0', '0.0.0.0', '24', '0', '32'])
      expect(SubnetMask.safeParse(mask).success, mask).toBe(true);
    for (const mask of ['255.0.255.0', '255.255.255.1', '/24', '33', '255.255.255.0/24'])
      expect(SubnetMask.safeParse(mask).success, mask).toBe(false);
  });

  it('splits DNS servers on commas or semicolons, with spaces around them', () => {
    for (const value of ['10.0.0.2', '10.0.0.2,10.0.0.3', '10.0.0.2 ; 10.0.0.3'])
      expect(DnsServers.safeParse(value).success, value).toBe(true);
    for (const value of ['10.0.0.2 10.0.0.3', '10.0.0.2,', 'dns.example'])
      expect(DnsServers.safeParse(value).success, value).toBe(false);
    expect(dnsServerList('10.0.0.2 ; 10.0.0.3,10.0.0.4')).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4']);
  });

  it('tells addresses and names apart as Kubernetes and load balancers need them', () => {
    expect(Ipv4Address.safeParse('192.168.1.11').success).toBe(true);
    expect(Ipv4Address.safeParse('192.168.1.256').success).toBe(false);
    expect(DNS1123_SUBDOMAIN.test('worker-1.example.org')).toBe(true);
    expect(DNS1123_SUBDOMAIN.test('Worker_1')).toBe(false);
    for (const host of ['10.0.0.10', 'LB.example.com', 'fd00::10'])
      expect(LOAD_BALANCER_HOST.test(host), host).toBe(true);
    for (const host of ['https://lb', 'lb:6443', 'lb example'])
      expect(LOAD_BALANCER_HOST.test(host), host).toBe(false);
  });
});

describe('Go durations in a kind spec', () => {
  it('reads hours, minutes, seconds and milliseconds, and leaves an unreadable one to the default', () => {
    expect(parseGoDuration('5m')).toBe(300_000);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5s')).toBe(1_500);
    expect(parseGoDuration('250ms')).toBe(250);
    for (const unreadable of [undefined, '', '5', '5 m', '-1m', '1d'])
      expect(parseGoDuration(unreadable)).toBeUndefined();
  });
});
