import type { ResolvedPin } from '../rules/resolve';
import type { Candidate, Ranked } from './ranked';

/**
 * Pins go last, onto the finished organic list: each pinned product (fetched under the request's filters, so a pin
 * never shows what the filters exclude) takes its 1-based position, and the organic results flow around it without
 * the pinned product (or, collapsing, its group) appearing a second time. A pin past the end of the list lands at
 * its end, in position order.
 */
export function placePins(organic: Ranked, pins: readonly ResolvedPin[], pinned: ReadonlyMap<string, Candidate>, collapse: boolean): Ranked {
  const shown = pins.filter((p) => pinned.has(p.id));
  if (shown.length === 0) return organic;
  const taken = new Set(shown.map((p) => (collapse ? pinned.get(p.id)!.product.groupId : p.id)));
  const keyOf = (c: Candidate) => (collapse ? c.product.groupId : c.product.id);
  const rest: { c: Candidate; settled: boolean }[] = [];
  organic.items.forEach((c, i) => {
    if (!taken.has(keyOf(c))) rest.push({ c, settled: i < organic.settled });
  });
  const items: Candidate[] = [];
  const settledFlags: boolean[] = [];
  let next = 0;
  let limit = Infinity;
  for (const pin of shown) {
    while (items.length < pin.position - 1 && next < rest.length) {
      items.push(rest[next]!.c);
      settledFlags.push(rest[next]!.settled || organic.complete);
      next++;
    }
    // Before the rest of the organic list is known, a pin beyond it cannot be placed yet: nothing from its position on
    // is settled.
    if (items.length < pin.position - 1 && !organic.complete) {
      limit = pin.position - 1;
      break;
    }
    items.push({ ...pinned.get(pin.id)!, pin: { rule: pin.rule, position: pin.position } });
    settledFlags.push(true);
  }
  for (; next < rest.length; next++) {
    items.push(rest[next]!.c);
    settledFlags.push(rest[next]!.settled || organic.complete);
  }
  const firstUnsettled = settledFlags.indexOf(false);
  return { items, settled: Math.min(limit, firstUnsettled < 0 ? items.length : firstUnsettled), complete: organic.complete };
}
