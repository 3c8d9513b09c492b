import type { StoredRule } from '../../catalog/merchandising';
import type { RuleStore } from '../../catalog/rule-store';

/**
 * Stored merchandising rules in a small index next to the product index (`<alias>--rules`, so dropping an alias's
 * indices drops its rules too). It talks to Elasticsearch only through the calls the adapter lends it (the adapter
 * owns the client and translates its errors), and creates its index on first use.
 */

/** The few client calls this store needs, each already wrapped by the adapter's error translation. */
export interface RulesTransport {
  indexExists(index: string): Promise<boolean>;
  createIndex(index: string, body: Record<string, unknown>): Promise<void>;
  search(index: string, body: Record<string, unknown>): Promise<{ _source?: unknown }[]>;
  put(index: string, id: string, doc: Record<string, unknown>): Promise<void>;
  remove(index: string, id: string): Promise<boolean>;
}

const MAPPING = {
  settings: { number_of_shards: 1, auto_expand_replicas: '0-1' },
  mappings: {
    dynamic: false,
    properties: { id: { type: 'keyword' }, priority: { type: 'integer' }, enabled: { type: 'boolean' }, updatedAt: { type: 'date' } },
  },
};

export class ElasticsearchRuleStore implements RuleStore {
  private ready?: Promise<void>;

  constructor(
    private readonly es: RulesTransport,
    readonly index: string,
  ) {}

  async list(limit: number): Promise<StoredRule[]> {
    if (!(await this.es.indexExists(this.index))) return [];
    const hits = await this.es.search(this.index, { size: limit, sort: [{ id: 'asc' }], query: { match_all: {} } });
    return hits.map((h) => (h._source as { rule: StoredRule }).rule);
  }

  async save(rule: StoredRule): Promise<void> {
    await this.ensure();
    await this.es.put(this.index, rule.id, { id: rule.id, priority: rule.priority, enabled: rule.enabled, updatedAt: rule.updatedAt, rule });
  }

  async delete(id: string): Promise<boolean> {
    if (!(await this.es.indexExists(this.index))) return false;
    return this.es.remove(this.index, id);
  }

  private ensure(): Promise<void> {
    this.ready ??= (async () => {
      if (!(await this.es.indexExists(this.index))) await this.es.createIndex(this.index, MAPPING).catch(async (e: unknown) => {
        // Another replica may have created it in the meantime.
        if (!(await this.es.indexExists(this.index))) throw e;
      });
    })().catch((e: unknown) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }
}
