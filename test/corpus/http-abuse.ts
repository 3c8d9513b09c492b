/**
 * Hostile or malformed requests and the status each must get, with no resolver work done. One entry per case, so
 * adding a case is one line. Sources: Apollo Server's integration suite and the OWASP GraphQL cheat sheet.
 */
export interface AbuseCase {
  name: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  /** Raw body; objects are JSON-encoded (so a case with `variables` puts them here, next to `query`). */
  body?: unknown;
  search?: string;
  status: number;
  /** Substring expected in the first error message or its code. */
  expect?: RegExp;
}

/** A query with one Int variable and one input-object variable, for the variable cases. */
const PAGED = 'query($first: Int!, $f: ProductFilterInput) { similarProducts(id: "x", first: $first, filters: $f) { __typename } }';
const withVariables = (variables: unknown) => ({ query: PAGED, variables });

const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: searchByText(q: "red mug") { hits { score } }`).join(' ')} }`;
const tokens = (n: number) => `{ product(id: "x") { ${'id '.repeat(n)} } }`;
const directives = (n: number) => `{ product(id: "x") { id ${'@include(if: true) '.repeat(n)} } }`;

export const ABUSE_CASES: AbuseCase[] = [
  { name: 'POST without content-type (CSRF)', headers: {}, body: '{"query":"{ __typename }"}', status: 400, expect: /CSRF|content-type|preflight/i },
  { name: 'POST text/plain (CSRF simple request)', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ __typename }"}', status: 400 },
  { name: 'GET without a preflight header (CSRF)', method: 'GET', search: '?query=%7B__typename%7D', status: 400, expect: /CSRF|preflight/i },
  {
    name: 'mutation over GET',
    method: 'GET',
    headers: { 'apollo-require-preflight': 'true' },
    search: `?query=${encodeURIComponent('mutation { deleteProduct(id: "x") { __typename } }')}`,
    status: 405,
  },
  { name: 'malformed JSON', headers: { 'content-type': 'application/json' }, body: '{"query": ', status: 400, expect: /JSON/i },
  { name: 'batched operations', body: [{ query: '{ __typename }' }, { query: '{ __typename }' }], status: 400, expect: /batch/i },
  { name: 'unknown operationName', body: { query: 'query A { __typename }', operationName: 'B' }, status: 400, expect: /Unknown operation|B/ },
  { name: 'several operations, no operationName', body: { query: 'query A { __typename } query B { __typename }' }, status: 400, expect: /operationName|Must provide/i },
  { name: 'wrong HTTP method', method: 'PUT', body: { query: '{ __typename }' }, status: 405 },
  { name: 'syntax error', body: { query: '{ product(id: ' }, status: 400, expect: /Syntax/i },
  { name: '1,000 aliases of an expensive field', body: { query: aliases(1000) }, status: 400, expect: /alias|token/i },
  {
    name: 'nesting deeper than GRAPHQL_MAX_DEPTH (the hardening server runs with 4)',
    body: { query: '{ searchByText(q: "mug") { hits { product { attributes { key } } } } }' },
    status: 400,
    expect: /depth/i,
  },
  { name: 'huge token count', body: { query: tokens(5000) }, status: 400, expect: /token/i },
  { name: 'many directives', body: { query: directives(60) }, status: 400, expect: /directive/i },
  {
    name: 'recursive fragments',
    body: { query: '{ product(id: "x") { ...A } } fragment A on Product { id ...B } fragment B on Product { title ...A }' },
    status: 400,
    expect: /within itself/i,
  },
  {
    name: 'query cost over the limit',
    body: {
      query: `{ ${Array.from(
        { length: 12 },
        (_, i) => `a${i}: searchByText(q: "mug", first: 100) { hits { score similarity product { id title brand price tags } } }`,
      ).join(' ')} }`,
    },
    status: 400,
    expect: /cost/i,
  },
  { name: 'first: 1000000', body: { query: '{ similarProducts(id: "x", first: 1000000) { __typename } }' }, status: 200, expect: /BAD_USER_INPUT/ },
  // Variables are coerced before anything runs; a value that does not fit is the client's mistake: 400, BAD_USER_INPUT.
  { name: 'variable: a fraction for an Int', body: withVariables({ first: 1.5 }), status: 400, expect: /BAD_USER_INPUT/ },
  { name: 'variable: an Int over 32 bits', body: withVariables({ first: 2147483648 }), status: 400, expect: /BAD_USER_INPUT/ },
  { name: 'variable: a string for an Int', body: withVariables({ first: 'ten' }), status: 400, expect: /BAD_USER_INPUT/ },
  { name: 'variable: a required one missing', body: withVariables({}), status: 400, expect: /BAD_USER_INPUT/ },
  { name: 'variable: null for a non-null one', body: withVariables({ first: null }), status: 400, expect: /BAD_USER_INPUT/ },
  {
    name: 'variable: a wrong type inside an input object',
    body: withVariables({ first: 5, f: { minPrice: 'cheap' } }),
    status: 400,
    expect: /BAD_USER_INPUT/,
  },
  { name: 'variable: an unknown field inside an input object', body: withVariables({ first: 5, f: { colour: ['red'] } }), status: 400, expect: /BAD_USER_INPUT/ },
  {
    name: 'variable: a fraction for an Int, over GET',
    method: 'GET',
    headers: { 'apollo-require-preflight': 'true' },
    search: `?query=${encodeURIComponent(PAGED)}&variables=${encodeURIComponent('{"first":1.5}')}`,
    status: 400,
    expect: /BAD_USER_INPUT/,
  },
  { name: 'variables that are not an object', body: { query: PAGED, variables: [1] }, status: 400, expect: /variables/ },
  // Paging: cursors are bounded in length, forged ones are typed results, and browse pages are capped like the rest.
  { name: 'a cursor over the length cap', body: { query: `{ similarProducts(id: "x", after: "${'A'.repeat(3000)}") { __typename } }` }, status: 200, expect: /BAD_USER_INPUT/ },
  { name: 'a forged cursor', body: { query: '{ searchByText(q: "mug", after: "eyJ2IjoxfQ.000000000000") { hits { score } } }' }, status: 200, expect: /INVALID_CURSOR/ },
  { name: 'browseProducts first: 1000000', body: { query: '{ browseProducts(first: 1000000) { __typename } }' }, status: 200, expect: /BAD_USER_INPUT/ },
  { name: 'eleven facet fields', body: { query: `{ similarProducts(id: "x", facets: [${'BRAND '.repeat(11)}]) { __typename } }` }, status: 200, expect: /BAD_USER_INPUT/ },
  { name: 'an unknown facet field', body: { query: '{ similarProducts(id: "x", facets: [MATERIAL]) { __typename } }' }, status: 400, expect: /FacetField/ },
  {
    name: 'facets on every alias, over the cost limit',
    body: {
      query: `{ ${Array.from({ length: 12 }, (_, i) => `a${i}: searchByText(q: "mug", first: 100, facets: [BRAND, COLOR, CATEGORY, TAGS, IN_STOCK, PRICE_RANGE]) { hits { score } facets { values { count } } }`).join(' ')} }`,
    },
    status: 400,
    expect: /cost/i,
  },
  { name: 'browseProducts with an unknown sort', body: { query: '{ browseProducts(sort: COLOUR_ASC) { __typename } }' }, status: 400, expect: /ProductSort/ },
  { name: 'field suggestions are not offered', body: { query: '{ produc(id: "x") { id } }' }, status: 400, expect: /^(?![\s\S]*Did you mean)/ },
];
