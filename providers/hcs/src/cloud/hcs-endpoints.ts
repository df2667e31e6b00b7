/** The HCS services the provider calls. */
export type HcsService = 'iam' | 'ecs' | 'evs' | 'vpc' | 'ims' | 'elb';

export interface HcsRegion {
  region: string;
  /** The platform's domain, optionally with a port: `hcs.example.com` or `hcs.example.com:8443`. */
  externalGlobalDomain: string;
  scheme: 'https' | 'http';
}

/**
 * The base URL of a service in a region: one host per service,
 * `{scheme}://{service}.{region}.{externalGlobalDomain}`, as the credential Secret's keys imply.
 */
export function serviceEndpoint(service: HcsService, region: HcsRegion): URL {
  return new URL(`${region.scheme}://${service}.${region.region}.${region.externalGlobalDomain}`);
}
