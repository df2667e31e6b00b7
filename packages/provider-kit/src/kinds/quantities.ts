/**
 * Kubernetes resource quantities in bytes ("100Gi", "500G", 1073741824), for a kind that takes a
 * size the way Kubernetes writes one (a data volume's minimum size, a disk's capacity). Only the
 * plain and suffixed forms: exponents ("1e9") and milli units mean nothing for a number of bytes.
 */

/** A quantity as text: digits, an optional fraction, an optional binary (Ki..Ei) or decimal (k..E) suffix. */
export const QUANTITY_PATTERN = /^\d+(\.\d+)?([KMGTPE]i|[kKMGTPE])?$/;

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A quantity in bytes (a fraction of a byte rounds up), or undefined when it is none. */
export function quantityBytes(quantity: string | number | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  if (typeof quantity === 'number') return quantity;
  const match = /^(\d+(?:\.\d+)?)([KMGTPE]i|[kKMGTPE]?)$/.exec(quantity.trim());
  if (!match) return undefined;
  const unit = match[2] ?? '';
  return Math.ceil(Number(match[1]) * (BINARY[unit] ?? DECIMAL[unit] ?? 1));
}
