import type { ApolloServerPlugin } from '@apollo/server';
import { getVariableValues, GraphQLError, type GraphQLSchema, type OperationTypeNode } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

/**
 * Query cost limit, computed after validation and before any resolver runs. Fields declare their cost
 * (`complexity` on the type-graphql decorators: page size × child cost, plus the price of model inference), so
 * `first: 100` over many aliases, or a pile of image searches, is refused up front.
 */
export function complexityLimitPlugin(
  schema: GraphQLSchema,
  maxCost: number,
  /** Called with the cost of every operation under the limit, before any resolver runs; may throw to refuse it. */
  onPriced?: (cost: number, operation: OperationTypeNode) => Promise<void>,
): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation }) {
          // Variables that do not coerce (`first: 1.5`) are the client's mistake. Execution rejects them before any
          // resolver runs, and Apollo answers 400 BAD_USER_INPUT; getComplexity would throw the same error from this
          // hook instead, where Apollo can only answer 500. Without valid variables there is nothing to price.
          if (operation && getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {}).errors) return;
          const cost = getComplexity({
            schema,
            operationName: request.operationName,
            query: document,
            variables: request.variables,
            estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
          });
          if (cost > maxCost) {
            throw new GraphQLError(`Query cost ${cost} exceeds the limit of ${maxCost}`, {
              extensions: { code: 'QUERY_TOO_COMPLEX', cost, maxCost, http: { status: 400 } },
            });
          }
          if (operation) await onPriced?.(cost, operation.operation);
        },
      };
    },
  };
}
