/**
 * What the search and ingest services need from the model. EmbeddingService implements it; services depend on this
 * interface so they never see the runtime behind it.
 */
export interface Embedder {
  readonly modelId: string;
  readonly dims: number;
  /** The learned sigmoid scale and bias (probability = sigmoid(scale * cos + bias)), when the model folder records them. */
  readonly logits?: { readonly scale: number; readonly bias: number };
  /**
   * The image-to-image cosines at or above which two products are DUPLICATE, resp. at least VARIANT, calibrated for
   * these weights (models/<folder>/calibration.json). Undefined for a model folder without a calibration: relations
   * are then not reported.
   */
  readonly relationThresholds?: { readonly duplicate: number; readonly variant: number };
  /**
   * L2-normalised image embedding. Undecodable or oversized bytes reject with ImageInputError. A fired `signal` stops
   * the work (decode, resize, or its place in the model queue) and rejects with the signal's reason.
   */
  embedImage(bytes: Buffer, signal?: AbortSignal): Promise<Float32Array>;
  /** L2-normalised text embedding in the same space as images; `signal` as for images. */
  embedText(text: string, signal?: AbortSignal): Promise<Float32Array>;
}
