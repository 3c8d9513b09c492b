import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DockerfileParser, type Instruction, type JSONInstruction } from 'dockerfile-ast';
import { parse as parseYaml } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config/config';
import { QUICK_START } from '../support/catalog';

/**
 * docker-compose.yml and the Dockerfile are never run here (no Docker engine), so they are checked against the code
 * they start: every variable the server reads, the file the image runs, the health endpoint, the Elasticsearch
 * settings the server's URL implies, the install-time switch and the quick-start catalog path.
 */
const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

type Env = Record<string, string>;
interface Service {
  image?: string;
  build?: unknown;
  environment?: Env;
  command?: string[];
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  stop_grace_period?: string;
  ulimits?: Record<string, { soft: number; hard: number }>;
  profiles?: string[];
}
const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  'x-left-at-default': Record<string, string>;
};
const { elasticsearch: es, server, 'sample-catalog': sample } = compose.services;

/** The Dockerfile as stages of instructions, split at FROM. */
const stages = (() => {
  const out: Instruction[][] = [];
  for (const i of DockerfileParser.parse(read('Dockerfile')).getInstructions()) {
    if (i.getKeyword() === 'FROM') out.push([]);
    out[out.length - 1].push(i);
  }
  return out;
})();
const [buildStage, runtimeStage] = [stages[0], stages[stages.length - 1]];
const args = (i: Instruction) => i.getArguments().map((a) => a.getValue());
const jsonArgs = (i: Instruction) => (i as JSONInstruction).getJSONStrings().map((s) => s.getJSONValue());
const envOf = (stage: Instruction[]): Env =>
  Object.fromEntries(
    stage
      .filter((i) => i.getKeyword() === 'ENV')
      .flatMap((i) => args(i).map((a) => a.split('=', 2) as [string, string])),
  );
const runtimeEnv = envOf(runtimeStage);
const only = (stage: Instruction[], keyword: string) => {
  const found = stage.filter((i) => i.getKeyword() === keyword);
  expect(found).toHaveLength(1);
  return found[0];
};

/** Compose's ${VAR:-default} and ${VAR:?message} as `docker compose up` would see them with nothing exported. */
function interpolate(value: string, required: Env): string {
  return value.replace(/\$\{(\w+)(?::-([^}]*)|:\?[^}]*)?\}/g, (_m, name: string, fallback?: string) => {
    if (fallback !== undefined) return fallback;
    if (!(name in required)) throw new Error(`${name} has neither a default nor a test value`);
    return required[name];
  });
}
const REQUIRED_FOR_TEST: Env = { API_KEY_SHA256: 'a'.repeat(64) };
const effectiveEnv = (svc: Service): Env => ({
  ...runtimeEnv,
  ...Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), REQUIRED_FOR_TEST)])),
});

