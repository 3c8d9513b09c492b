/**
 * Finds every duplicate cluster of the catalog behind ES_INDEX_ALIAS, with a progress bar; see README, "Duplicates".
 *
 *   npm run dedup -- --report out.csv [--min-relation DUPLICATE|VARIANT] [--k 10] [--concurrency 4]
 */
import 'reflect-metadata';
import { createDedupRuntime } from '../src/app';
import { loadConfig } from '../src/config/config';
import { DEDUP_USAGE, runDedupCommand } from '../src/duplicates/dedup-command';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${DEDUP_USAGE}\n`);
    return 0;
  }
  const config = loadConfig();
  return runDedupCommand(argv, { stdout: process.stdout, stderr: process.stderr, boot: () => createDedupRuntime(config) });
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`\ndedup failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
