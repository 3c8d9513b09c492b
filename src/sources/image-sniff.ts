/**
 * Recognises an image by its magic bytes. The Content-Type header of a fetched image is advisory only: a server can
 * label HTML, SVG or anything else `image/png`, so the body decides. SVG is deliberately not recognised.
 */
export type SniffedImageType =
  | 'image/jpeg'
  | 'image/png'
  | 'image/gif'
  | 'image/webp'
  | 'image/tiff'
  | 'image/avif'
  | 'image/heic'
  | 'image/heif';

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis']);
const HEIF_BRANDS = new Set(['mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

export function sniffImageType(b: Uint8Array): SniffedImageType | null {
  const starts = (sig: readonly number[], at = 0): boolean =>
    b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);
  const ascii = (from: number, len: number): string =>
    b.length >= from + len ? String.fromCharCode(...b.subarray(from, from + len)) : '';

  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts(PNG)) return 'image/png';
  const gif = ascii(0, 6);
  if (gif === 'GIF87a' || gif === 'GIF89a') return 'image/gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') return 'image/webp';
  if (starts([0x49, 0x49, 0x2a, 0x00]) || starts([0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  if (ascii(4, 4) === 'ftyp') return isoBmffType(b);
  return null;
}

/** ISO-BMFF (AVIF/HEIF): the major brand at 8, compatible brands from 16 to the end of the ftyp box. */
function isoBmffType(b: Uint8Array): SniffedImageType | null {
  const boxSize = ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
  const end = Math.min(boxSize, b.length);
  const brands: string[] = [];
  for (let at = 8; at + 4 <= end; at += at === 8 ? 8 : 4) {
    brands.push(String.fromCharCode(...b.subarray(at, at + 4)));
  }
  if (brands.some((x) => AVIF_BRANDS.has(x))) return 'image/avif';
  if (brands.some((x) => HEIC_BRANDS.has(x))) return 'image/heic';
  if (brands.some((x) => HEIF_BRANDS.has(x))) return 'image/heif';
  return null;
}
