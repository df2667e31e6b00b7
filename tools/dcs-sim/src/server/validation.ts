import type { z } from 'zod';
import { DcsError } from '../model/dcs-error.js';

/** Parses a request body with a zod schema; a failure answers 400 naming the first bad field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue ? fieldPath(issue.path) : '';
  throw DcsError.invalid(field || 'body', issue?.message ?? 'invalid');
}

/** `vmConfig.disks[0].quantityGB` from a zod issue path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}
