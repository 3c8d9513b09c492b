/**
 * The only module that makes outbound HTTP requests for user-supplied image URLs, and the only importer of undici.
 *
 * Defences against SSRF, in the order a request meets them:
 * 1. `checkImageUrl` on every hop: http/https only, no userinfo, at most 2048 characters, IP literals judged.
 * 2. At connect time, inside our own undici connector: IP literals are judged again (Node never calls `lookup` for
 *    them) and hostnames go through `createGuardedLookup`, which judges every resolved address (DNS rebinding).
 * 3. After connecting, the socket's real peer address is judged once more before a byte is written.
 * Redirects are followed by hand, so each hop passes 1-3 (and the host allowlist, when one is configured). One
 * deadline covers all hops and the body, the body is byte-capped while streaming, and the bytes must carry image
 * magic — the Content-Type header is advisory.
 *
 * Conditional requests: given the validators of a previous fetch, every hop carries If-None-Match / If-Modified-Since
 * and a 304 comes back as its own result, so an unchanged image costs one round trip and no body.
 */
import net from 'node:net';

import { Agent, buildConnector, request } from 'undici';

import { AppError, ImageInputError } from '../common/errors';
import {
  AddressAllowlist,
  checkAddress,
  checkImageUrl,
  hostAllowed,
  parseAllowlist,
  parseHostAllowlist,
  type HostAllowlist,
} from './address-policy';
import { AddressForbiddenError, createGuardedLookup } from './guarded-lookup';
import type { ImageValidators } from './image-source';
import { sniffImageType } from './image-sniff';

export interface ImageFetcherOptions {
  /** Total budget for one `fetch`: every redirect hop, connect, headers and body. */
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Test/dev only: CIDRs or IPs that may be reached even though they are private, e.g. ['127.0.0.1/32']. */
  allowedPrivateHosts?: string[];
  /** Host names (`cdn.shop.com`, `*.shopifycdn.com`) image URLs may name on every hop; empty = any public host. */
  allowedHosts?: string[];
  userAgent?: string;
}

export interface FetchedImage {
  bytes: Buffer;
  /** Sniffed from the bytes, not copied from the response header. */
  contentType: string;
  finalUrl: string;
  /** ETag / Last-Modified of the response, for a conditional fetch next time. */
  validators: ImageValidators;
}

/** A conditional fetch: the image, or the server's 304 saying the validators still match. */
export type ConditionalFetch = { modified: true; image: FetchedImage } | { modified: false; finalUrl: string };

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Statuses worth asking again later: the server's trouble or its request to slow down, not ours. */
const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const DEFAULT_USER_AGENT = 'similarity-search-image-fetcher/0.1';
const ACCEPT = 'image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8';

type ResponseBody = Awaited<ReturnType<typeof request>>['body'];

export class ImageFetcher {
  private readonly allowlist: AddressAllowlist;
  private readonly hosts: HostAllowlist;
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly maxRedirects: number;
  private readonly userAgent: string;

  constructor(opts: ImageFetcherOptions) {
    requireInteger('timeoutMs', opts.timeoutMs, 1);
    requireInteger('maxBytes', opts.maxBytes, 1);
    requireInteger('maxRedirects', opts.maxRedirects, 0);
    try {
      this.allowlist = parseAllowlist(opts.allowedPrivateHosts ?? []);
      this.hosts = parseHostAllowlist(opts.allowedHosts ?? []);
    } catch (err) {
      throw new AppError('CONFIG_INVALID', (err as Error).message);
    }
    this.timeoutMs = opts.timeoutMs;
    this.maxBytes = opts.maxBytes;
    this.maxRedirects = opts.maxRedirects;
    this.userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
    this.agent = new Agent({
      connect: guardedConnector(this.allowlist, Math.min(opts.timeoutMs, 10_000)),
      // Backstops only: the per-fetch deadline decides, so a timeout always reads the same ("did not finish within").
      headersTimeout: opts.timeoutMs + 1000,
      bodyTimeout: opts.timeoutMs + 1000,
    });
  }

  async fetch(url: string, signal?: AbortSignal): Promise<FetchedImage> {
    const got = await this.fetchIfModified(url, undefined, signal);
    if (!got.modified) throw new ImageInputError('IMAGE_FETCH_FAILED', 'Image URL answered HTTP 304 to a plain request');
    return got.image;
  }

