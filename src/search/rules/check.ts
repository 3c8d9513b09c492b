import type { RuleSet } from '../../catalog/merchandising';
import { ContradictoryRulesError, InvalidInputError } from '../../common/errors';
import { findConflicts } from './resolve';

/**
 * A rule set must make sense on its own before it is used (a request's rules) or stored (a saved rule): every boost
 * is either a filter boost or a recency boost, and nothing contradicts anything else.
 */
export function checkRuleSet(rules: RuleSet, field = 'rules'): void {
  (rules.boosts ?? []).forEach((b, i) => {
    const kinds = (b.filter ? 1 : 0) + (b.recencyHalfLifeDays !== undefined && b.recencyHalfLifeDays !== null ? 1 : 0);
    if (kinds !== 1) {
      throw new InvalidInputError(`Boost ${i + 1} must give exactly one of filters and recencyHalfLifeDays`, `${field}.boosts`);
    }
  });
  const conflicts = findConflicts(rules);
  if (conflicts.length > 0) throw new ContradictoryRulesError(conflicts);
}
