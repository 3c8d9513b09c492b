import { AsyncLocalStorage } from 'node:async_hooks';

/** Who a request counts against for rate limiting: an anonymous client address, or a verified API key's hash. */
export interface ClientIdentity {
  readonly kind: 'anonymous' | 'key';
  /** `ip:<address or /64>` or `key:<sha256 prefix>`; never the key itself. */
  readonly id: string;
}

/**
 * What one HTTP request has done so far, readable anywhere below the HTTP handler without passing it along: the
 * logger stamps every line with its id, and the GraphQL plugins note the operation and each root field's result
 * here for the request's summary line and metrics.
 */
export interface RequestScope {
  readonly requestId: string;
  /** performance.now() at arrival. */
  readonly startedAt: number;
  client?: ClientIdentity;
  /** The client's own operation name: logged, never a metric label (clients choose it freely). */
  operationName?: string;
  /** Root field names of the operation, once it passed validation (so they are schema names, a bounded set). */
  rootFields?: string[];
  /** Query cost as the complexity plugin priced it. */
  cost?: number;
  /** One entry per executed root field: its result type (`ProductHits`, `ProductNotFound`) or fault code. */
  readonly results: { field: string; result: string }[];
  /** Codes of the errors the response carries (`RATE_LIMITED`, `QUERY_TOO_COMPLEX`, `OVERLOADED`, ...). */
  readonly errorCodes: Set<string>;
}

const storage = new AsyncLocalStorage<RequestScope>();

export const requestScope = {
  open(requestId: string): RequestScope {
    return { requestId, startedAt: performance.now(), results: [], errorCodes: new Set() };
  },
  run<T>(scope: RequestScope, fn: () => T): T {
    return storage.run(scope, fn);
  },
  /** The scope of the request whose work is running, or undefined outside any request (boot, shutdown). */
  current(): RequestScope | undefined {
    return storage.getStore();
  },
};
