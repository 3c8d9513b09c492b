import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The GraphQL server as production runs it: the compiled build (`npm run build`, `node dist/src/main.js`) in its own
 * process, NODE_ENV=production, so the benchmark's load generator never shares an event loop with the server.
 */

export const ROOT = path.resolve(__dirname, '../..');
export const BENCH_API_KEY = 'bench-key-0123456789abcdef';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Compiles src/ when dist/ is missing or older than any source file. */
export function ensureBuild(): void {
  const main = path.join(ROOT, 'dist/src/main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newestMtime(path.join(ROOT, 'src'))) return;
  process.stderr.write('[bench] npm run build\n');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

export interface ServerProcess {
  url: string;
  /** The server's process id (its memory is read from /proc). */
  pid: number;
  stop(): Promise<void>;
}

/** `profileDir`: write a V8 CPU profile of the server there when it exits (bench --profile). */
export async function startServerProcess(env: Record<string, string>, o: { profileDir?: string } = {}): Promise<ServerProcess> {
  ensureBuild();
  const prof = o.profileDir ? ['--cpu-prof', '--cpu-prof-dir', o.profileDir] : [];
  const child: ChildProcess = spawn(process.execPath, [...prof, path.join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      API_KEY_SHA256: createHash('sha256').update(BENCH_API_KEY).digest('hex'),
      // The bench measures the server's speed from one address; production rate limits would answer it with 429s.
      RATE_LIMIT_ENABLED: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  // The structured "server ready" log line (stderr, JSON) carries the URL; the human banner on stdout may change.
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in 120 s:\n${stderr}`));
    }, 120_000);
    let found = false;
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-8000);
      // Once ready, the buffer keeps only the latest log (per-request lines); its first line may be cut, never parsed.
      if (found) return;
      for (const line of stderr.split('\n').slice(0, -1)) { // complete lines only
        if (!line.startsWith('{') || !line.includes('"server ready"')) continue;
        const ready = JSON.parse(line) as { url?: string };
        if (ready.url) {
          found = true;
          clearTimeout(timer);
          resolve(ready.url);
        }
      }
    });
    child.stdout!.resume(); // drained, never read
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${stderr}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
