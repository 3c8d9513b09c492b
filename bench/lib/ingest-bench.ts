import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { loadEmbedder } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { readModelFolder } from '../../src/embedding/model-folder';
import { OnnxModel } from '../../src/embedding/onnx.adapter';
import { ElasticsearchProductIndex } from '../../src/search/elasticsearch/elasticsearch.adapter';
import { syntheticCatalog, toInput, type FixtureProduct } from '../../test/support/catalog';
import { GraphQLClient } from './http-clients';
import { BENCH_API_KEY, ROOT, startServerProcess } from './server-process';
import { load1, type Row } from './stats';

/**
 * Ingest throughput at four depths of the same work on the same JPEGs, each measured once per round in a rotating
 * order: the API (ingestProducts over HTTP, batches of 25, one client), the in-process pipeline (decode + resize +
 * model at batch 32, all images in flight), the bare model (batch 32 on ready pixel tensors) and the Python peer.
 */

const INGEST_ALIAS = 'bench-ingest';
const BATCH = 25;
const MODEL_BATCH = 32;
export const PEER_PYTHON = path.join(ROOT, 'tools/bench-peer/.venv/bin/python');
export const PEER_HINT =
  'python3 -m venv tools/bench-peer/.venv && tools/bench-peer/.venv/bin/pip install -r tools/bench-peer/requirements.txt';

export interface IngestBenchOptions {
  esUrl: string;
  modelDir: string;
  images: number;
  rounds: number;
  log: (s: string) => void;
  profileDir?: string;
}

const INGEST = `mutation Ingest($inputs: [ProductInput!]!) {
  ingestProducts(inputs: $inputs) { summary { created updated unchanged failed } }
}`;

async function viaApi(gql: GraphQLClient, catalog: FixtureProduct[], tag: string): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < catalog.length; i += BATCH) {
    const inputs = catalog.slice(i, i + BATCH).map((p) => toInput(p, { id: `${p.record.id}-${tag}` }));
    const data = await gql.query<{ ingestProducts: { summary: { created: number } } }>(INGEST, { inputs });
    if (data.ingestProducts.summary.created !== inputs.length) throw new Error(`ingest created ${JSON.stringify(data.ingestProducts.summary)}`);
  }
  return catalog.length / ((performance.now() - t0) / 1000);
}

async function peer(modelDir: string, dir: string): Promise<number> {
  const { stdout } = await promisify(execFile)(PEER_PYTHON, [path.join(ROOT, 'tools/bench-peer/peer.py'), '--model', modelDir, '--images', dir], {
    timeout: 600_000,
  });
  return (JSON.parse(stdout.trim().split('\n').at(-1)!) as { images_per_s: number }).images_per_s;
}

