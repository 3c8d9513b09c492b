import type { Boost, RequestContext, RuleRef, RuleSet, StoredRule } from '../../catalog/merchandising';
import { RuleConflictKind, type RuleConflict } from '../../common/errors';

/**
 * Rules in, one decision out. Contradictions inside one rule set (a request's own rules, or a rule being saved) are
 * refused (findConflicts). Between rule sets they are resolved by precedence: the request's own rules first, then
 * stored rules by priority (highest first), then by id. Resolution, in full:
 * - hides: every hide of every applicable rule applies; a hidden product is never shown, even where a rule pins it;
 * - pins: taken in precedence order; a pin is dropped when its product is hidden, when its product is already
 *   pinned by a rule that comes first, or when its position is already taken by a rule that comes first;
 * - boosts: every boost of every applicable rule applies, and their contributions add up.
 */

export interface ResolvedPin {
  id: string;
  position: number;
  rule: RuleRef;
}

export type PinDropReason = 'HIDDEN' | 'PRODUCT_ALREADY_PINNED' | 'POSITION_TAKEN';

export interface ResolvedRules {
  /** Hidden product -> the first rule (in precedence) that hid it. */
  hides: Map<string, RuleRef>;
  /** In position order. */
  pins: ResolvedPin[];
  droppedPins: (ResolvedPin & { reason: PinDropReason })[];
  boosts: { boost: Boost; rule: RuleRef }[];
  /** The rules that applied, in precedence order. */
  applied: RuleRef[];
}

export function findConflicts(rules: RuleSet): RuleConflict[] {
  const out: RuleConflict[] = [];
  const hidden = new Set(rules.hides ?? []);
  const positions = new Map<number, string>();
  const pinned = new Map<string, number>();
  for (const pin of rules.pins ?? []) {
    if (hidden.has(pin.id)) out.push({ kind: RuleConflictKind.PINNED_AND_HIDDEN, productId: pin.id });
    if (positions.has(pin.position)) out.push({ kind: RuleConflictKind.POSITION_TAKEN, position: pin.position });
    if (pinned.has(pin.id)) out.push({ kind: RuleConflictKind.PINNED_TWICE, productId: pin.id });
    positions.set(pin.position, pin.id);
    pinned.set(pin.id, pin.position);
  }
  return out;
}

/** A stored rule applies when it is enabled and every part of its context matches the request. */
export function appliesTo(rule: StoredRule, ctx: RequestContext): boolean {
  if (!rule.enabled) return false;
  const categories = rule.context.categories ?? [];
  const queries = rule.context.queries ?? [];
  const inCategory = categories.length === 0 || ctx.categories.some((c) => categories.some((r) => r.toLowerCase() === c.toLowerCase()));
  const forQuery = queries.length === 0 || (ctx.query !== undefined && queries.some((q) => normaliseQuery(q) === normaliseQuery(ctx.query!)));
  return inCategory && forQuery;
}

export function normaliseQuery(q: string): string {
  return q.trim().toLowerCase().replace(/\s+/g, ' ');
}

export function resolveRules(own: RuleSet | undefined, stored: readonly StoredRule[], ctx: RequestContext): ResolvedRules {
  const ordered: { rules: RuleSet; ref: RuleRef }[] = [
    ...(own ? [{ rules: own, ref: { source: 'QUERY' as const } }] : []),
    ...stored
      .filter((r) => appliesTo(r, ctx))
      .sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((r) => ({ rules: r, ref: { source: 'STORED' as const, ruleId: r.id } })),
  ];
  const hides = new Map<string, RuleRef>();
  for (const { rules, ref } of ordered) for (const id of rules.hides ?? []) if (!hides.has(id)) hides.set(id, ref);

  const pins: ResolvedPin[] = [];
  const droppedPins: ResolvedRules['droppedPins'] = [];
  const taken = new Set<number>();
  const pinned = new Set<string>();
  for (const { rules, ref } of ordered) {
    for (const pin of rules.pins ?? []) {
      const candidate = { id: pin.id, position: pin.position, rule: ref };
      const reason: PinDropReason | undefined = hides.has(pin.id)
        ? 'HIDDEN'
        : pinned.has(pin.id)
          ? 'PRODUCT_ALREADY_PINNED'
          : taken.has(pin.position)
            ? 'POSITION_TAKEN'
            : undefined;
      if (reason) {
        droppedPins.push({ ...candidate, reason });
        continue;
      }
      pins.push(candidate);
      taken.add(pin.position);
      pinned.add(pin.id);
    }
  }
  pins.sort((a, b) => a.position - b.position);
  const boosts = ordered.flatMap(({ rules, ref }) => (rules.boosts ?? []).map((boost) => ({ boost, rule: ref })));
  return { hides, pins, droppedPins, boosts, applied: ordered.map((o) => o.ref) };
}
