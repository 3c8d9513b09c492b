import { HeaderMap } from '@apollo/server';
import { GraphQLError, type OperationTypeNode } from 'graphql';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { requestScope, type ClientIdentity } from '../common/request-scope';

/**
 * Request budgets per client, with rate-limiter-flexible (the only module that imports it). Three budgets, each
 * `points` per `windowS`: anonymous clients per address, API keys per key, and mutations per key on top.
 *
 * A request pays in two steps. On arrival, before its body is read, 1 point from its client's budget: every
 * request pays something, including the malformed and the abusive ones. Once the query is parsed, validated and
 * priced (complexity.plugin.ts), `floor(cost / costPerPoint)` more, so a catalog map or an image search costs
 * several cheap lookups; a mutation also pays its whole price from the key's write budget.
 *
 * The store is in-process memory: each replica counts on its own (README "Operations"). A shared store is another
 * `RateLimiterStore` (RateLimiterRedis, RateLimiterPostgres, ... from the same library) passed to the constructor.
 */
export type Budget = 'anonymous' | 'key' | 'write';

export interface RateLimitOptions {
  windowS: number;
  anonymousPoints: number;
  keyPoints: number;
  writePoints: number;
  costPerPoint: number;
  /** Told about every refusal, for metrics. */
  onLimited?: (budget: Budget) => void;
}

export type RateLimitVerdict = { ok: true } | { ok: false; budget: Budget; retryAfterS: number };

/** Builds the counter of one budget; rate-limiter-flexible's classes for Redis, Postgres and others all fit. */
export type RateLimiterStore = (budget: Budget, o: { points: number; duration: number; keyPrefix: string }) => RateLimiterAbstract;

export const memoryStore: RateLimiterStore = (_budget, o) => new RateLimiterMemory(o);

export class RateLimiter {
  private readonly limiters: Record<Budget, RateLimiterAbstract>;

  constructor(
    private readonly o: RateLimitOptions,
    store: RateLimiterStore = memoryStore,
  ) {
    const make = (budget: Budget, points: number) => store(budget, { points, duration: o.windowS, keyPrefix: `rl-${budget}` });
    this.limiters = { anonymous: make('anonymous', o.anonymousPoints), key: make('key', o.keyPoints), write: make('write', o.writePoints) };
  }

  /** Extra points a priced query pays after the one it paid on arrival. */
  pointsForCost(cost: number): number {
    return Math.floor(Math.max(0, cost) / this.o.costPerPoint);
  }

  arrive(client: ClientIdentity): Promise<RateLimitVerdict> {
    return this.take(client.kind, client.id, 1);
  }

  /** After pricing: the rest of the request's points, and for a mutation all of them from the write budget. */
  async priced(client: ClientIdentity, cost: number, mutation: boolean): Promise<RateLimitVerdict> {
    const extra = this.pointsForCost(cost);
    if (extra > 0) {
      const v = await this.take(client.kind, client.id, extra);
      if (!v.ok) return v;
    }
    return mutation ? this.take('write', client.id, 1 + extra) : { ok: true };
  }

  private async take(budget: Budget, key: string, points: number): Promise<RateLimitVerdict> {
    try {
      await this.limiters[budget].consume(key, points);
      return { ok: true };
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e; // a shared store's own failure is a fault, not a refusal
      this.o.onLimited?.(budget);
      return { ok: false, budget, retryAfterS: Math.max(1, Math.ceil(e.msBeforeNext / 1000)) };
    }
  }
}

export function rateLimitedMessage(v: { budget: Budget; retryAfterS: number }): string {
  return `Too many requests for this ${v.budget === 'anonymous' ? 'client address' : v.budget === 'key' ? 'API key' : "API key's writes"}; retry in ${v.retryAfterS} s`;
}

/** The GraphQL error of a request refused after pricing: 429 with Retry-After, a stable code for clients. */
export function rateLimitedError(v: { budget: Budget; retryAfterS: number }): GraphQLError {
  return new GraphQLError(rateLimitedMessage(v), {
    extensions: {
      code: 'RATE_LIMITED',
      retryAfterSeconds: v.retryAfterS,
      http: { status: 429, headers: new HeaderMap([['retry-after', String(v.retryAfterS)]]) },
    },
  });
}

/**
 * The complexity plugin's `onPriced` hook: notes the cost for the summary line and, with a limiter, charges the
 * request's client for it (the refusal is a 429 GraphQL error, raised before any resolver runs).
 */
export function chargeOnPricing(limiter: RateLimiter | undefined): (cost: number, operation: OperationTypeNode) => Promise<void> {
  return async (cost, operation) => {
    const scope = requestScope.current();
    if (!scope) return;
    scope.cost = cost;
    if (!limiter || !scope.client) return;
    const verdict = await limiter.priced(scope.client, cost, operation === 'mutation');
    if (!verdict.ok) throw rateLimitedError(verdict);
  };
}
