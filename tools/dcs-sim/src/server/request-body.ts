import type { IncomingMessage } from 'node:http';
import { DcsError, ErrorCode } from '../model/dcs-error.js';

/** JSON bodies are small; anything larger is a client bug, not a payload. */
const MAX_JSON_BYTES = 1024 * 1024;

/**
 * The JSON body of a request. An empty body counts as `{}` because real clients send either on
 * every verb (Huawei's Nova driver sends `{}` even on GET).
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES)
      throw new DcsError(413, ErrorCode.invalidParameter, `request body larger than ${MAX_JSON_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new DcsError(400, ErrorCode.invalidParameter, 'the request body is not valid JSON');
  }
}
