import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs, readFileSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dropAlias, ES_URL } from '../support/es';

/**
 * `npm start` is the quick start, and people stop it with Ctrl-C or their supervisor's TERM. Either must stop
 * the server and every step before it, leaving no process behind (it used to leave `node dist/src/main.js`
 * serving, orphaned under init). These run the real `npm start` on a private alias, a free port and a tiny catalog.
 */
const ROOT = path.resolve(__dirname, '../..');

/** /proc/<pid>/stat fields 4 (ppid) and 22 (start time), after the parenthesised command name. */
function stat(pid: number): { ppid: number; start: string; state: string } | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return { state: fields[0], ppid: Number(fields[1]), start: fields[19] };
  } catch {
    return null;
  }
}

/** Every live descendant of pid, with its start time so that a recycled pid is not mistaken for a survivor. */
function descendants(pid: number): Map<number, string> {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  const children = new Map<number, number[]>();
  for (const p of all) {
    const s = stat(p);
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), p]);
  }
  const out = new Map<number, string>();
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      const s = stat(c);
      if (s && s.state !== 'Z') out.set(c, s.start);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

async function until<T>(probe: () => T | null, timeoutMs = 30_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    const v = probe();
    if (v !== null) return v;
  }
  throw new Error('timed out');
}

function survivors(tracked: Map<number, string>): number[] {
  return [...tracked].filter(([pid, start]) => {
    const s = stat(pid);
    return s !== null && s.start === start && s.state !== 'Z';
  }).map(([pid]) => pid);
}

interface Run {
  npm: ChildProcess;
  output: () => string;
  /** Resolves when the output matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function npmStart(env: Record<string, string>): Run {
  // Its own process group, like a shell job, so that a "Ctrl-C" can go to the whole group as a terminal sends it.
  const npm = spawn('npm', ['start'], { cwd: ROOT, detached: true, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: (() => void)[] = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    waiters.forEach((w) => w());
  };
  npm.stdout!.on('data', onData);
  npm.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    npm,
    output: () => out,
    exited,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${out}`)), timeoutMs);
        const check = () => {
          const m = out.match(pattern);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          }
        };
        waiters.push(check);
        check();
      }),
  };
}

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch (e) {
    return /ECONNREFUSED/.test(String((e as { cause?: unknown }).cause ?? e));
  }
}

describe('npm start and signals', () => {
  const alias = `test-npm-start-${process.pid}`;
  let sampleDir: string;
  let runs: Run[] = [];

  beforeAll(async () => {
    sampleDir = await fs.mkdtemp(path.join(os.tmpdir(), 'npm-start-catalog-'));
  });
  afterEach(() => {
    // A failed assertion must not leave a server behind either.
    for (const r of runs) for (const pid of survivors(descendants(r.npm.pid!))) process.kill(pid, 'SIGKILL');
    for (const r of runs) if (r.npm.exitCode === null) r.npm.kill('SIGKILL');
    runs = [];
  });
  afterAll(async () => {
    await fs.rm(sampleDir, { recursive: true, force: true });
    await dropAlias(alias);
  });

  const start = () => {
    const run = npmStart({
      ES_URL,
      ES_INDEX_ALIAS: alias,
      PORT: '0',
      SAMPLE_CATALOG_DIR: sampleDir,
      SAMPLE_SIZE: '6',
      NODE_ENV: 'development',
    });
    runs.push(run);
    return run;
  };

  async function serving(run: Run): Promise<{ url: string; tracked: Map<number, string> }> {
    const [, url] = await run.waitFor(/GraphQL endpoint: (http:\S+)/);
    expect((await fetch(url.replace('/graphql', '/healthz'))).status).toBe(200);
    const tracked = descendants(run.npm.pid!);
    // npm → node dist/src/main.js: the script execs the server, so nothing sits in between.
    expect([...tracked.keys()].map(cmdline)).toEqual(['node dist/src/main.js']);
    return { url, tracked };
  }

  it('TERM to npm stops the server; nothing survives, the port is closed, exit code 0', async () => {
    const run = start();
    const { url, tracked } = await serving(run);
    process.kill(run.npm.pid!, 'SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(survivors(tracked)).toEqual([]);
    expect(await refused(url)).toBe(true);
  }, 90_000);

  it('Ctrl-C (INT to the whole process group) stops the server the same way', async () => {
    const run = start();
    const { url, tracked } = await serving(run);
    process.kill(-run.npm.pid!, 'SIGINT');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(survivors(tracked)).toEqual([]);
    expect(await refused(url)).toBe(true);
  }, 90_000);

  it('TERM during a step (loading the catalog) stops that step and never starts the server', async () => {
    const run = start();
    await run.waitFor(/loading the sample catalog/);
    const tracked = await until(() => {
      const d = descendants(run.npm.pid!);
      return [...d.keys()].some((pid) => cmdline(pid).includes('load-catalog')) ? d : null;
    });
    process.kill(run.npm.pid!, 'SIGTERM');
    const exit = await run.exited;
    expect(exit.code === 143 || exit.signal === 'SIGTERM').toBe(true);
    expect(survivors(tracked)).toEqual([]);
    expect(run.output()).not.toMatch(/GraphQL endpoint/);
  }, 90_000);
});
