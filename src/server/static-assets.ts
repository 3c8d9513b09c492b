import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Serves built browser files from one folder under one URL prefix, with ETags from the content hash, 304s, and gzip.
 * Files are read once and kept in memory (the whole of dist/public is a few megabytes).
 */
export interface StaticMount {
  /** URL prefix ending in "/", e.g. "/widgets/v1/". */
  prefix: string;
  dir: string;
  /** Cache-Control for a file name. */
  cacheControl: (file: string) => string;
  /** Extra headers on every response (e.g. CORS for the widgets, which any storefront may load). */
  headers?: Record<string, string>;
}

interface CachedFile {
  body: Buffer;
  gzip?: Buffer;
  etag: string;
  type: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Content-addressed files (esbuild's chunk-[hash]) never change meaning: cache them for a year. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

export class StaticAssets {
  private readonly cache = new Map<string, Promise<CachedFile | undefined>>();

  constructor(private readonly mounts: readonly StaticMount[]) {}

  /** Answers the request when its path is under a mount; returns false otherwise. */
  async serve(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<boolean> {
    const mount = this.mounts.find((m) => pathname.startsWith(m.prefix) || pathname === m.prefix.slice(0, -1));
    if (!mount) return false;
    if (pathname === mount.prefix.slice(0, -1)) {
      res.writeHead(301, { location: mount.prefix });
      res.end();
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      res.end();
      return true;
    }
    let relative: string;
    try {
      relative = decodeURIComponent(pathname.slice(mount.prefix.length)) || 'index.html';
    } catch {
      return notFound(res);
    }
    if (relative.endsWith('/')) relative += 'index.html';
    const root = path.resolve(mount.dir);
    const file = path.resolve(root, relative);
    if (!file.startsWith(root + path.sep) || !TYPES[path.extname(file)]) return notFound(res);

    const entry = await this.load(file);
    if (!entry) return notFound(res);
    const gz = entry.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const headers: Record<string, string> = {
      ...mount.headers,
      'content-type': entry.type,
      'cache-control': mount.cacheControl(path.basename(file)),
      etag: entry.etag,
      vary: 'Accept-Encoding',
      'x-content-type-options': 'nosniff',
    };
    if (ifNoneMatch(req, entry.etag)) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    const body = gz ? entry.gzip! : entry.body;
    res.writeHead(200, { ...headers, ...(gz ? { 'content-encoding': 'gzip' } : {}), 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  private load(file: string): Promise<CachedFile | undefined> {
    let entry = this.cache.get(file);
    if (!entry) {
      entry = fs.readFile(file).then(
        (body) => {
          const type = TYPES[path.extname(file)];
          const compressible = !type.startsWith('image/png') && body.length > 512;
          return {
            body,
            gzip: compressible ? gzipSync(body, { level: 9 }) : undefined,
            etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
            type,
          };
        },
        () => undefined,
      );
      // A missing file is not cached: a build may create it while the server runs.
      void entry.then((e) => {
        if (!e) this.cache.delete(file);
      });
      this.cache.set(file, entry);
    }
    return entry;
  }
}

export function ifNoneMatch(req: http.IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (typeof header !== 'string') return false;
  const bare = etag.replace(/^W\//, '');
  return header === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

function notFound(res: http.ServerResponse): true {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Not found');
  return true;
}
