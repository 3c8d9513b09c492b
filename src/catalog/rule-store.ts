import type { StoredRule } from './merchandising';

/**
 * Where stored merchandising rules live: a small index next to the product index (search/elasticsearch), an
 * in-memory fake in unit tests. Failures of the store reject with a coded AppError.
 */
export interface RuleStore {
  /** Every stored rule, by id (at most `limit`). */
  list(limit: number): Promise<StoredRule[]>;
  /** Creates or replaces the rule with this id; visible to list() when the promise resolves. */
  save(rule: StoredRule): Promise<void>;
  /** True when a rule was deleted, false when there was none. */
  delete(id: string): Promise<boolean>;
}