  /** Sends `known` as If-None-Match / If-Modified-Since; a 304 answers `{ modified: false }`. */
  async fetchIfModified(url: string, known: ImageValidators | undefined, signal?: AbortSignal): Promise<ConditionalFetch> {
    if (signal?.aborted) throw signal.reason;
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    try {
      return await this.fetchWithin(url, conditionalHeaders(known), combined);
    } catch (err) {
      if (err instanceof ImageInputError) throw err;
      if (signal?.aborted) throw signal.reason; // the caller cancelled; that is not the image's fault
      if (deadline.aborted) {
        throw new ImageInputError('IMAGE_FETCH_FAILED', `Image download did not finish within ${this.timeoutMs} ms`, {
          transient: true,
        });
      }
      if (hasCause(err, AddressForbiddenError)) {
        throw new ImageInputError('IMAGE_URL_FORBIDDEN', 'Image URL points to a forbidden address');
      }
      // Refused or reset connections, a body cut short: the network's trouble, worth another try.
      throw new ImageInputError('IMAGE_FETCH_FAILED', 'Could not download the image', { cause: err, transient: true });
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async fetchWithin(input: string, conditional: Record<string, string>, signal: AbortSignal): Promise<ConditionalFetch> {
    let target: string | URL = input;
    for (let hop = 0; ; hop++) {
      const verdict = checkImageUrl(target, this.allowlist);
      if (!verdict.allowed) {
        const prefix = hop === 0 ? 'Image URL refused' : 'Image URL redirected to a refused URL';
        throw new ImageInputError('IMAGE_URL_FORBIDDEN', `${prefix}: ${verdict.reason}`);
      }
      const url = verdict.url;
      if (!hostAllowed(url.hostname, this.hosts)) {
        const prefix = hop === 0 ? 'Image URL refused' : 'Image URL redirected to a refused URL';
        throw new ImageInputError('IMAGE_URL_FORBIDDEN', `${prefix}: host is not on the allowed image hosts list`);
      }
      const res = await request(url, {
        dispatcher: this.agent,
        method: 'GET',
        signal,
        headers: { 'user-agent': this.userAgent, accept: ACCEPT, 'accept-encoding': 'identity', ...conditional },
      });

      if (REDIRECT_STATUSES.has(res.statusCode)) {
        // Never wait on a redirect body: it is attacker-paced and useless to us.
        discard(res.body);
        if (hop >= this.maxRedirects) {
          throw new ImageInputError('IMAGE_FETCH_FAILED', `Image URL redirected more than ${this.maxRedirects} times`);
        }
        target = resolveLocation(res.headers.location, url);
        continue;
      }
      if (res.statusCode === 304 && Object.keys(conditional).length > 0) {
        discard(res.body);
        return { modified: false, finalUrl: url.href };
      }
      if (res.statusCode < 200 || res.statusCode > 299) {
        discard(res.body);
        throw new ImageInputError('IMAGE_FETCH_FAILED', `Image URL answered HTTP ${res.statusCode}`, {
          transient: TRANSIENT_STATUSES.has(res.statusCode),
        });
      }

      const bytes = await this.readCapped(res.body, res.headers['content-length']);
      const contentType = sniffImageType(bytes);
      if (!contentType) {
        throw new ImageInputError(
          'IMAGE_UNDECODABLE',
          'Downloaded file is not a supported image (JPEG, PNG, GIF, WebP, TIFF, AVIF or HEIF)',
        );
      }
      const validators = { etag: header(res.headers.etag), lastModified: header(res.headers['last-modified']) };
      return { modified: true, image: { bytes, contentType, finalUrl: url.href, validators } };
    }
  }

  /** Content-Length only lets us fail early; the cap is enforced on the bytes that actually arrive. */
  private async readCapped(body: ResponseBody, contentLength: string | string[] | undefined): Promise<Buffer> {
    const tooLarge = () => new ImageInputError('IMAGE_TOO_LARGE', `Image is larger than ${this.maxBytes} bytes`);
    const declared = typeof contentLength === 'string' ? Number(contentLength) : NaN;
    if (Number.isFinite(declared) && declared > this.maxBytes) {
      discard(body);
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      total += buf.length;
      if (total > this.maxBytes) {
        discard(body);
        throw tooLarge();
      }
      chunks.push(buf);
    }
    return Buffer.concat(chunks, total);
  }
}

function conditionalHeaders(known: ImageValidators | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (known?.etag) out['if-none-match'] = known.etag;
  if (known?.lastModified) out['if-modified-since'] = known.lastModified;
  return out;
}

function header(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Drops an unread body and its connection. undici emits RequestAbortedError on destroy; nobody needs it. */
function discard(body: ResponseBody): void {
  body.on('error', () => undefined);
  body.destroy();
}

function resolveLocation(location: string | string[] | undefined, base: URL): URL {
  if (typeof location !== 'string' || location === '') {
    throw new ImageInputError('IMAGE_FETCH_FAILED', 'Image URL sent a redirect without a usable Location');
  }
  try {
    return new URL(location, base);
  } catch {
    throw new ImageInputError('IMAGE_FETCH_FAILED', 'Image URL sent a redirect to an invalid URL');
  }
}

/**
 * Wraps undici's connector. Hostnames are judged by the guarded lookup; IP literals never reach a lookup, so they
 * are judged here; and whatever we connected to is judged by its peer address before the socket is handed back.
 */
function guardedConnector(allowlist: AddressAllowlist, connectTimeoutMs: number): buildConnector.connector {
  const base = buildConnector({ timeout: connectTimeoutMs, lookup: createGuardedLookup(allowlist) });
  return (options, callback) => {
    if (net.isIP(options.hostname) !== 0 && !checkAddress(options.hostname, allowlist).allowed) {
      callback(new AddressForbiddenError(), null);
      return;
    }
    base(options, (err, socket) => {
      if (err !== null) {
        callback(err, null);
        return;
      }
      const peer = socket.remoteAddress;
      if (peer === undefined || !checkAddress(peer, allowlist).allowed) {
        socket.destroy();
        callback(new AddressForbiddenError(), null);
        return;
      }
      callback(null, socket);
    });
  };
}

function hasCause(err: unknown, type: new (...args: never[]) => Error): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current instanceof type) return true;
    current = (current as Error).cause;
  }
  return false;
}

function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new AppError('CONFIG_INVALID', `ImageFetcher: ${name} must be an integer >= ${min}, got ${value}`);
  }
}
