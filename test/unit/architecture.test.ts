import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The shape of src/, checked so it stays true: imports only run down the layers, each outside library is imported by
 * exactly one adapter, and no file grows past 400 lines.
 */

const SRC = resolve(__dirname, '../../src');

/** Layers, most specific path first. A file belongs to the first whose prefix matches. */
const LAYERS: [layer: string, prefix: string][] = [
  ['common', 'common/'],
  ['config', 'config/'],
  ['sources', 'sources/'],
  ['pixels', 'embedding/pixels/'],
  ['embedding', 'embedding/'],
  ['catalog', 'catalog/'],
  ['elasticsearch', 'search/elasticsearch/'],
  ['search', 'search/'],
  ['tagging', 'tagging/'],
  ['reindex', 'reindex/'],
  ['ingest', 'ingest/'],
  ['duplicates', 'duplicates/'],
  ['schema', 'schema/'],
  ['resolvers', 'resolvers/'],
  ['server', 'server/'],
  ['explore', 'explore/'],
  ['feeds', 'feeds/'],
  ['root', ''],
];

/**
 * What each layer may import besides itself. `layer:file` allows one file of a layer only: the services see the model
 * and the image sources through their interfaces, never through the implementations.
 */
const ALLOWED: Record<string, string[]> = {
  common: [],
  config: ['common'],
  sources: ['common'],
  pixels: ['common'],
  embedding: ['common', 'pixels'],
  catalog: ['common', 'sources:image-source.ts', 'sources:limits.ts'],
  elasticsearch: ['common', 'catalog'],
  search: ['common', 'catalog', 'embedding:embedder.ts', 'sources:image-source.ts'],
  tagging: ['common', 'catalog', 'embedding:embedder.ts'],
  // Safe model upgrades: the shadow index is built with the next model, tags and content hashes as ingest makes them.
  reindex: ['common', 'catalog', 'embedding:embedder.ts', 'sources:image-source.ts', 'tagging:tagger.ts', 'ingest:content-hash.ts'],
  ingest: ['common', 'catalog', 'embedding:embedder.ts', 'sources:image-source.ts', 'tagging:tagger.ts'],
  // npm run dedup writes its CSV and shows its progress through the importer's adapters of csv-stringify and cli-progress.
  duplicates: ['common', 'catalog', 'feeds:error-report.ts', 'feeds:progress.ts'],
  schema: ['common', 'catalog', 'sources:image-source.ts', 'sources:limits.ts'],
  resolvers: [
    'common',
    'catalog',
    'schema',
    'search:search.service.ts',
    'search:merchandising.service.ts',
    'ingest:ingest.service.ts',
    'explore:catalog-map.service.ts',
    'duplicates:duplicates.service.ts',
    'tagging:catalog-qa.service.ts',
    'reindex:compare-models.service.ts',
  ],
  server: ['common', 'resolvers:context.ts'],
  explore: ['common', 'catalog', 'embedding:embedder.ts'],
  // A feed import is another entry point beside the API: it validates rows with the API's input types and writes
  // through the ingest service.
  feeds: [
    'common',
    'catalog',
    'sources:image-source.ts',
    'sources:address-policy.ts',
    'ingest:ingest.service.ts',
    'schema:inputs.ts',
  ],
  root: ['*'],
};

/**
 * Outside systems and the one module allowed to import each. piscina has two sides of one boundary: the pool on the
 * main thread and the worker entry it starts (which moves results back with piscina's `move`).
 */
const OWNERS: Record<string, string | string[]> = {
  '@elastic/elasticsearch': 'search/elasticsearch/elasticsearch.adapter.ts',
  'onnxruntime-node': 'embedding/onnx.adapter.ts',
  sharp: 'embedding/pixels/decode.adapter.ts',
  undici: 'sources/image-fetch.adapter.ts',
  '@huggingface/tokenizers': 'embedding/tokenizer.ts',
  'umap-js': 'explore/umap.adapter.ts',
  'graphql-jit': 'server/jit-executor.ts',
  'csv-parse': 'feeds/formats/delimited.adapter.ts',
  'csv-stringify': 'feeds/error-report.ts',
  saxes: 'feeds/formats/xml-items.adapter.ts',
  'cli-progress': 'feeds/progress.ts',
  piscina: ['embedding/pixels/decode-pool.ts', 'embedding/pixels/decode.worker.ts'],
  pino: 'common/logger.ts',
  'prom-client': 'server/metrics.ts',
  'rate-limiter-flexible': 'server/rate-limit.ts',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [relative(SRC, path)] : [];
  });
}

