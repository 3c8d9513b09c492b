import { ImageInputError, InvalidInputError } from '../../src/common/errors';
import type { ImageValidators } from '../../src/sources/image-source';
import { ImageSourceService } from '../../src/sources/image-source.service';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('ImageSourceService', () => {
  const fetched: string[] = [];
  const conditional: [string, ImageValidators | undefined][] = [];
  const svc = new ImageSourceService(
    {
      fetch: async (url) => (fetched.push(url), { bytes: PNG_MAGIC }),
      // A server whose image carries ETag "v1": asked with that ETag it answers 304.
      fetchIfModified: async (url, known) => {
        conditional.push([url, known]);
        if (known?.etag === '"v1"') return { modified: false };
        return { modified: true, image: { bytes: PNG_MAGIC, validators: { etag: '"v1"' } } };
      },
    },
    16,
  );

  it('requires exactly one of url and base64', async () => {
    await expect(svc.resolve({})).rejects.toBeInstanceOf(InvalidInputError);
    await expect(svc.resolve({ url: 'https://x/a.png', base64: 'AA==' })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('fetches URLs through the fetcher', async () => {
    await expect(svc.resolve({ url: 'https://cdn.example/a.png' })).resolves.toEqual(PNG_MAGIC);
    expect(fetched).toEqual(['https://cdn.example/a.png']);
  });

  it('fetches URLs conditionally: validators go to the fetcher, a 304 comes back without bytes', async () => {
    const url = 'https://cdn.example/b.png';
    await expect(svc.resolveIfModified({ url }, undefined)).resolves.toEqual({ modified: true, bytes: PNG_MAGIC, validators: { etag: '"v1"' } });
    await expect(svc.resolveIfModified({ url }, { etag: '"v1"' })).resolves.toEqual({ modified: false });
    expect(conditional).toEqual([
      [url, undefined],
      [url, { etag: '"v1"' }],
    ]);
  });

  it('answers base64 as modified with no validators, whatever it is given', async () => {
    const got = await svc.resolveIfModified({ base64: PNG_MAGIC.toString('base64') }, { etag: '"v1"' });
    expect(got).toEqual({ modified: true, bytes: PNG_MAGIC, validators: {} });
    await expect(svc.resolveIfModified({}, undefined)).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('decodes base64 and data URLs', async () => {
    await expect(svc.resolve({ base64: PNG_MAGIC.toString('base64') })).resolves.toEqual(PNG_MAGIC);
    await expect(svc.resolve({ base64: `data:image/png;base64,${PNG_MAGIC.toString('base64')}` })).resolves.toEqual(PNG_MAGIC);
  });

  it('accepts base64 with line breaks or without padding, and the URL-safe alphabet nowhere', async () => {
    const bytes = Buffer.from('photo bytes'); // 11 bytes: one '=' of padding
    const b64 = bytes.toString('base64');
    await expect(svc.resolve({ base64: b64.replace(/(.{4})/g, '$1\r\n') })).resolves.toEqual(bytes);
    await expect(svc.resolve({ base64: b64.replace(/=+$/, '') })).resolves.toEqual(bytes);
    const urlSafe = Buffer.from([0xfb, 0xff, 0xfe]).toString('base64url'); // '-__-' style: valid to Node's decoder
    await expect(svc.resolve({ base64: urlSafe })).rejects.toMatchObject({ code: 'IMAGE_UNDECODABLE' });
  });

  it.each([['not base64!'], [''], ['A'], ['QQ==QQ=='], ['QUJD*REVG']])('refuses invalid base64 %p', async (b64) => {
    await expect(svc.resolve({ base64: b64 })).rejects.toMatchObject({ code: 'IMAGE_UNDECODABLE' });
  });

  it('refuses base64 over the byte cap before decoding', async () => {
    const err = await svc.resolve({ base64: Buffer.alloc(40).toString('base64') }).catch((e) => e);
    expect(err).toBeInstanceOf(ImageInputError);
    expect(err.code).toBe('IMAGE_TOO_LARGE');
  });
});
