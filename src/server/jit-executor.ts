import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  BREAK,
  execute,
  getOperationAST,
  GraphQLError,
  OperationTypeNode,
  visit,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/**
 * Executes hot query documents with graphql-jit (a document compiled once into plain JavaScript runs several times
 * faster than graphql-js's interpreter), everything else with graphql-js.
 *
 * It plugs into Apollo Server as its executor (the `gateway` option, whose only job here is to hand Apollo the
 * schema and this executor), so parsing, validation, the document cache, every plugin hook and `formatError` stay
 * Apollo's. The only module that imports graphql-jit.
 *
 * - Only queries: mutations are rare and their serial semantics are graphql-js's to keep.
 * - Only after a document's `compileAfter`-th execution: a stream of one-off documents never pays for compilation
 *   (a few milliseconds each), so compiling is not a lever for abuse.
 * - Never introspection (`__schema`, `__type`): cold, and graphql-js is the reference for it.
 * - Compiled plans hang off the parsed document in a WeakMap. Apollo's document store (a bounded LRU) keeps one
 *   document object per query text, so plans live exactly as long as Apollo keeps the document.
 */

type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];

export interface JitOptions {
  /** Executions of one document (and operation) by graphql-js before it is compiled. */
  compileAfter: number;
  /** Told of every compilation (the operation's name, '' for none) and whether graphql-jit accepted the document. */
  onCompile?: (operationName: string, compiled: boolean) => void;
}

interface DocumentState {
  seen: Map<string, number>;
  plans: Map<string, CompiledQuery | 'interpret'>;
}

export function jitExecutorGateway(schema: GraphQLSchema, o: JitOptions): Gateway {
  const documents = new WeakMap<DocumentNode, DocumentState>();

  const planFor = (document: DocumentNode, operationName: string | undefined): CompiledQuery | undefined => {
    let state = documents.get(document);
    if (!state) documents.set(document, (state = { seen: new Map(), plans: new Map() }));
    const key = operationName ?? '';
    const plan = state.plans.get(key);
    if (plan !== undefined) return plan === 'interpret' ? undefined : plan;
    const seen = (state.seen.get(key) ?? 0) + 1;
    state.seen.set(key, seen);
    if (seen <= o.compileAfter) return undefined;
    const compiled = compilable(document, operationName) ? compileQuery(schema, document, operationName) : undefined;
    const next = compiled && isCompiledQuery(compiled) ? compiled : 'interpret';
    if (compiled) o.onCompile?.(key, next !== 'interpret');
    state.plans.set(key, next);
    state.seen.delete(key);
    return next === 'interpret' ? undefined : next;
  };

  return {
    async load() {
      return {
        executor: async (rc): Promise<ExecutionResult> => {
          const { document, request, context } = rc;
          const plan = planFor(document, request.operationName);
          if (plan) {
            const result = await (plan.query(undefined, context, request.variables ?? {}) as ExecutionResult | Promise<ExecutionResult>);
            // No `data` at all: the variables did not coerce and nothing ran. graphql-js words that error the way
            // clients and Apollo's 400 mapping know (BAD_USER_INPUT), so it answers instead.
            if ('data' in result) return result.errors ? { ...result, errors: result.errors.map(asGraphQLJsError) } : result;
          }
          return execute({ schema, document, contextValue: context, variableValues: request.variables, operationName: request.operationName });
        },
      };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async stop() {},
  };
}

/**
 * graphql-jit's errors imitate graphql-js's but leave `extensions` undefined when the thrown error has none, which
 * Apollo's error formatting does not survive (every fault would become INTERNAL_SERVER_ERROR). Rebuilt as
 * graphql-js errors, they format exactly as the interpreter's do: same message, path, locations and original error.
 */
function asGraphQLJsError(e: GraphQLError): GraphQLError {
  const out = new GraphQLError(e.message, { path: e.path, originalError: e.originalError ?? undefined, extensions: e.extensions ?? undefined });
  // graphql-jit keeps no AST nodes, so graphql-js cannot derive the locations; graphql-jit computed them already.
  return Object.assign(out, { locations: e.locations });
}

function compilable(document: DocumentNode, operationName: string | undefined): boolean {
  if (getOperationAST(document, operationName)?.operation !== OperationTypeNode.QUERY) return false;
  let introspects = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        introspects = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return !introspects;
}
