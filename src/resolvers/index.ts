import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, emitSchemaDefinitionFile, type AuthChecker } from 'type-graphql';
import type { DuplicatesService } from '../duplicates/duplicates.service';
import type { CatalogMapService } from '../explore/catalog-map.service';
import type { IngestService } from '../ingest/ingest.service';
import { WRITE } from '../schema/roles';
import type { MerchandisingService } from '../search/merchandising.service';
import type { SearchService } from '../search/search.service';
import type { CatalogQaService } from '../tagging/catalog-qa.service';
import { CatalogMapResolver } from './catalog-map.resolver';
import { DuplicatesResolver } from './duplicates.resolver';
import { CatalogQaResolver } from './catalog-qa.resolver';
import type { CompareModelsService } from '../reindex/compare-models.service';
import { ModelUpgradeResolver } from './model-upgrade.resolver';
import type { RequestContext } from './context';
import { IngestResolver } from './ingest.resolver';
import { MerchandisingResolver } from './merchandising.resolver';
import { ProductResolver } from './product.resolver';
import { SearchResolver } from './search.resolver';
import { synchronousTypeResolution } from './sync-type-resolution';

/**
 * The one registry of resolvers. The schema build (scripts/emit-schema.ts, the schema drift test) and the composition
 * root (app.ts) both go through buildAppSchema, so a resolver is registered here and nowhere else.
 */
export const RESOLVERS = [
  ProductResolver,
  SearchResolver,
  IngestResolver,
  CatalogMapResolver,
  DuplicatesResolver,
  CatalogQaResolver,
  ModelUpgradeResolver,
  MerchandisingResolver,
] as const;

/** What the resolvers need from the service layer. */
export interface ResolverServices {
  search: SearchService;
  ingest: IngestService;
  maps: CatalogMapService;
  duplicates: DuplicatesService;
  qa: CatalogQaService;
  models: CompareModelsService;
  merchandising: MerchandisingService;
}

type ResolverClass = (typeof RESOLVERS)[number];

/** One instance of every resolver, wired to the services. */
export function createResolvers(services: ResolverServices): Map<ResolverClass, InstanceType<ResolverClass>> {
  return new Map<ResolverClass, InstanceType<ResolverClass>>([
    [ProductResolver, new ProductResolver(services.search)],
    [SearchResolver, new SearchResolver(services.search)],
    [IngestResolver, new IngestResolver(services.ingest)],
    [CatalogMapResolver, new CatalogMapResolver(services.maps)],
    [DuplicatesResolver, new DuplicatesResolver(services.duplicates)],
    [CatalogQaResolver, new CatalogQaResolver(services.qa)],
    [ModelUpgradeResolver, new ModelUpgradeResolver(services.models)],
    [MerchandisingResolver, new MerchandisingResolver(services.merchandising)],
  ]);
}

const authChecker: AuthChecker<RequestContext> = ({ context }, roles) =>
  roles.every((role) => role === WRITE && context.auth.canWrite);

/**
 * Builds the executable schema. With `services` the resolvers are wired to them; without (schema emission, the drift
 * test) no resolver is ever called.
 */
export async function buildAppSchema(o: { services?: ResolverServices; emitSchemaFile?: string } = {}): Promise<GraphQLSchema> {
  const instances = o.services ? createResolvers(o.services) : undefined;
  const schema = await buildSchema({
    resolvers: RESOLVERS,
    container: instances ? { get: (cls) => instances.get(cls) } : undefined,
    authChecker,
    authMode: 'error',
    validate: { forbidUnknownValues: false },
  });
  describeRootTypes(schema);
  // Emitted here, not by buildSchema, so the file has the root types' descriptions too.
  if (o.emitSchemaFile) await emitSchemaDefinitionFile(o.emitSchemaFile, schema, { sortedSchema: true });
  return synchronousTypeResolution(schema);
}

/** type-graphql has no decorator for the root types' own descriptions, so they are set on the built schema. */
function describeRootTypes(schema: GraphQLSchema): void {
  const query = schema.getQueryType();
  const mutation = schema.getMutationType();
  if (query) {
    query.description =
      'Reads: products, ranked searches (each list pages by cursor), catalog browsing and catalog tools. ' +
      'merchandisingRules and compareModels need a write key.';
  }
  if (mutation) {
    mutation.description =
      'Writes: every mutation needs a write key (a key whose SHA-256 is in API_KEY_SHA256; with none configured, ' +
      'writes are open, for development only).';
  }
}
