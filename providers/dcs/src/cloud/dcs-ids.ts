/**
 * URN and URI of one DCS object name the same thing: `urn:sites:<S>:vms:i-1` is
 * `/service/sites/<S>/vms/i-1`. The API takes URNs in bodies and URIs in paths, and status
 * fields keep whichever the API gave, so the client converts between them.
 */

export function urnToUri(urn: string): string {
  if (!urn.startsWith('urn:sites:')) throw new Error(`not a DCS URN: ${urn}`);
  return `/service/sites/${urn.slice('urn:sites:'.length).split(':').join('/')}`;
}

export function uriToUrn(uri: string): string {
  const path = uri.startsWith('/') ? uri : new URL(uri).pathname;
  if (!path.startsWith('/service/sites/')) throw new Error(`not a DCS URI: ${uri}`);
  return `urn:sites:${path.slice('/service/sites/'.length).replace(/\/$/, '').split('/').join(':')}`;
}

/** A URI as given, or the URI of a URN. */
export function toUri(uriOrUrn: string): string {
  return uriOrUrn.startsWith('urn:') ? urnToUri(uriOrUrn) : uriOrUrn;
}

/** A URN as given, or the URN of a URI. */
export function toUrn(uriOrUrn: string): string {
  return uriOrUrn.startsWith('urn:') ? uriOrUrn : uriToUrn(uriOrUrn);
}
