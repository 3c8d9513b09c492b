/** An image as a client supplies it: exactly one of a URL to fetch or the bytes, base64-encoded. */
export interface ImageRef {
  url?: string | null;
  base64?: string | null;
}

/**
 * Where the services get image bytes from. Every byte is untrusted: implementations enforce the byte cap and (for
 * URLs) the address policy, and report refusals as ImageInputError / InvalidInputError. A fired `signal` (the client
 * went away, or its deadline passed) abandons the work and rejects with the signal's reason.
 */
export interface ImageSource {
  resolve(ref: ImageRef, signal?: AbortSignal): Promise<Buffer>;
}
