import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  isAbstractType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';
import { requestScope } from '../common/request-scope';
import { publicErrorCode } from './mask-error';

/**
 * Notes in the request's scope what the GraphQL request did, for its summary log line and its metrics: the
 * operation name, the root fields, each root field's result type (`ProductHits`, `ProductNotFound`, the member of
 * the union the client got) or the fault code it ended with (`OVERLOADED`), and the codes of the response's errors.
 */
export function operationSummaryPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const scope = requestScope.current();
      if (!scope) return;
      return {
        async didResolveOperation({ operation, operationName, document }) {
          scope.operationName = operationName ?? undefined;
          const fragments = new Map(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
          );
          if (operation) scope.rootFields = rootFields(operation.selectionSet, fragments);
        },
        async executionDidStart() {
          return {
            willResolveField({ info, contextValue }) {
              if (info.path.prev !== undefined) return;
              return (error, result) => {
                if (error) return void scope.results.push({ field: info.fieldName, result: publicErrorCode(error) });
                const { result: type, later } = resultType(result, info, contextValue);
                const entry = { field: info.fieldName, result: type };
                scope.results.push(entry);
                later?.then((t) => void (typeof t === 'string' && (entry.result = t)), () => {});
              };
            },
          };
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          for (const e of response.body.singleResult.errors ?? []) scope.errorCodes.add(String(e.extensions?.code ?? 'GRAPHQL_ERROR'));
        },
      };
    },
  };
}

function rootFields(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, depth = 0): string[] {
  if (depth > 10) return [];
  return set.selections.flatMap((s) => {
    if (s.kind === Kind.FIELD) return [s.name.value];
    if (s.kind === Kind.INLINE_FRAGMENT) return rootFields(s.selectionSet, fragments, depth + 1);
    const f = fragments.get(s.name.value);
    return f ? rootFields(f.selectionSet, fragments, depth + 1) : [];
  });
}

/**
 * The GraphQL type name the value resolves to: for a union or interface, the member the client gets. Members are
 * class instances named like their GraphQL types (type-graphql), so the constructor usually names it; otherwise the
 * type's own resolveType answers, possibly later (type-graphql's is async), and the entry is filled in then.
 */
function resultType(value: unknown, info: GraphQLResolveInfo, context: unknown): { result: string; later?: Promise<unknown> } {
  if (value === null || value === undefined) return { result: 'null' };
  const named = getNamedType(info.returnType);
  if (!isAbstractType(named)) return { result: named.name };
  const item = Array.isArray(value) ? value[0] : value;
  if (item === undefined || item === null) return { result: named.name };
  const members = info.schema.getPossibleTypes(named).map((t) => t.name);
  const byClass = (item as object).constructor?.name;
  if (members.includes(byClass)) return { result: byClass };
  try {
    const resolved = named.resolveType?.(item, context, info, named);
    if (typeof resolved === 'string') return { result: resolved };
    if (resolved instanceof Promise) return { result: named.name, later: resolved };
  } catch {
    // the executor reports a type it cannot resolve on its own
  }
  return { result: named.name };
}
