// A small SPDX 2.3 JSON document per image: the Debian packages of the base layer (version,
// architecture, the .deb's SHA-256), the Node runtime (the npm package it comes from, its
// integrity) and every npm package installed in /app (version, integrity, from the lockfile).
import { createHash } from 'node:crypto';
import type { DebianPackage } from './base-layer.ts';
import type { ImageSpec } from './images.ts';

export interface NodeRuntime {
  /** The toolchain's install directory (bin/node inside). */
  dir: string;
  packageName: string;
  version: string;
  /** The npm package's SRI integrity, from tools/toolchain/node.lock. */
  integrity: string;
}

export interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo: string;
  downloadLocation: 'NOASSERTION';
  filesAnalyzed: false;
  licenseConcluded?: string;
  checksums?: { algorithm: string; checksumValue: string }[];
  externalRefs: { referenceCategory: 'PACKAGE-MANAGER'; referenceType: 'purl'; referenceLocator: string }[];
  comment?: string;
}

const spdxId = (kind: string, name: string, version: string) =>
  `SPDXRef-${kind}-${`${name}-${version}`.replace(/[^A-Za-z0-9.-]/g, '-')}`;

/** SRI `sha512-<base64>` as SPDX's algorithm and hex value. */
function sriChecksum(integrity: string | undefined) {
  const match = /^(sha\d+)-(.+)$/.exec(integrity ?? '');
  if (!match?.[1] || !match[2]) return [];
  return [
    { algorithm: match[1].toUpperCase(), checksumValue: Buffer.from(match[2], 'base64').toString('hex') },
  ];
}

const npmPurl = (name: string, version: string) =>
  `pkg:npm/${name.startsWith('@') ? `%40${name.slice(1)}` : name}@${version}`;

export function spdxDocument(
  spec: ImageSpec,
  debs: DebianPackage[],
  node: NodeRuntime,
  lock: { packages: Record<string, { version?: string; integrity?: string; license?: string }> },
) {
  const packages: SpdxPackage[] = [];
  for (const deb of debs)
    packages.push({
      SPDXID: spdxId('deb', deb.name, deb.version),
      name: deb.name,
      versionInfo: deb.version,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      checksums: [{ algorithm: 'SHA256', checksumValue: deb.sha256 }],
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: `pkg:deb/debian/${deb.name}@${encodeURIComponent(deb.version)}?arch=${deb.architecture}`,
        },
      ],
      comment: deb.filename,
    });
  packages.push({
    SPDXID: spdxId('npm', 'node', node.version),
    name: 'node',
    versionInfo: node.version,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    checksums: sriChecksum(node.integrity),
    externalRefs: [
      {
        referenceCategory: 'PACKAGE-MANAGER',
        referenceType: 'purl',
        referenceLocator: npmPurl(node.packageName, node.version),
      },
    ],
    comment: `/usr/local/bin/node, from the npm package ${node.packageName}@${node.version}`,
  });
  const seen = new Set<string>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.startsWith('node_modules/') || !entry.version) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const id = spdxId('npm', name, entry.version);
    if (seen.has(id)) continue;
    seen.add(id);
    packages.push({
      SPDXID: id,
      name,
      versionInfo: entry.version,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      ...(entry.license ? { licenseConcluded: 'NOASSERTION' } : {}),
      checksums: sriChecksum(entry.integrity),
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: npmPurl(name, entry.version),
        },
      ],
      comment: `/app/${path}`,
    });
  }
  const namespaceHash = createHash('sha256').update(JSON.stringify(packages)).digest('hex').slice(0, 32);
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${spec.repository}:${spec.tag}`,
    documentNamespace: `urn:immutable-infra:sbom:${spec.name}:${spec.tag}:${namespaceHash}`,
    creationInfo: { created: '1970-01-01T00:00:00Z', creators: ['Tool: @immutable-infra/image-tools'] },
    packages,
    relationships: packages.map((p) => ({
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: p.SPDXID,
    })),
  };
}