function layerOf(file: string): string {
  return LAYERS.find(([, prefix]) => file.startsWith(prefix))![0];
}

/** Every module specifier a file imports, re-exports or requires (type-only imports included: they couple too). */
function specifiers(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const found = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g), ...text.matchAll(/(?:import|require)\(\s*'([^']+)'\s*\)/g)];
  const bare = [...text.matchAll(/(?:^|\n)\s*import\s+'([^']+)'/g)];
  return [...found, ...bare].map((m) => m[1]!);
}

function resolveLocal(from: string, spec: string): string {
  const base = relative(SRC, resolve(SRC, dirname(from), spec));
  const candidates = [`${base}.ts`, join(base, 'index.ts')];
  const files = new Set(FILES);
  const hit = candidates.find((c) => files.has(c));
  if (!hit) throw new Error(`${from}: cannot resolve '${spec}'`);
  return hit;
}

function allowed(from: string, to: string): boolean {
  const [a, b] = [layerOf(from), layerOf(to)];
  if (a === b) return true;
  const name = to.slice(to.lastIndexOf('/') + 1);
  return ALLOWED[a]!.some((rule) => rule === '*' || rule === b || rule === `${b}:${name}`);
}

const FILES = sourceFiles(SRC);
const EDGES = FILES.flatMap((from) =>
  specifiers(from).map((spec) => ({ from, spec, to: spec.startsWith('.') ? resolveLocal(from, spec) : null })),
);

describe('the shape of src/', () => {
  it('finds the files and their imports', () => {
    expect(FILES).toContain('resolvers/index.ts');
    expect(EDGES.filter((e) => e.to !== null).length).toBeGreaterThan(100);
  });

  it('imports only run down the layers', () => {
    const upward = EDGES.filter((e) => e.to !== null && !allowed(e.from, e.to)).map(
      (e) => `${e.from} (${layerOf(e.from)}) -> ${e.to} (${layerOf(e.to!)})`,
    );
    expect(upward).toEqual([]);
  });

  it('never lets schema/ import resolvers/, nor an adapter import a service', () => {
    const bad = EDGES.filter(
      (e) =>
        e.to !== null &&
        ((e.from.startsWith('schema/') && e.to.startsWith('resolvers/')) ||
          (e.from.endsWith('.adapter.ts') && e.to.endsWith('.service.ts'))),
    );
    expect(bad).toEqual([]);
  });

  it('lets exactly one module import each outside system', () => {
    const importers = Object.fromEntries(
      Object.keys(OWNERS).map((lib) => [lib, [...new Set(EDGES.filter((e) => e.spec === lib || e.spec.startsWith(`${lib}/`)).map((e) => e.from))]]),
    );
    expect(importers).toEqual(Object.fromEntries(Object.entries(OWNERS).map(([lib, owner]) => [lib, [owner].flat()])));
  });

  it('keeps every file under 400 lines', () => {
    const long = FILES.map((f) => [f, readFileSync(join(SRC, f), 'utf8').split('\n').length] as const).filter(([, n]) => n > 400);
    expect(long).toEqual([]);
  });

  it('rejects an upward import when one is planted (the rule can fail)', () => {
    expect(allowed('schema/args.ts', 'resolvers/index.ts')).toBe(false);
    expect(allowed('embedding/towers.ts', 'sources/image-fetch.adapter.ts')).toBe(false);
    expect(allowed('search/search.service.ts', 'embedding/embedding.service.ts')).toBe(false);
    expect(allowed('search/elasticsearch/elasticsearch.adapter.ts', 'search/search.service.ts')).toBe(false);
    expect(allowed('embedding/pixels/pipeline.ts', 'embedding/towers.ts')).toBe(false);
    expect(allowed('resolvers/search.resolver.ts', 'search/search.service.ts')).toBe(true);
  });
});
