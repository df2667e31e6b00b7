import type { z } from 'zod';
import { HcsError } from '../model/hcs-error.js';

/**
 * Parses a request body with a zod schema; a failure answers 400 with the service's
 * invalid-parameter code, naming the first bad field.
 */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown, code: string): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue ? fieldPath(issue.path) : '';
  throw new HcsError(400, code, `Invalid parameter ${field || 'body'}: ${issue?.message ?? 'invalid'}`);
}

/** `server.nics[0].subnet_id` from a zod issue path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}
