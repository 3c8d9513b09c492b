/**
 * What the search and ingest services need from the model. EmbeddingService implements it; services depend on this
 * interface so they never see the runtime behind it.
 */
export interface Embedder {
  readonly modelId: string;
  readonly dims: number;
  /** L2-normalised image embedding. Undecodable or oversized bytes reject with ImageInputError. */
  embedImage(bytes: Buffer): Promise<Float32Array>;
  /** L2-normalised text embedding in the same space as images. */
  embedText(text: string): Promise<Float32Array>;
}
