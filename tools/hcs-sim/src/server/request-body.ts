import type { IncomingMessage } from 'node:http';
import { Gateway } from '../model/hcs-error.js';

/** JSON bodies are small; anything larger is a client bug, not a payload. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The raw request body: AK/SK verification hashes the exact bytes before they are parsed. */
export async function readRawBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw Gateway.tooLarge(MAX_BODY_BYTES);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The JSON of a body; an empty body counts as `{}` (clients send none on GET and DELETE). */
export function parseJson(raw: Buffer): unknown {
  const text = raw.toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw Gateway.badJson();
  }
}
