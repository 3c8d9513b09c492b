import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type AuthChecker, type ContainerType } from 'type-graphql';
import { IngestResolver, WRITE } from '../resolvers/ingest.resolver';
import { ProductResolver } from '../resolvers/product.resolver';
import { SearchResolver } from '../resolvers/search.resolver';
import type { RequestContext } from '../resolvers/context';

export const RESOLVERS = [ProductResolver, SearchResolver, IngestResolver] as const;

const authChecker: AuthChecker<RequestContext> = ({ context }, roles) =>
  roles.every((role) => role === WRITE && context.auth.canWrite);

/**
 * Builds the executable schema. `container` supplies resolver instances already wired to their services; building
 * without one (schema emission) never calls a resolver.
 */
export async function buildAppSchema(o: { container?: ContainerType; emitSchemaFile?: string } = {}): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    container: o.container,
    authChecker,
    authMode: 'error',
    validate: { forbidUnknownValues: false },
    emitSchemaFile: o.emitSchemaFile ? { path: o.emitSchemaFile, sortedSchema: true } : false,
  });
}
