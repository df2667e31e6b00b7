import { createHash, randomUUID } from 'node:crypto';

/** A UUID that is always the same for the same kind and name, so the default inventory has fixed ids. */
export function stableUuid(kind: string, name: string): string {
  const hex = createHash('sha256').update(`${kind}/${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A fresh UUID for a created resource. */
export function newUuid(): string {
  return randomUUID();
}

/** Project and job ids on Huawei Cloud are 32 hex digits without dashes. */
export function newHexId(): string {
  return randomUUID().replace(/-/g, '');
}
