/**
 * URNs and URIs of one site: `urn:sites:<S>:<collection>:<id>` and `/service/sites/<S>/<collection>/<id>`.
 * Port groups nest under their DV switch.
 */
export class SiteAddress {
  readonly urn: string;
  readonly uri: string;

  constructor(readonly siteId: string) {
    this.urn = `urn:sites:${siteId}`;
    this.uri = `/service/sites/${siteId}`;
  }

  urnOf(collection: string, id: string): string {
    return `${this.urn}:${collection}:${id}`;
  }

  uriOf(collection: string, id: string): string {
    return `${this.uri}/${collection}/${id}`;
  }

  portGroupUrn(dvSwitchId: string, portGroupId: string): string {
    return `${this.urnOf('dvswitchs', dvSwitchId)}:portgroups:${portGroupId}`;
  }

  portGroupUri(dvSwitchId: string, portGroupId: string): string {
    return `${this.uriOf('dvswitchs', dvSwitchId)}/portgroups/${portGroupId}`;
  }

  /** The id in `urn` when it names an object of `collection` in this site. */
  idIn(urn: string, collection: string): string | undefined {
    const prefix = `${this.urn}:${collection}:`;
    if (!urn.startsWith(prefix)) return undefined;
    const id = urn.slice(prefix.length);
    return id && !id.includes(':') ? id : undefined;
  }
}
