// Writes Fleet Essentials' Helm chart (chart/fleet-essentials) from package.json's version and the
// resources the server's caches watch (src/server/cluster-cache.ts, through the build). Run through
// `npm run generate` (after the build; the release's `npm run version-packages` runs it too).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fleetEssentialsHelmChart, writeHelmChart } from '@immutable-infra/provider-kit/generate';
import { CACHED_RESOURCES } from '../dist/index.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
writeHelmChart(
  `${packageDir}charts/fleet-essentials`,
  fleetEssentialsHelmChart({ version: manifest.version, watched: CACHED_RESOURCES }),
);
