#!/usr/bin/env node
// `npm run images [name...]`: builds the images (all by default: manager-dcs, manager-hcs,
// manager-vsphere, manager-baremetal, fleet-essentials) into OCI image layouts under dist/images (or --out <dir>),
// printing progress to stderr and each image's reference and digest to stdout.
import { resolve } from 'node:path';
import { buildImages } from './src/images.ts';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outDir = outIndex >= 0 ? resolve(args[outIndex + 1] ?? 'dist/images') : undefined;
const only = args.filter((a, i) => !a.startsWith('--') && (outIndex < 0 || i !== outIndex + 1));
const started = Date.now();
const result = await buildImages({
  ...(outDir ? { outDir } : {}),
  ...(only.length ? { only } : {}),
  onProgress: (message) => process.stderr.write(`images: ${message}\n`),
});
for (const image of result.images)
  process.stdout.write(`${image.reference}@${image.digest}\t${image.layout}\n`);
process.stderr.write(
  `images: ${result.images.length} built in ${Math.round((Date.now() - started) / 1000)}s\n`,
);
