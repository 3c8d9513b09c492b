import type { ApolloServerPlugin } from '@apollo/server';
import type { FaultCode } from '../common/errors';

/** Seconds a client should wait before retrying a request that was shed (the queues drain within about that). */
export const OVERLOAD_RETRY_AFTER_S = 1;

const OVERLOADED: FaultCode = 'OVERLOADED';

/**
 * Load shedding over HTTP. OVERLOADED stays in the fault tier (a coded, masked GraphQL error: the client's input was
 * fine, the server is busy), and when it is the whole story of a response (every error is OVERLOADED and no field
 * carries data) the response becomes 503 with Retry-After, so load balancers, CDNs and HTTP clients retry or shed
 * it without parsing GraphQL. A response with some data keeps 200: the client has partial results to show.
 */
export function overloadPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { errors, data } = response.body.singleResult;
          if (!errors?.length || !errors.every((e) => e.extensions?.['code'] === OVERLOADED)) return;
          if (data && Object.values(data).some((v) => v !== null)) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', String(OVERLOAD_RETRY_AFTER_S));
        },
      };
    },
  };
}
