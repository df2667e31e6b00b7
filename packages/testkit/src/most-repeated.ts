/** How often the most repeated item occurs (0 for none): more than 1 is a duplicate. */
export function mostRepeated(items: Iterable<string>): number {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}
