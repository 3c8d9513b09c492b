import type { StoredRule } from '../../../src/catalog/merchandising';
import type { RuleStore } from '../../../src/catalog/rule-store';

/** A RuleStore in memory that counts its reads, for the service's cache tests. */
export class InMemoryRuleStore implements RuleStore {
  readonly rules = new Map<string, StoredRule>();
  reads = 0;

  async list(limit: number): Promise<StoredRule[]> {
    this.reads++;
    return [...this.rules.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).slice(0, limit).map((r) => structuredClone(r));
  }

  async save(rule: StoredRule): Promise<void> {
    this.rules.set(rule.id, structuredClone(rule));
  }

  async delete(id: string): Promise<boolean> {
    return this.rules.delete(id);
  }
}
