import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dropAlias } from '../support/es';
import { spawnServer } from '../support/server-process';

/**
 * A server that boots, loads the model, embeds a query and stops writes nothing to the temp dir or the home
 * directory. ONNX Runtime's telemetry used to leave an empty mat-debug-<pid>.log and a .ses file in the temp dir
 * and a SQLite queue under ~/.cache/Microsoft on every process start.
 */
describe('a server process leaves no files behind', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'no-litter-'));
  });
  afterAll(() => fs.rm(scratch, { recursive: true, force: true }));

  it('in TMPDIR or HOME, from boot through a text search to shutdown', async () => {
    const home = path.join(scratch, 'home');
    const tmp = path.join(scratch, 'tmp');
    await Promise.all([fs.mkdir(home), fs.mkdir(tmp)]);
    const alias = `test-litter-${process.pid}`;
    const server = await spawnServer({ TMPDIR: tmp, HOME: home, ES_INDEX_ALIAS: alias });
    try {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ searchByText(q: "red mug", mode: VECTOR) { hits { score } } }' }),
      });
      expect(await res.json()).toEqual({ data: { searchByText: { hits: [] } } });
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      await dropAlias(alias);
    }
    expect(await fs.readdir(tmp)).toEqual([]);
    expect(await fs.readdir(home)).toEqual([]);
  });
});
