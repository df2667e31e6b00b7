import { DcsError } from '../model/dcs-error.js';

/** The platform's page size limit, also the page size when `limit` is left out (modelled). */
export const MAX_PAGE_SIZE = 100;

/** One `limit`/`offset` page of a list, with the `total` before paging. */
export function paginate<T>(items: T[], query: URLSearchParams): { total: number; page: T[] } {
  const limit = integerParameter(query, 'limit', MAX_PAGE_SIZE);
  const offset = integerParameter(query, 'offset', 0);
  if (limit < 1 || limit > MAX_PAGE_SIZE)
    throw DcsError.invalid('limit', `must be between 1 and ${MAX_PAGE_SIZE}`);
  return { total: items.length, page: items.slice(offset, offset + limit) };
}

function integerParameter(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw DcsError.invalid(name, 'must be a non-negative integer');
  return Number(raw);
}

/** Keeps items whose name equals the query parameter, when the parameter is given. */
export function byName<T extends { name: string }>(
  items: T[],
  query: URLSearchParams,
  parameter = 'name',
): T[] {
  const name = query.get(parameter);
  return name === null ? items : items.filter((item) => item.name === name);
}
