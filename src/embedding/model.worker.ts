import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../common/errors';
import { OnnxModel } from './onnx.adapter';
import type { ModelThreadData, ModelThreadReply, ModelThreadRequest } from './model-thread';

/**
 * A model thread (model-thread.ts starts it): one ONNX session, runs one at a time in arrival order. onnxruntime-node
 * runs a session synchronously on the calling thread, so here it blocks only this thread, never the event loop that
 * serves requests and feeds the decode workers.
 */
const { file, outputNames, session } = workerData as ModelThreadData;
const port = parentPort!;

function failure(err: unknown): { code: string; message: string } {
  return { code: err instanceof AppError ? err.code : 'MODEL_INFERENCE_FAILED', message: err instanceof Error ? err.message : String(err) };
}

OnnxModel.load(file, outputNames, session).then(
  (model) => {
    port.postMessage({ type: 'ready', inputNames: model.inputNames, outputName: model.outputName } satisfies ModelThreadReply);
    // One message at a time, in order: a close waits for the runs sent before it.
    let queue = Promise.resolve();
    port.on('message', (msg: ModelThreadRequest) => {
      queue = queue.then(() => handle(model, msg));
    });
  },
  (err: unknown) => port.postMessage({ type: 'failed', ...failure(err) } satisfies ModelThreadReply),
);

async function handle(model: OnnxModel, msg: ModelThreadRequest): Promise<void> {
  if (msg.type === 'close') {
    await model.close().catch(() => undefined);
    port.postMessage({ type: 'closed' } satisfies ModelThreadReply);
    return;
  }
  try {
    const out = await model.run(msg.inputs);
    // A copy we own (the runtime's output buffer may not be transferable), moved without another copy.
    const data = new Float32Array(out.data);
    port.postMessage({ type: 'result', id: msg.id, out: { data, batch: out.batch, dims: out.dims } } satisfies ModelThreadReply, [data.buffer]);
  } catch (err) {
    port.postMessage({ type: 'error', id: msg.id, ...failure(err) } satisfies ModelThreadReply);
  }
}
