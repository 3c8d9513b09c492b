import 'reflect-metadata';
import { getMetadataStorage as validationMetadata } from 'class-validator';
import {
  getNamedType,
  getNullableType,
  graphql,
  isInputObjectType,
  isListType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { getMetadataStorage as typeGraphqlMetadata } from 'type-graphql';
import { IngestStatus, type Product } from '../../src/catalog/product';
import type { CatalogMapService } from '../../src/explore/catalog-map.service';
import type { IngestService } from '../../src/ingest/ingest.service';
import { buildAppSchema } from '../../src/resolvers';
import { createLoaders, type RequestContext } from '../../src/resolvers/context';
import type { DuplicatesService } from '../../src/duplicates/duplicates.service';
import type { SearchService } from '../../src/search/search.service';

/**
 * Every bound declared on an argument or input class (@Min, @Max, @MinLength, @MaxLength, @ArrayMinSize,
 * @ArrayMaxSize), read from class-validator's metadata, sent through GraphQL at the bound (passes) and one step past it
 * (fails with BAD_USER_INPUT naming that property and constraint). A new bound is tested without editing this file; a
 * new input class needs one line in INPUT_ROUTES, and the test says so.
 */

const BOUNDS = ['min', 'max', 'minLength', 'maxLength', 'arrayMinSize', 'arrayMaxSize'] as const;
type Bound = (typeof BOUNDS)[number];

/** Smallest valid arguments per operation; each case changes one value in them. */
const BASE_ARGS: Record<string, Record<string, unknown>> = {
  product: { id: 'p' },
  products: { ids: ['p'] },
  similarProducts: { id: 'p', rules: { boosts: [{ weight: 0.1 }], pins: [{ id: 'q', position: 1 }] } },
  searchByText: { q: 'mug' },
  searchByImage: { image: { base64: 'AAAA' } },
  recommendations: { productIds: ['p'] },
  ingestProduct: { input: { id: 'p', title: 'Mug', image: { base64: 'AAAA' } } },
  ingestProducts: { inputs: [{ id: 'p', title: 'Mug', image: { base64: 'AAAA' } }] },
  deleteProduct: { id: 'p' },
  catalogMapPosition: { q: 'mug' },
  similarityMatrix: { ids: ['a', 'b'] },
  duplicateClusters: {},
  attributeConflicts: { name: 'color' },
  compareModels: {},
  browseProducts: {},
  discover: { input: { text: 'mug' } },
  saveMerchandisingRule: { input: { id: 'r' } },
  deleteMerchandisingRule: { id: 'r' },
};

/** Where each input class is reached: an operation and the path to an instance of it inside its arguments. */
const INPUT_ROUTES: Record<string, [operation: string, path: (string | number)[]]> = {
  ProductFilterInput: ['similarProducts', ['filters']],
  ImageInput: ['searchByImage', ['image']],
  ProductInput: ['ingestProduct', ['input']],
  AttributeInput: ['ingestProduct', ['input', 'attributes', 0]],
  DiscoverInput: ['discover', ['input']],
  MerchandisingRulesInput: ['similarProducts', ['rules']],
  BoostInput: ['similarProducts', ['rules', 'boosts', 0]],
  PinInput: ['similarProducts', ['rules', 'pins', 0]],
  MerchandisingRuleInput: ['saveMerchandisingRule', ['input']],
  RuleContextInput: ['saveMerchandisingRule', ['input', 'context']],
};

/** Starting values for the input classes that are absent from BASE_ARGS at their route. */
const INPUT_BASE: Record<string, unknown> = { ProductFilterInput: {}, AttributeInput: { key: 'k', value: 'v' } };

interface Case {
  label: string;
  operation: string;
  /** Path of the bounded value inside the operation's arguments. */
  path: (string | number)[];
  bound: Bound;
  limit: number;
  each: boolean;
  /** The property's GraphQL type (the list's type for list bounds and `each`). */
  type: GraphQLInputType;
  integer: boolean;
}

let schema: GraphQLSchema;
let cases: Case[];

const product = (id: string): Product => ({ id, groupId: id, title: 't', inStock: true, tags: [], attributes: {}, updatedAt: 'u' });

/** Services that accept anything, so whatever passes validation answers without errors. */
const page = async () => ({ hits: [], pageInfo: { hasNextPage: false }, exhaustive: true, unknownIds: [], facets: [] });
const search = {
  similarProducts: page,
  searchByText: page,
  searchByImage: page,
  recommendations: page,
  discover: page,
  browse: async () => ({ products: [], pageInfo: { hasNextPage: false }, totalCount: 0, facets: [] }),
} as unknown as SearchService;
const ingest = {
  ingest: async (inputs: { id: string }[]) => inputs.map((i) => ({ ok: true, status: IngestStatus.CREATED, product: product(i.id) })),
  delete: async () => undefined,
} as unknown as IngestService;
const maps = {
  placeText: async () => ({ x: 0, y: 0 }),
  similarityMatrix: async (ids: string[]) => ({ ids, values: ids.flatMap(() => ids.map(() => 1)), unknownIds: [] }),
} as unknown as CatalogMapService;
const duplicates = {
  clusters: async () => ({ clusters: [], totalCount: 0, pageInfo: { hasNextPage: false }, generation: 'g' }),
} as unknown as DuplicatesService;
const qa = { attributeConflicts: async () => ({ items: [], totalCount: 0, hasNextPage: false }) } as never;
const models = { compare: async () => undefined } as never;
const context = (): RequestContext => ({
  loaders: createLoaders({ getMany: async () => new Map() }),
  auth: { canWrite: true },
  signal: new AbortController().signal,
});

function rootField(operation: string): GraphQLField<unknown, unknown> {
  const field = schema.getQueryType()!.getFields()[operation] ?? schema.getMutationType()!.getFields()[operation];
  if (!field) throw new Error(`no operation ${operation}`);
  return field;
}

/** The GraphQL input type at a path inside an operation's arguments. */
function typeAt(operation: string, path: (string | number)[]): GraphQLInputType {
  const [arg, ...rest] = path;
  let type: GraphQLInputType = rootField(operation).args.find((a) => a.name === arg)!.type;
  for (const step of rest) {
    const inner = getNullableType(type);
    if (typeof step === 'number') type = (inner as { ofType: GraphQLInputType }).ofType;
    else if (isInputObjectType(inner)) type = inner.getFields()[step]!.type;
    else throw new Error(`cannot step into ${String(step)} of ${String(type)}`);
  }
  return type;
}

/** A valid value of a named input type, distinct per index (for filling lists). */
function sample(type: GraphQLInputType, i: number): unknown {
  const named = getNamedType(type);
  switch (named.name) {
    case 'ID':
    case 'String':
      return `v${i}`;
    case 'AttributeInput':
      return { key: `k${i}`, value: 'v' };
    case 'ProductInput':
      return { id: `p${i}`, title: 'Mug', image: { base64: 'AAAA' } };
    case 'ImageInput':
      return { base64: 'AAAA' };
    case 'FacetField':
      return ['BRAND', 'CATEGORY', 'COLOR', 'TAGS', 'IN_STOCK', 'PRICE_RANGE'][i % 6];
    case 'BoostInput':
      return { weight: 0.1 };
    case 'PinInput':
      return { id: `p${i}`, position: i + 1 };
    default:
      throw new Error(`no sample for ${named.name}`);
  }
}

/** The value to send; a per-item (`each`) bound replaces the first item of the valid list it is given. */
function valueFor(c: Case, pastTheBound: boolean, validList: unknown): unknown {
  const step = pastTheBound ? 1 : 0;
  switch (c.bound) {
    case 'min':
      return c.limit - (pastTheBound ? (c.integer ? 1 : 0.01) : 0);
    case 'max':
      return c.limit + (pastTheBound ? (c.integer ? 1 : 0.01) : 0);
    case 'minLength':
    case 'maxLength': {
      const text = 'x'.repeat(c.limit + (c.bound === 'maxLength' ? step : -step));
      return c.each ? [text, ...((validList as unknown[] | undefined) ?? []).slice(1)] : text;
    }
    case 'arrayMinSize':
    case 'arrayMaxSize': {
      const n = c.limit + (c.bound === 'arrayMaxSize' ? step : -step);
      return Array.from({ length: n }, (_, i) => sample(c.type, i));
    }
  }
}

function withValue(base: Record<string, unknown>, path: (string | number)[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(base);
  let at: Record<string | number, unknown> = copy;
  for (const [i, step] of path.entries()) {
    if (i === path.length - 1) at[step] = value;
    else at = (at[step] ??= typeof path[i + 1] === 'number' ? [] : {}) as Record<string | number, unknown>;
  }
  return copy;
}

async function execute(c: Case, variables: Record<string, unknown>) {
  const field = rootField(c.operation);
  const isMutation = schema.getMutationType()!.getFields()[c.operation] !== undefined;
  // Only the arguments given: the others keep their defaults (an argument with a default is non-null in the schema).
  const given = field.args.filter((a) => a.name in variables);
  const defs = given.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const args = given.map((a) => `${a.name}: $${a.name}`).join(', ');
  const source = `${isMutation ? 'mutation' : 'query'}(${defs}) { ${c.operation}(${args}) { __typename } }`;
  return graphql({ schema, source, variableValues: variables, contextValue: context() });
}

/** class-validator errors as [dotted property path, constraint names], nested children flattened. */
interface ValidationErrorLike {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationErrorLike[];
}
function flatten(errors: ValidationErrorLike[], prefix: string[] = []): [string, string[]][] {
  return errors.flatMap((e) => [
    ...(e.constraints ? [[[...prefix, e.property].join('.'), Object.keys(e.constraints)] as [string, string[]]] : []),
    ...flatten(e.children ?? [], [...prefix, e.property]),
  ]);
}

beforeAll(async () => {
  schema = await buildAppSchema({ services: { search, ingest, maps, duplicates, qa, models, merchandising: { save: async (r: { id: string }) => ({ ...r, boosts: [], pins: [], hides: [], priority: 0, enabled: true }), delete: async () => undefined } as never } });
  const storage = typeGraphqlMetadata();
  const opsByArgsClass = new Map<Function, string[]>();
  for (const p of storage.params) {
    if (p.kind !== 'args') continue;
    const cls = p.getType() as Function;
    opsByArgsClass.set(cls, [...(opsByArgsClass.get(cls) ?? []), p.methodName]);
  }
  cases = [];
  const add = (target: Function, route: (property: string) => [string, (string | number)[]][]) => {
    for (const m of validationMetadata().getTargetValidationMetadatas(target, '', true, false)) {
      if (!BOUNDS.includes(m.name as Bound)) continue;
      for (const [operation, path] of route(m.propertyName)) {
        const integerRule = validationMetadata()
          .getTargetValidationMetadatas(target, '', true, false)
          .some((o) => o.propertyName === m.propertyName && o.name === 'isNumber' && o.constraints[0]?.maxDecimalPlaces === 0);
        const type = typeAt(operation, path);
        cases.push({
          label: `${operation} ${path.join('.')} ${m.name}(${m.constraints[0]})${m.each ? ' each' : ''}`,
          operation,
          path,
          bound: m.name as Bound,
          limit: m.constraints[0] as number,
          each: m.each === true,
          type,
          integer: integerRule || getNamedType(type).name === 'Int',
        });
      }
    }
  };
  for (const t of storage.argumentTypes) {
    // Base classes (PageArgs) are checked through every operation whose arguments extend them.
    const ops = [...opsByArgsClass].filter(([cls]) => cls === t.target || t.target.isPrototypeOf(cls)).flatMap(([, o]) => o);
    if (ops.length === 0) throw new Error(`arguments class ${t.name} is used by no operation`);
    if (opsByArgsClass.has(t.target)) add(t.target, (property) => ops.map((op) => [op, [property]]));
  }
  for (const t of storage.inputTypes) {
    const route = INPUT_ROUTES[t.name];
    if (!route) throw new Error(`input type ${t.name} has no route in INPUT_ROUTES`);
    const [operation, path] = route;
    add(t.target, (property) => [[operation, [...path, property]]]);
  }
});

function baseFor(c: Case): Record<string, unknown> {
  const base = BASE_ARGS[c.operation];
  if (!base) throw new Error(`operation ${c.operation} has bounded arguments: give it valid arguments in BASE_ARGS`);
  const parent = c.path.slice(0, -1);
  const route = Object.entries(INPUT_ROUTES).find(([, [op, p]]) => op === c.operation && p.join('.') === parent.join('.'));
  return route && route[0] in INPUT_BASE ? withValue(base, parent, structuredClone(INPUT_BASE[route[0]])) : base;
}

describe('argument bounds', () => {
  it('finds the bounds to test on every argument and input class', () => {
    expect(cases.length).toBeGreaterThan(40);
    const labels = cases.map((c) => c.label);
    // Spot checks that the discovery reaches arguments, inherited page bounds, nested inputs and per-item bounds.
    expect(labels).toEqual(
      expect.arrayContaining([
        'similarProducts first max(100)',
        'recommendations first min(1)',
        'searchByText q maxLength(512)',
        'recommendations productIds arrayMaxSize(50)',
        'products ids maxLength(128) each',
        'similarProducts filters.minPrice min(0)',
        'ingestProducts inputs arrayMaxSize(100)',
        'ingestProduct input.price max(1000000000000)',
        'ingestProduct input.attributes.0.key minLength(1)',
        'searchByImage image.url maxLength(2048)',
      ]),
    );
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('passes at every bound and fails one step past it, naming the property and the constraint', async () => {
    const report: string[] = [];
    for (const c of cases) {
      const base = baseFor(c);
      const validList = c.path.reduce<any>((v, step) => v?.[step], base);
      const at = await execute(c, withValue(base, c.path, valueFor(c, false, validList)));
      if (at.errors) report.push(`${c.label}: at the bound: ${at.errors.map((e) => e.message).join('; ')}`);

      const past = await execute(c, withValue(base, c.path, valueFor(c, true, validList)));
      const [error] = past.errors ?? [];
      const failures = flatten((error?.extensions.validationErrors ?? []) as ValidationErrorLike[]);
      // class-validator reports a per-item (`each`) failure on the list property itself.
      const expected = [[c.path.join('.'), [c.bound]]];
      if (past.errors?.length !== 1 || error?.extensions.code !== 'BAD_USER_INPUT' || JSON.stringify(failures) !== JSON.stringify(expected)) {
        report.push(`${c.label}: one past: ${JSON.stringify(past.errors?.map((e) => [e.message, e.extensions]) ?? 'no error')}`);
      }
    }
    expect(report).toEqual([]);
  });
});
