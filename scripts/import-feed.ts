/**
 * Imports a product feed (CSV, JSONL, Google Merchant Center TSV/XML, Shopify CSV) through the same ingest service
 * the API uses. Resumable and cheap to re-run; see README, "Import a feed".
 *
 *   npm run import -- feed.xml [--dry-run] [--errors report.csv] [--concurrency 16] …   (--help for all flags)
 */
import 'reflect-metadata';
import { createFeedCatalogReader, createImportRuntime } from '../src/app';
import { loadConfig } from '../src/config/config';
import { USAGE } from '../src/feeds/import-args';
import { runImportCommand } from '../src/feeds/import-command';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfig();
  return runImportCommand(argv, {
    imagePolicy: config.images,
    maxImages: config.catalog.maxImages,
    readCatalog: () => createFeedCatalogReader(config),
    stdout: process.stdout,
    stderr: process.stderr,
    boot: ({ allowedHosts }) => createImportRuntime(config, allowedHosts),
  });
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`\nimport failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
