import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * How to start one of our worker entry files (`<dir>/<name>.js` in the build, `.ts` from source). From source (tsx,
 * ts-jest) the worker is TypeScript too: it loads through tsx, which development has installed; the compiled build
 * (dist/) runs plain JavaScript and needs nothing.
 */
export function workerScript(dir: string, name: string): { filename: string; execArgv: string[] } {
  const ext = path.extname(__filename);
  const filename = path.join(dir, `${name}${ext}`);
  const fromSource = ext === '.ts' && !process.execArgv.some((a) => a.includes('tsx'));
  return { filename, execArgv: fromSource ? [...process.execArgv, '--require', 'tsx/cjs'] : process.execArgv };
}

/**
 * A plain worker thread on one of our entry files, loaded with `require` from a one-line bootstrap: under the tsx CLI
 * a worker's entry point would go through the ESM loader, which refuses `.ts`; tsx's CommonJS hook is added for it.
 */
export function startWorker(dir: string, name: string, workerData: unknown): Worker {
  const { filename } = workerScript(dir, name);
  const fromSource = path.extname(filename) === '.ts';
  return new Worker(`require(${JSON.stringify(filename)});`, {
    eval: true,
    workerData,
    execArgv: fromSource ? [...process.execArgv, '--require', 'tsx/cjs'] : process.execArgv,
  });
}
