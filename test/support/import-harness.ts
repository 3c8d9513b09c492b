import 'reflect-metadata';
import { createFeedCatalogReader, createImportRuntime } from '../../src/app';
import { runImportCommand, type ImportRuntime } from '../../src/feeds/import-command';
import { testConfig } from './server';

export interface ImportRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A stream that keeps what is written, and is not a terminal (so progress comes as plain lines). */
function capture(): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY: false, write: (c: string) => (chunks.push(String(c)), true), text: () => chunks.join('') } as never;
}

/**
 * `npm run import -- …argv` in this process, on the given alias, with the loopback fixture allowed as a CDN.
 * `wrap` sees the booted runtime first (tests watch or interleave with what the command does through it).
 */
export async function importFeed(
  alias: string,
  argv: string[],
  env: Record<string, string> = {},
  stop?: AbortSignal,
  wrap: (runtime: ImportRuntime) => ImportRuntime = (r) => r,
): Promise<ImportRun> {
  const config = testConfig({ ES_INDEX_ALIAS: alias, ...env });
  const stdout = capture();
  const stderr = capture();
  const code = await runImportCommand(argv, {
    imagePolicy: config.images,
    maxImages: config.catalog.maxImages,
    readCatalog: () => createFeedCatalogReader(config),
    stdout,
    stderr,
    stop,
    boot: async ({ allowedHosts }) => wrap(await createImportRuntime(config, allowedHosts)),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
