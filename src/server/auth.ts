import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * API keys are configured as SHA-256 digests. A presented key is hashed and compared to every digest in constant
 * time, so neither the stored secrets nor timing reveal anything.
 */
export class ApiKeyVerifier {
  private readonly digests: Buffer[];

  constructor(sha256Hex: readonly string[]) {
    this.digests = sha256Hex.map((h) => Buffer.from(h, 'hex'));
  }

  get configured(): boolean {
    return this.digests.length > 0;
  }

  verify(key: string | undefined): boolean {
    if (!key) return false;
    const presented = createHash('sha256').update(key, 'utf8').digest();
    let ok = false;
    for (const d of this.digests) ok = timingSafeEqual(presented, d) || ok;
    return ok;
  }

  /** Reads `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
  static keyFrom(headers: IncomingHttpHeaders): string | undefined {
    const auth = headers.authorization;
    if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
    const k = headers['x-api-key'];
    return typeof k === 'string' ? k.trim() : undefined;
  }
}

export function sha256Hex(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
