/**
 * Builds everything the server serves to browsers into dist/public (`npm run build:web`, part of `npm run build`):
 *   widgets/v1/   the four web components as ES modules (esbuild, code-split), budget-checked
 *   demo/         the demo shop (static files, copied)
 *   explore/      the catalog map (bundled)
 *   explorer/     GraphiQL from its npm package (bundled, no CDN)
 * Prints the gzip size of the widgets and fails when they exceed the budget.
 */
import { build, type BuildOptions } from 'esbuild';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DOCUMENTS, PERSISTED } from '../src/server/persisted-documents';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'dist/public');
const WIDGETS_OUT = path.join(OUT, 'widgets/v1');
/** All widgets together, gzip. */
export const WIDGET_BUDGET_BYTES = 35 * 1024;

const WIDGET_ENTRIES = {
  widgets: 'widgets/src/index.ts',
  'similar-products': 'widgets/src/similar-products.ts',
  'recommended-products': 'widgets/src/recommended-products.ts',
  'visual-search': 'widgets/src/visual-search.ts',
  'product-search': 'widgets/src/product-search.ts',
};

const common: BuildOptions = {
  bundle: true,
  format: 'esm',
  target: 'es2021',
  minify: true,
  legalComments: 'none',
  tsconfig: path.join(ROOT, 'widgets/tsconfig.json'),
  logLevel: 'warning',
  absWorkingDir: ROOT,
};

function persistedHashes(): Record<string, string> {
  return Object.fromEntries(PERSISTED.map((name) => [name, createHash('sha256').update(DOCUMENTS[name]).digest('hex')]));
}

async function buildWidgets(): Promise<void> {
  rmSync(WIDGETS_OUT, { recursive: true, force: true });
  await build({
    ...common,
    entryPoints: WIDGET_ENTRIES,
    outdir: WIDGETS_OUT,
    splitting: true,
    // Shared chunks are named by content: their URLs never change meaning, so they can be cached forever.
    chunkNames: 'chunk-[hash]',
    define: { __PERSISTED_QUERY_HASHES__: JSON.stringify(persistedHashes()) },
  });
}

function reportWidgetSizes(): number {
  const files = readdirSync(WIDGETS_OUT).filter((f) => f.endsWith('.js')).sort();
  let raw = 0;
  let gz = 0;
  const rows = files.map((f) => {
    const bytes = readFileSync(path.join(WIDGETS_OUT, f));
    const g = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gz += g;
    return `  ${f.padEnd(32)} ${kb(bytes.length).padStart(9)} ${kb(g).padStart(9)} gzip`;
  });
  console.log(`widgets (dist/public/widgets/v1):\n${rows.join('\n')}`);
  console.log(`  ${'all widgets together'.padEnd(32)} ${kb(raw).padStart(9)} ${kb(gz).padStart(9)} gzip (budget ${kb(WIDGET_BUDGET_BYTES)})`);
  return gz;
}

function kb(n: number): string {
  return `${(n / 1024).toFixed(1)} KB`;
}

function copyDemo(): void {
  const out = path.join(OUT, 'demo');
  rmSync(out, { recursive: true, force: true });
  cpSync(path.join(ROOT, 'widgets/pages/demo'), out, { recursive: true });
}

/** The catalog map: one bundle plus its page and styles. */
async function buildExplore(): Promise<void> {
  const out = path.join(OUT, 'explore');
  rmSync(out, { recursive: true, force: true });
  await build({
    ...common,
    entryPoints: { explore: 'widgets/pages/explore/explore.ts' },
    outdir: out,
    define: { __PERSISTED_QUERY_HASHES__: JSON.stringify(persistedHashes()) },
  });
  for (const f of ['index.html', 'explore.css']) cpSync(path.join(ROOT, 'widgets/pages/explore', f), path.join(out, f));
}

/**
 * The README's "Example queries" block, one tab per example: each example starts at a `# comment` line at the top
 * level. Extracted at build time, so the explorer always shows what the README says.
 */
export function readmeExamples(readme: string): { title: string; query: string }[] {
  const block = /## Example queries[\s\S]*?```graphql\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no "## Example queries" graphql block');
  const examples: { title: string; query: string }[] = [];
  let inComment = false;
  for (const line of block.split('\n')) {
    const comment = /^# /.test(line);
    // A comment may run over several lines; only its first line starts a new example.
    if (comment && !inComment) examples.push({ title: line.slice(2).trim(), query: '' });
    else if (!comment && examples.length > 0) examples[examples.length - 1].query += `${line}\n`;
    inComment = comment;
  }
  return examples.map((e) => ({ title: e.title, query: e.query.trim() + '\n' }));
}

/** GraphiQL from its npm package: React, CodeMirror and styles in one bundle, fonts inlined. */
async function buildExplorer(): Promise<void> {
  const out = path.join(OUT, 'explorer');
  rmSync(out, { recursive: true, force: true });
  await build({
    ...common,
    entryPoints: { explorer: 'widgets/pages/explorer/explorer.tsx' },
    outdir: out,
    jsx: 'automatic',
    loader: { '.woff2': 'dataurl', '.woff': 'dataurl', '.ttf': 'dataurl', '.svg': 'dataurl' },
    define: {
      __README_EXAMPLES__: JSON.stringify(readmeExamples(readFileSync(path.join(ROOT, 'README.md'), 'utf8'))),
      'process.env.NODE_ENV': '"production"',
    },
  });
  cpSync(path.join(ROOT, 'widgets/pages/explorer/index.html'), path.join(out, 'index.html'));
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  await buildWidgets();
  copyDemo();
  await buildExplore();
  await buildExplorer();
  const gz = reportWidgetSizes();
  if (gz > WIDGET_BUDGET_BYTES) {
    console.error(`widgets are ${kb(gz)} gzip, over the ${kb(WIDGET_BUDGET_BYTES)} budget`);
    process.exit(1);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
