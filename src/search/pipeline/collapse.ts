import type { Ranked } from './ranked';

/**
 * Collapsing: one product per group (its groupId), the best-ranked one, in the order the groups' best products
 * come. A group's best product is settled once it lies in the settled part of the input, so collapsing a longer
 * window never reorders the groups already placed.
 */
export function collapseGroups(r: Ranked): Ranked {
  const seen = new Set<string>();
  const items: Ranked['items'] = [];
  let settled = 0;
  r.items.forEach((c, i) => {
    const group = c.product.groupId ?? c.product.id;
    if (seen.has(group)) return;
    seen.add(group);
    items.push(c);
    if (i < r.settled) settled = items.length;
  });
  return { items, settled: r.complete ? items.length : settled, complete: r.complete };
}
