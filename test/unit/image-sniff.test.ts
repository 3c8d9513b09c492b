import sharp from 'sharp';

import { sniffImageType } from '../../src/sources/image-sniff';

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('sniffImageType', () => {
  const formats = [
    ['jpeg', 'image/jpeg'],
    ['png', 'image/png'],
    ['webp', 'image/webp'],
    ['gif', 'image/gif'],
    ['tiff', 'image/tiff'],
    ['avif', 'image/avif'],
  ] as const;

  it.each(formats)('recognises a real %s encoded by sharp as %s', async (format, mime) => {
    const bytes = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#c33' } })
      .toFormat(format)
      .toBuffer();
    expect(sniffImageType(bytes)).toBe(mime);
  });

  it.each([
    ['big-endian TIFF', Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]), 'image/tiff'],
    ['HEIC ftyp', Buffer.concat([Buffer.from([0, 0, 0, 24]), ascii('ftypheic\0\0\0\0mif1heic')]), 'image/heic'],
    ['AVIF only as compatible brand', Buffer.concat([Buffer.from([0, 0, 0, 24]), ascii('ftypmif1\0\0\0\0mif1avif')]), 'image/avif'],
    ['HTML', ascii('<!doctype html><html></html>'), null],
    ['SVG', ascii('<svg xmlns="http://www.w3.org/2000/svg"/>'), null],
    ['XML-prolog SVG', ascii('<?xml version="1.0"?><svg/>'), null],
    ['zero bytes', Buffer.alloc(0), null],
    ['truncated PNG signature', Buffer.from([0x89, 0x50, 0x4e, 0x47]), null],
    ['RIFF WAVE audio', ascii('RIFF\0\0\0\0WAVEfmt '), null],
    ['MP4 video ftyp', Buffer.concat([Buffer.from([0, 0, 0, 20]), ascii('ftypisom\0\0\0\0mp41')]), null],
    ['PDF', ascii('%PDF-1.7'), null],
  ])('%s', (_, bytes, expected) => {
    expect(sniffImageType(bytes)).toBe(expected);
  });
});
