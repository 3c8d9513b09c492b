/** An image as a client supplies it: exactly one of a URL to fetch or the bytes, base64-encoded. */
export interface ImageRef {
  url?: string | null;
  base64?: string | null;
}

/** HTTP cache validators of a fetched image: sent back as If-None-Match / If-Modified-Since on the next fetch. */
export interface ImageValidators {
  etag?: string;
  lastModified?: string;
}

/**
 * The answer to "give me the bytes unless they are still what I have": either new bytes (with the validators that
 * describe them, when the source has any) or the source's word that nothing changed, without bytes.
 */
export type ConditionalImage = { modified: true; bytes: Buffer; validators: ImageValidators } | { modified: false };

/**
 * Where the services get image bytes from. Every byte is untrusted: implementations enforce the byte cap and (for
 * URLs) the address policy, and report refusals as ImageInputError / InvalidInputError. A fired `signal` (the client
 * went away, or its deadline passed) abandons the work and rejects with the signal's reason.
 */
export interface ImageSource {
  resolve(ref: ImageRef, signal?: AbortSignal): Promise<Buffer>;
  /**
   * Like resolve, but for a URL with `known` validators the source may answer `{ modified: false }` (HTTP 304)
   * instead of the bytes. Without validators, or for base64, it always answers with bytes.
   */
  resolveIfModified(ref: ImageRef, known: ImageValidators | undefined, signal?: AbortSignal): Promise<ConditionalImage>;
}