/** tsconfig.build.json compiles <file>.ts under `include` into dist/<file>.js; the source of a dist path. */
function sourceOf(distFile: string): string {
  const build = JSON.parse(read('tsconfig.build.json')) as { include: string[]; compilerOptions: Record<string, unknown> };
  const base = JSON.parse(read('tsconfig.json')) as { compilerOptions: Record<string, unknown> };
  expect({ ...base.compilerOptions, ...build.compilerOptions }).toMatchObject({ outDir: 'dist', rootDir: '.' });
  const source = distFile.replace(/^dist\//, '').replace(/\.js$/, '.ts');
  expect(distFile).toMatch(/^dist\/.+\.js$/);
  expect(build.include.some((dir) => source.startsWith(`${dir}/`))).toBe(true);
  expect(existsSync(path.join(ROOT, source))).toBe(true);
  return source;
}

describe('docker-compose.yml', () => {
  it('sets or deliberately leaves at its default every variable the server reads, and nothing else', () => {
    const set = Object.keys(server.environment!);
    const skipped = Object.keys(compose['x-left-at-default']);
    expect(set.filter((v) => skipped.includes(v))).toEqual([]);
    expect([...set, ...skipped].sort()).toEqual([...CONFIG_VARIABLES].sort());
    for (const svc of [server, sample]) for (const v of Object.keys(svc.environment!)) expect(CONFIG_VARIABLES).toContain(v);
    for (const reason of Object.values(compose['x-left-at-default'])) expect(reason.length).toBeGreaterThan(10);
  });

  it('leaves no variable undocumented in the README configuration table', () => {
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
    const firstCells = table.split('\n').filter((l) => l.startsWith('| `')).map((l) => l.split('|')[1]);
    expect(CONFIG_VARIABLES.filter((v) => !firstCells.some((cell) => cell.includes(`\`${v}\``)))).toEqual([]);
  });

  it('gives the server and the catalog loader settings the server accepts', () => {
    for (const svc of [server, sample]) expect(() => loadConfig(effectiveEnv(svc), '/app')).not.toThrow();
    const c = loadConfig(effectiveEnv(server), '/app');
    expect(c.env).toBe('production');
    expect(c.http).toMatchObject({ host: '0.0.0.0', port: 4000 });
    expect(c.model.dir).toBe('/app/models/siglip-tiny');
    expect(c.images.allowPrivateCidrs).toEqual([]);
    expect(server.environment!.API_KEY_SHA256).toMatch(/^\$\{API_KEY_SHA256:\?/); // required, not silently empty
  });

  it('health-checks the server on /readyz, on the port it listens on', () => {
    const port = loadConfig(effectiveEnv(server), '/app').http.port;
    expect(server.healthcheck!.test!.join(' ')).toContain(`http://127.0.0.1:${port}/readyz`);
    expect(server.ports).toEqual([`127.0.0.1:${port}:${port}`]);
  });

  it('waits longer for a stop than the server drains', () => {
    const grace = Number(/^(\d+)s$/.exec(server.stop_grace_period ?? '')?.[1]) * 1000;
    expect(grace).toBeGreaterThan(loadConfig(effectiveEnv(server), '/app').http.shutdownTimeoutMs);
  });

  it('runs a single-node full-distribution Elasticsearch whose security matches the URL the server uses', () => {
    const clientMajor = /(\d+)\./.exec(JSON.parse(read('package.json')).dependencies['@elastic/elasticsearch'])![1];
    expect(es.image).toMatch(new RegExp(`^docker\\.elastic\\.co/elasticsearch/elasticsearch:${clientMajor}\\.\\d+\\.\\d+$`));
    const e = es.environment!;
    expect(e['discovery.type']).toBe('single-node');
    const c = loadConfig(effectiveEnv(server), '/app');
    expect(c.elasticsearch.nodes).toHaveLength(1);
    const url = new URL(c.elasticsearch.nodes[0]);
    expect(url.hostname).toBe('elasticsearch');
    expect(url.port).toBe('9200');
    if (e['xpack.security.enabled'] === 'false') {
      expect(url.protocol).toBe('http:');
      expect(c.elasticsearch.auth).toBeUndefined();
    } else {
      expect(url.protocol).toBe('https:');
      expect(c.elasticsearch.auth).toBeDefined();
    }
    const heap = /-Xms(\S+) -Xmx(\S+)/.exec(e.ES_JAVA_OPTS)!;
    expect(heap[1]).toBe(heap[2]);
    if (e['bootstrap.memory_lock'] === 'true') expect(es.ulimits!.memlock).toEqual({ soft: -1, hard: -1 });
    expect(es.healthcheck!.test!.join(' ')).toContain('_cluster/health');
    expect(server.depends_on!.elasticsearch).toEqual({ condition: 'service_healthy' });
  });

  it('loads the quick-start catalog with the built tools and serves its images from the same volume', () => {
    const script = sample.command!.join(' ');
    const synth = /node (dist\/\S+) --seed (\d+) --n (\d+) --out ([^\s;]+)/.exec(script)!;
    const load = /node (dist\/\S+) (\S+) --image-base-url \/samples\//.exec(script)!;
    expect(sourceOf(synth[1])).toBe('tools/synth/cli.ts');
    expect(sourceOf(load[1])).toBe('scripts/load-catalog.ts');
    expect([Number(synth[2]), Number(synth[3])]).toEqual([QUICK_START.seed, QUICK_START.n]);
    const dir = synth[4];
    expect(load[2]).toBe(dir);
    expect(sample.volumes).toEqual([`samples:${dir}`]);
    expect(server.volumes).toEqual([`samples:${dir}:ro`]);
    expect(compose.volumes).toHaveProperty('samples');
    expect(read('docker-compose.yml')).toContain(`SAMPLE_CATALOG_DIR=${dir} docker compose --profile sample up`);
    // The image creates the mount point for the unprivileged user, or the loader could not write the volume.
    expect(args(only(runtimeStage, 'RUN')).join(' ')).toBe(`mkdir -p ${dir} && chown node:node ${dir}`);
    expect(sample.profiles).toEqual(['sample']);
    expect(server.depends_on!['sample-catalog']).toEqual({ condition: 'service_completed_successfully', required: false });
    expect(sample.healthcheck).toEqual({ disable: true });
  });
});

describe('Dockerfile', () => {
  it('keeps onnxruntime-node from downloading at install time', () => {
    const npmCi = buildStage.findIndex((i) => i.getKeyword() === 'RUN' && args(i).join(' ').startsWith('npm ci'));
    const skip = buildStage.findIndex((i) => i.getKeyword() === 'ENV' && args(i).includes('ONNXRUNTIME_NODE_INSTALL=skip'));
    expect(skip).toBeGreaterThanOrEqual(0);
    expect(skip).toBeLessThan(npmCi);
    expect(read('.npmrc')).not.toMatch(/onnxruntime/);
  });

  it('starts the built server, the same command as `npm run serve`', () => {
    const cmd = jsonArgs(only(runtimeStage, 'CMD'));
    expect(cmd[0]).toBe('node');
    expect(sourceOf(cmd[1])).toBe('src/main.ts');
    expect(JSON.parse(read('package.json')).scripts.serve).toBe(cmd.join(' '));
    expect(runtimeStage.filter((i) => i.getKeyword() === 'ENTRYPOINT')).toEqual([]);
  });

  it('runs a Node the package supports, as an unprivileged user, with what the command needs', () => {
    const engines = /^>=(\d+)/.exec(JSON.parse(read('package.json')).engines.node)![1];
    for (const stage of [buildStage, runtimeStage]) {
      const from = args(stage[0])[0];
      expect(from).toMatch(/^node:\d+-/);
      expect(Number(/^node:(\d+)/.exec(from)![1])).toBeGreaterThanOrEqual(Number(engines));
    }
    expect(args(only(runtimeStage, 'USER'))).toEqual(['node']);
    const copied = runtimeStage.filter((i) => i.getKeyword() === 'COPY').map((i) => args(i).slice(-2).join(' '));
    expect(copied).toEqual(['/app/package.json ./', '/app/node_modules ./node_modules', '/app/dist ./dist', '/app/models ./models']);
    expect(runtimeEnv.MODEL_DIR).toBe('/app/models/siglip-tiny');
    expect(existsSync(path.join(ROOT, 'models/siglip-tiny/onnx/vision_model.onnx'))).toBe(true);
    expect(args(only(runtimeStage, 'EXPOSE'))).toEqual([runtimeEnv.PORT]);
    const ignored = read('.dockerignore').split('\n');
    for (const needed of ['models', 'src', 'scripts', 'tools', 'package-lock.json']) expect(ignored).not.toContain(needed);
    for (const kept of ['node_modules', 'dist', 'tmp', '.data', '.env']) expect(ignored).toContain(kept);
  });

  it('health-checks /readyz and stops with SIGTERM', () => {
    expect(args(only(runtimeStage, 'HEALTHCHECK')).join(' ')).toContain("'/readyz'");
    expect(args(only(runtimeStage, 'STOPSIGNAL'))).toEqual(['SIGTERM']);
  });
});
