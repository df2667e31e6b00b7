import { gunzipSync, gzipSync } from 'node:zlib';
import type { BootstrapData } from '@immutable-infra/core';

/** The literal tokens the documentation tells users to put in kubelet arguments. */
export interface BootstrapTokenValues {
  PROVIDER_ID: string;
  NODE_IP: string;
}

const TOKEN = /\b(PROVIDER_ID|NODE_IP)\b/g;

function replaceTokens(text: string, values: BootstrapTokenValues): string {
  return text.replace(TOKEN, (token) => values[token as keyof BootstrapTokenValues]);
}

interface IgnitionFile {
  contents?: { source?: string; compression?: string };
  append?: { source?: string; compression?: string }[];
}

interface IgnitionConfig {
  storage?: { files?: IgnitionFile[] };
  systemd?: { units?: { contents?: string; dropins?: { contents?: string }[] }[] };
}

/**
 * Replaces PROVIDER_ID and NODE_IP in bootstrap data. Ignition keeps file
 * contents in data URLs (percent-encoded or base64, maybe gzip-compressed), so
 * each is decoded, substituted and encoded again the same way; cloud-config is
 * plain text.
 */
export function substituteBootstrapTokens(data: BootstrapData, values: BootstrapTokenValues): BootstrapData {
  if (data.format !== 'ignition') return { ...data, value: replaceTokens(data.value, values) };
  const config = JSON.parse(data.value) as IgnitionConfig;
  for (const file of config.storage?.files ?? []) {
    for (const part of [file.contents, ...(file.append ?? [])]) {
      if (part?.source) part.source = substituteInDataUrl(part.source, part.compression, values);
    }
  }
  for (const unit of config.systemd?.units ?? []) {
    if (unit.contents) unit.contents = replaceTokens(unit.contents, values);
    for (const dropin of unit.dropins ?? []) {
      if (dropin.contents) dropin.contents = replaceTokens(dropin.contents, values);
    }
  }
  return { ...data, value: JSON.stringify(config) };
}

function substituteInDataUrl(
  source: string,
  compression: string | undefined,
  values: BootstrapTokenValues,
): string {
  const match = /^data:([^,]*),(.*)$/s.exec(source);
  if (!match) return source;
  const [, meta = '', payload = ''] = match;
  const base64 = meta.split(';').includes('base64');
  let bytes = base64 ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'utf8');
  const gzip = compression === 'gzip';
  if (gzip) bytes = gunzipSync(bytes);
  const replaced = Buffer.from(replaceTokens(bytes.toString('utf8'), values), 'utf8');
  const out = gzip ? gzipSync(replaced) : replaced;
  return `data:${meta},${base64 ? out.toString('base64') : encodeURIComponent(out.toString('utf8'))}`;
}
