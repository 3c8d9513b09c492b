import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { move, workerData } from 'piscina';
import { ImageInputError } from '../../common/errors';
import type { DecodeReply, DecodeTask, DecodeWorkerData } from './decode-pool';
import { toPixelPlane } from './pipeline';

/**
 * A decode worker thread (piscina runs this file): bytes in, the model's CHW float32 plane out, moved to the main
 * thread without a copy. Expected failures come back as a value, because an Error that crosses threads loses its
 * class and code.
 */
const { preprocessing, maxInputPixels } = workerData as DecodeWorkerData;

/**
 * A full-size decode is one large Buffer that only the garbage collector frees, and this small heap rarely needs a
 * collection: idle workers would each keep their last photo's pixels (60 MB for 20 MP) alive, outside the decode
 * budget. So after a large decode the worker collects before it answers, and the budget's release is true. The flag
 * is process-wide but only exposes `gc` in contexts created afterwards, such as this one.
 */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
const COLLECT_AFTER_PIXELS = 4_000_000;

export default async function decode(task: DecodeTask): Promise<DecodeReply> {
  try {
    const plane = await toPixelPlane(task.bytes, preprocessing, { maxInputPixels, header: task.header });
    if (task.header.width * task.header.height >= COLLECT_AFTER_PIXELS) collect(); // ~1 ms here, against ~100 ms or more for such a decode
    return move(plane) as Float32Array;
  } catch (err) {
    if (err instanceof ImageInputError) return { code: err.code, message: err.message };
    throw err;
  }
}