export async function ingestRows(o: IngestBenchOptions): Promise<Row[]> {
  const catalog = await syntheticCatalog(777, o.images);
  const jpegDir = path.join(ROOT, `bench/.work/jpegs-777-${o.images}`);
  if (!existsSync(jpegDir)) {
    mkdirSync(jpegDir, { recursive: true });
    for (const p of catalog) writeFileSync(path.join(jpegDir, `${p.record.id}.jpg`), p.jpeg);
  }
  const hasPeer = existsSync(PEER_PYTHON);
  if (!hasPeer) o.log(`Python peer skipped: its virtualenv is missing. Create it with:\n  ${PEER_HINT}`);

  // The pipeline row puts every image in flight at once, so the decode pool's line must hold them all (the server
  // keeps its bounded default: there a full line answers 503).
  const config = loadConfig({ MODEL_DIR: o.modelDir, EMBED_MAX_BATCH: String(MODEL_BATCH), IMAGE_QUEUE_MAX: String(o.images) }, ROOT);
  const pipeline = await loadEmbedder(config);
  const folder = await readModelFolder(config.model.dir);
  const bare = await OnnxModel.load(folder.visionPath, ['pooler_output', 'image_embeds'], {
    intraOpThreads: config.model.threads,
    interOpThreads: 1,
    spinWait: config.model.visionSpinWait,
  });
  const { width, height } = folder.image;
  const plane = 3 * width * height;
  const pixels = new Float32Array(MODEL_BATCH * plane);
  for (let i = 0; i < MODEL_BATCH; i++) pixels.set(await pipeline.pixelValues(catalog[i % catalog.length]!.jpeg), i * plane);

  // A batch of 25 through a real-size model on a busy 2-core machine can outlast the production request timeout.
  const server = await startServerProcess(
    { ES_URL: o.esUrl, ES_INDEX_ALIAS: INGEST_ALIAS, MODEL_DIR: o.modelDir, REQUEST_TIMEOUT_MS: '600000' },
    { profileDir: o.profileDir },
  );
  const gql = new GraphQLClient(server.url, 2, BENCH_API_KEY);
  const runTag = Date.now().toString(36);
  const rate = { api: [] as number[], pipeline: [] as number[], model: [] as number[], peer: [] as number[], load: [] as number[] };
  const tasks: [keyof typeof rate, () => Promise<number>][] = [
    ['api', async () => viaApi(gql, catalog, `${runTag}-${rate.api.length}`)],
    [
      'pipeline',
      async () => {
        const t0 = performance.now();
        await Promise.all(catalog.map((p) => pipeline.embedImage(p.jpeg)));
        return catalog.length / ((performance.now() - t0) / 1000);
      },
    ],
    [
      'model',
      async () => {
        const t0 = performance.now();
        const batches = Math.ceil(o.images / MODEL_BATCH);
        for (let b = 0; b < batches; b++) await bare.run({ pixel_values: { type: 'float32', data: pixels, dims: [MODEL_BATCH, 3, height, width] } });
        return (batches * MODEL_BATCH) / ((performance.now() - t0) / 1000);
      },
    ],
    ...(hasPeer ? [['peer', () => peer(config.model.dir, jpegDir)] as [keyof typeof rate, () => Promise<number>]] : []),
  ];
  try {
    await viaApi(gql, catalog.slice(0, BATCH), `${runTag}-warm`); // server warm-up (JIT, connections)
    for (let r = 0; r < o.rounds; r++) {
      for (let k = 0; k < tasks.length; k++) {
        const [name, run] = tasks[(k + r) % tasks.length]!;
        rate[name].push(await run());
      }
      rate.load.push(load1());
      o.log(
        `round ${r + 1}: ingestProducts ${rate.api.at(-1)!.toFixed(1)}/s, pipeline ${rate.pipeline.at(-1)!.toFixed(1)}/s, ` +
          `bare model ${rate.model.at(-1)!.toFixed(1)}/s${hasPeer ? `, Python peer ${rate.peer.at(-1)!.toFixed(1)}/s` : ''} (load ${load1().toFixed(2)})`,
      );
    }
  } finally {
    await gql.close();
    await server.stop();
    await Promise.allSettled([pipeline.close(), bare.close()]);
    const index = ElasticsearchProductIndex.connect({ url: o.esUrl, indexAlias: INGEST_ALIAS, requestTimeoutMs: 60_000, maxRetries: 1 });
    await index.dropAll().finally(() => index.close());
  }
  const model = path.basename(config.model.dir);
  return [
    {
      measure: `ingest via ingestProducts (base64 JPEGs, batches of ${BATCH}) ÷ Python peer, ${model}`,
      unit: '/s',
      ours: rate.api,
      reference: rate.peer,
      referenceName: 'peer',
      goal: '≥ 2.0×',
      load: rate.load,
      note: hasPeer ? undefined : 'peer venv missing',
    },
    { measure: `ingest ÷ in-process pipeline (decode + resize + model at batch ${MODEL_BATCH})`, unit: '/s', ours: rate.api, reference: rate.pipeline, referenceName: 'pipeline', goal: '≥ 0.90×', load: rate.load },
    { measure: `in-process pipeline ÷ bare model (batch ${MODEL_BATCH}, pixels ready)`, unit: '/s', ours: rate.pipeline, reference: rate.model, referenceName: 'model', goal: '–', load: rate.load },
    // The goal applies to real-size models, where the model should dominate everything else.
    { measure: `ingest ÷ bare model`, unit: '/s', ours: rate.api, reference: rate.model, referenceName: 'model', goal: '≥ 0.90× (base model)', load: rate.load },
  ];
}
