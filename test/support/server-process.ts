import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { ES_URL } from './es';
import { MODEL_DIR } from './server';

const ROOT = path.resolve(__dirname, '../..');

/** The real server as its own process (src/main.ts through tsx), for what only a process shows: signals, exit codes, files. */
export interface ServerProcess {
  child: ChildProcess;
  /** http://host:port/graphql, once the server printed it. */
  url: string;
  origin: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function spawnServer(env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      TMPDIR: os.tmpdir(),
      NODE_ENV: 'test',
      PORT: '0',
      MODEL_DIR,
      ES_URL,
      ES_INDEX_ALIAS: `test-proc-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      // tsx's transform cache is the harness's, not the server's: keep it from writing to the temp dir.
      TSX_DISABLE_CACHE: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const check = () => {
      const m = out.match(/GraphQL endpoint: (http:\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${out}`));
    });
  });
  return { child, url, origin: new URL(url).origin, output: () => out, exited };
}
