import sharp from 'sharp';
import { deflateSync } from 'node:zlib';
import type { ImageErrorCode } from '../../src/common/errors';

/**
 * Hostile and awkward image inputs for the decoder, generated on the fly so no binaries live in git.
 * Adding a case is one entry: how to make the bytes, and what decodeImageToRgb must do with them.
 */
export type Expectation =
  | { readonly error: ImageErrorCode }
  | {
      readonly width: number;
      readonly height: number;
      /** Pixels to check: [x, y, [r, g, b], tolerance]. */
      readonly pixels?: ReadonlyArray<readonly [number, number, readonly [number, number, number], number]>;
    };

export interface ImageCase {
  readonly name: string;
  readonly bytes: () => Promise<Buffer>;
  readonly expect: Expectation;
}

/** Two-colour image: left half `left`, right half `right`. */
function halves(width: number, height: number, left: number[], right: number[], channels: 3 | 4 = 3): sharp.Sharp {
  const raw = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set(x < width / 2 ? left : right, (y * width + x) * channels);
  }
  return sharp(raw, { raw: { width, height, channels } });
}

function noise(width: number, height: number): sharp.Sharp {
  return sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } });
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A valid 1-bit greyscale PNG of side×side zeros: a few KB that would decode to side² RGB pixels. */
function pngBomb(side: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = Buffer.alloc(side * (1 + Math.ceil(side / 8)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(rows, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const RED = [255, 0, 0];
const BLUE = [0, 0, 255];
const truncate = (b: Buffer, keep: number) => b.subarray(0, Math.floor(b.length * keep));

/** Pixel limit the corpus is run with. */
export const CORPUS_MAX_PIXELS = 40_000_000;

export const IMAGE_CASES: readonly ImageCase[] = [
  { name: 'zero bytes', bytes: async () => Buffer.alloc(0), expect: { error: 'IMAGE_UNDECODABLE' } },
  { name: 'HTML page', bytes: async () => Buffer.from('<!doctype html><html><body>404</body></html>'), expect: { error: 'IMAGE_UNDECODABLE' } },
  { name: 'random garbage', bytes: async () => Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256)), expect: { error: 'IMAGE_UNDECODABLE' } },
  {
    name: 'SVG (refused before rendering)',
    bytes: async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16" fill="red"/></svg>'),
    expect: { error: 'IMAGE_UNDECODABLE' },
  },
  { name: 'PDF', bytes: async () => Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n'), expect: { error: 'IMAGE_UNDECODABLE' } },
  { name: 'truncated JPEG', bytes: async () => truncate(await noise(256, 256).jpeg().toBuffer(), 0.6), expect: { error: 'IMAGE_UNDECODABLE' } },
  { name: 'truncated PNG', bytes: async () => truncate(await noise(256, 256).png().toBuffer(), 0.6), expect: { error: 'IMAGE_UNDECODABLE' } },
  { name: 'PNG header only', bytes: async () => (await noise(64, 64).png().toBuffer()).subarray(0, 40), expect: { error: 'IMAGE_UNDECODABLE' } },
  { name: '14000x14000 PNG decompression bomb', bytes: async () => pngBomb(14000), expect: { error: 'IMAGE_TOO_LARGE' } },
  { name: '100000x500 PNG (over the pixel limit by width)', bytes: async () => sharp({ create: { width: 100000, height: 500, channels: 3, background: '#fff' } }).png({ compressionLevel: 1 }).toBuffer(), expect: { error: 'IMAGE_TOO_LARGE' } },
  { name: 'baseline JPEG', bytes: async () => halves(40, 20, RED, BLUE).jpeg({ quality: 95 }).toBuffer(), expect: { width: 40, height: 20, pixels: [[2, 10, [255, 0, 0], 12], [37, 10, [0, 0, 255], 12]] } },
  {
    name: 'EXIF orientation 6 (rotate 90° clockwise)',
    bytes: async () => halves(40, 20, RED, BLUE).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer(),
    // Displayed upright, the stored left half (red) ends up on top.
    expect: { width: 20, height: 40, pixels: [[10, 2, [255, 0, 0], 12], [10, 37, [0, 0, 255], 12]] },
  },
  {
    name: 'multi-frame GIF (first frame only)',
    bytes: async () => {
      const frames = Buffer.concat([Buffer.alloc(16 * 16 * 3, Buffer.from(RED)), Buffer.alloc(16 * 16 * 3, Buffer.from(BLUE))]);
      return sharp(frames, { raw: { width: 16, height: 32, channels: 3, pageHeight: 16 } }).gif().toBuffer();
    },
    expect: { width: 16, height: 16, pixels: [[8, 8, [255, 0, 0], 4]] },
  },
  {
    name: 'multi-page TIFF (first page only)',
    bytes: async () => {
      const pages = Buffer.concat([Buffer.alloc(8 * 8 * 3, Buffer.from(BLUE)), Buffer.alloc(8 * 8 * 3, Buffer.from(RED))]);
      return sharp(pages, { raw: { width: 8, height: 16, channels: 3, pageHeight: 8 } }).tiff().toBuffer();
    },
    expect: { width: 8, height: 8, pixels: [[4, 4, [0, 0, 255], 2]] },
  },
  {
    name: 'CMYK JPEG',
    bytes: async () => halves(32, 16, RED, BLUE).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer(),
    // Pure sRGB red/blue lie outside the CMYK gamut, so the round trip lands on the nearest CMYK colours.
    expect: { width: 32, height: 16, pixels: [[2, 8, [232, 0, 21], 30], [29, 8, [27, 60, 140], 30]] },
  },
  {
    name: 'JPEG with a Display P3 ICC profile (profile ignored, as PIL does)',
    bytes: async () => halves(16, 8, [220, 40, 60], [220, 40, 60]).withIccProfile('p3').jpeg({ quality: 95 }).toBuffer(),
    // sharp stores sRGB (220, 40, 60) as P3 (203, 60, 66): PIL reads those stored values, and so must we.
    // Honouring the profile would convert back to about (220, 40, 60).
    expect: { width: 16, height: 8, pixels: [[8, 4, [203, 60, 66], 2]] },
  },
  {
    name: '16-bit PNG',
    bytes: async () => halves(16, 8, [200, 100, 50], [10, 20, 30]).toColourspace('rgb16').png().toBuffer(),
    expect: { width: 16, height: 8, pixels: [[1, 4, [200, 100, 50], 1], [14, 4, [10, 20, 30], 1]] },
  },
  {
    name: 'RGBA PNG (transparent composited onto white)',
    bytes: async () => halves(16, 8, [255, 0, 0, 255], [0, 0, 0, 0], 4).png().toBuffer(),
    expect: { width: 16, height: 8, pixels: [[1, 4, [255, 0, 0], 0], [14, 4, [255, 255, 255], 0]] },
  },
  {
    name: 'greyscale PNG',
    bytes: async () => halves(16, 8, [90, 90, 90], [200, 200, 200]).toColourspace('b-w').png().toBuffer(),
    expect: { width: 16, height: 8, pixels: [[1, 4, [90, 90, 90], 0], [14, 4, [200, 200, 200], 0]] },
  },
  { name: 'WebP', bytes: async () => halves(16, 8, RED, BLUE).webp({ lossless: true }).toBuffer(), expect: { width: 16, height: 8, pixels: [[1, 4, [255, 0, 0], 0]] } },
  { name: 'AVIF', bytes: async () => halves(16, 16, RED, BLUE).avif({ lossless: true }).toBuffer(), expect: { width: 16, height: 16, pixels: [[1, 8, [255, 0, 0], 8]] } },
];
