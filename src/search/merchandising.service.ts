import type { StoredRule } from '../catalog/merchandising';
import type { RuleStore } from '../catalog/rule-store';
import { InvalidInputError, RuleNotFoundError } from '../common/errors';
import { checkRuleSet } from './rules/check';

/** How many stored rules a catalog may have: every query looks at all of them (from the cache). */
export const MAX_STORED_RULES = 500;

export interface MerchandisingOptions {
  /** How long a replica serves its cached copy of the stored rules (RULES_CACHE_TTL_MS); 0 reads them every time. */
  cacheTtlMs: number;
  now?: () => number;
}

/**
 * Stored merchandising rules: saved after the same checks as a request's own rules (a contradiction is refused with
 * the list of conflicts, never guessed at), and read by every search from a short-lived cache.
 *
 * Several replicas: each caches the whole rule list for RULES_CACHE_TTL_MS. A save or delete empties the cache of
 * the replica that handled it at once (and Elasticsearch has made the write visible before it answers); the other
 * replicas pick it up when their copy expires, so for at most the TTL different replicas may apply different rules.
 */
export class MerchandisingService {
  private cached?: { at: number; rules: Promise<StoredRule[]> };

  constructor(
    private readonly store: RuleStore,
    private readonly o: MerchandisingOptions,
  ) {}

  /** Every stored rule, from the cache when it is fresh; concurrent readers share one load. */
  all(): Promise<StoredRule[]> {
    const now = this.now();
    if (!this.cached || now - this.cached.at >= this.o.cacheTtlMs) {
      const rules = this.store.list(MAX_STORED_RULES);
      this.cached = { at: now, rules };
      rules.catch(() => {
        if (this.cached?.rules === rules) this.cached = undefined;
      });
    }
    return this.cached.rules;
  }

  /** Every stored rule as stored now (not from the cache), by id. */
  list(): Promise<StoredRule[]> {
    return this.store.list(MAX_STORED_RULES);
  }

  /** Creates or replaces a rule. ContradictoryRulesError or InvalidInputError when it does not make sense. */
  async save(rule: Omit<StoredRule, 'updatedAt'>): Promise<StoredRule> {
    checkRuleSet(rule);
    const existing = await this.store.list(MAX_STORED_RULES);
    if (existing.length >= MAX_STORED_RULES && !existing.some((r) => r.id === rule.id)) {
      throw new InvalidInputError(`A catalog has at most ${MAX_STORED_RULES} stored rules; delete one first`, 'id');
    }
    const stored: StoredRule = { ...rule, updatedAt: new Date(this.now()).toISOString() };
    await this.store.save(stored);
    this.cached = undefined;
    return stored;
  }

  async delete(id: string): Promise<void> {
    const deleted = await this.store.delete(id);
    this.cached = undefined;
    if (!deleted) throw new RuleNotFoundError(id);
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }
}
