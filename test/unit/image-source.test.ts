import { ImageInputError, InvalidInputError } from '../../src/common/errors';
import { ImageSourceService } from '../../src/sources/image-source.service';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('ImageSourceService', () => {
  const fetched: string[] = [];
  const svc = new ImageSourceService({ fetch: async (url) => (fetched.push(url), { bytes: PNG_MAGIC }) }, 16);

  it('requires exactly one of url and base64', async () => {
    await expect(svc.resolve({})).rejects.toBeInstanceOf(InvalidInputError);
    await expect(svc.resolve({ url: 'https://x/a.png', base64: 'AA==' })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('fetches URLs through the fetcher', async () => {
    await expect(svc.resolve({ url: 'https://cdn.example/a.png' })).resolves.toEqual(PNG_MAGIC);
    expect(fetched).toEqual(['https://cdn.example/a.png']);
  });

  it('decodes base64 and data URLs', async () => {
    await expect(svc.resolve({ base64: PNG_MAGIC.toString('base64') })).resolves.toEqual(PNG_MAGIC);
    await expect(svc.resolve({ base64: `data:image/png;base64,${PNG_MAGIC.toString('base64')}` })).resolves.toEqual(PNG_MAGIC);
  });

  it.each([['not base64!'], [''], ['A']])('refuses invalid base64 %p', async (b64) => {
    await expect(svc.resolve({ base64: b64 })).rejects.toMatchObject({ code: 'IMAGE_UNDECODABLE' });
  });

  it('refuses base64 over the byte cap before decoding', async () => {
    const err = await svc.resolve({ base64: Buffer.alloc(40).toString('base64') }).catch((e) => e);
    expect(err).toBeInstanceOf(ImageInputError);
    expect(err.code).toBe('IMAGE_TOO_LARGE');
  });
});
