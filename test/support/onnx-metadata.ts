import * as ort from 'onnxruntime-node';

/** The last dimension an ONNX graph declares statically for one output (null when dynamic). For fixture checks. */
export async function declaredOutputWidth(file: string, output: string): Promise<number | null> {
  const session = await ort.InferenceSession.create(file);
  try {
    const meta = session.outputMetadata.find((m) => m.name === output);
    const last = meta && meta.isTensor ? meta.shape[meta.shape.length - 1] : undefined;
    return typeof last === 'number' && last > 0 ? last : null;
  } finally {
    await session.release();
  }
}
