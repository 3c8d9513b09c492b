import { AppError, InvalidInputError } from '../../src/common/errors';
import { DuplicatesService } from '../../src/duplicates/duplicates.service';
import { basis, InMemoryDuplicateCatalog, near } from '../support/fakes/in-memory-duplicate-catalog';

const T = { duplicate: 0.99, variant: 0.9 };

/**
 * a ~ a2 (0.999, DUPLICATE); c is a VARIANT of a (0.95) and of a2 (0.949); b2 ~ b (0.995) and b3 ~ b2 (0.993): b, b2,
 * b3 are one DUPLICATE cluster only through b2, since b3 ~ b is 0.988; d is alone.
 */
function catalog(): InMemoryDuplicateCatalog {
  const b2 = near(basis(3), 0.995, 4);
  return new InMemoryDuplicateCatalog()
    .add('a', basis(0))
    .add('a2', near(basis(0), 0.999, 1))
    .add('c', near(basis(0), 0.95, 2))
    .add('b', basis(3))
    .add('b2', b2)
    .add('b3', near(b2, 0.993, 5))
    .add('d', basis(6));
}

const ids = (page: Awaited<ReturnType<DuplicatesService['clusters']>>) =>
  page.clusters.map((c) => [c.representative.id, ...c.members.map((m) => `${m.product.id}:${m.relation}:${m.similarity}`)]);

describe('DuplicatesService.clusters', () => {
  it('groups duplicates through one another, biggest first, with the medoid as representative', async () => {
    const page = await new DuplicatesService(catalog(), T).clusters('DUPLICATE', 10);
    expect(ids(page)).toEqual([
      ['b2', 'b:DUPLICATE:0.995', 'b3:DUPLICATE:0.993'],
      ['a', 'a2:DUPLICATE:0.999'],
    ]);
    expect([page.totalCount, page.pageInfo.hasNextPage, page.generation]).toEqual([2, false, 'g1']);
  });

  it('at VARIANT level joins variants too, and reports each member relation to the representative', async () => {
    const page = await new DuplicatesService(catalog(), T).clusters('VARIANT', 10);
    expect(ids(page)).toEqual([
      // a is the medoid of {a, a2, c}: 0.999 + 0.95 beats a2's 0.999 + 0.94905
      ['a', 'a2:DUPLICATE:0.999', 'c:VARIANT:0.95'],
      ['b2', 'b:DUPLICATE:0.995', 'b3:DUPLICATE:0.993'],
    ]);
  });

  it('decides on exact cosines, not the index approximate ones', async () => {
    // 0.9855 reads as 0.99 from the fake's rounded (int8-like) cosines, but is below the DUPLICATE cut
    const cat = new InMemoryDuplicateCatalog().add('x', basis(0)).add('y', near(basis(0), 0.9855, 1));
    expect((await new DuplicatesService(cat, T).clusters('DUPLICATE', 10)).clusters).toEqual([]);
    expect(ids(await new DuplicatesService(cat, T).clusters('VARIANT', 10))).toEqual([['x', 'y:VARIANT:0.9855']]);
  });

  it('pages with cursors over one computation per generation, and recomputes after a write', async () => {
    const cat = catalog();
    const svc = new DuplicatesService(cat, T);
    const p1 = await svc.clusters('DUPLICATE', 1);
    expect([p1.clusters[0]!.representative.id, p1.pageInfo.hasNextPage, p1.totalCount]).toEqual(['b2', true, 2]);
    const p2 = await svc.clusters('DUPLICATE', 1, p1.pageInfo.endCursor);
    expect([p2.clusters[0]!.representative.id, p2.pageInfo.hasNextPage]).toEqual(['a', false]);
    const p3 = await svc.clusters('DUPLICATE', 1, p2.pageInfo.endCursor);
    expect([p3.clusters, p3.pageInfo]).toEqual([[], { hasNextPage: false, endCursor: undefined }]);
    expect(cat.scans).toBe(1);
    cat.add('d2', near(basis(6), 0.9999, 7));
    cat.gen = 'g2';
    const after = await svc.clusters('DUPLICATE', 10);
    expect([cat.scans, after.totalCount, after.generation]).toEqual([2, 3, 'g2']);
  });

  it('refuses SIMILAR and cursors it did not make as invalid input', async () => {
    const svc = new DuplicatesService(catalog(), T);
    await expect(svc.clusters('SIMILAR', 10)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(svc.clusters('DUPLICATE', 10, 'bm9wZQ')).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'after' });
    await expect(svc.clusters('DUPLICATE', 10, Buffer.from('dc:-3').toString('base64url'))).rejects.toMatchObject({ field: 'after' });
  });

  it('is a coded fault without a calibrated model, and a failed scan is not cached', async () => {
    await expect(new DuplicatesService(catalog(), undefined).clusters('DUPLICATE', 10)).rejects.toMatchObject({ code: 'MODEL_NOT_CALIBRATED' });
    const cat = catalog();
    const svc = new DuplicatesService(cat, T);
    const real = cat.nearest.bind(cat);
    cat.nearest = () => Promise.reject(new AppError('SEARCH_BACKEND_UNAVAILABLE', 'down'));
    await expect(svc.clusters('DUPLICATE', 10)).rejects.toMatchObject({ code: 'SEARCH_BACKEND_UNAVAILABLE' });
    cat.nearest = real;
    expect((await svc.clusters('DUPLICATE', 10)).totalCount).toBe(2);
  });
});

describe('DuplicatesService.check', () => {
  it('finds catalog products and batch mates an item duplicates or varies, most similar first, at most checkTop', async () => {
    const svc = new DuplicatesService(catalog(), T, { k: 10, checkTop: 2 });
    const found = await svc.check([
      { product: { id: 'new-a' } as never, vector: near(basis(0), 0.9995, 8) },
      { product: { id: 'new-b' } as never, vector: near(basis(0), 0.9995, 9) },
      { product: { id: 'new-d' } as never, vector: basis(10) },
    ]);
    const view = (id: string) => found!.get(id)!.map((r) => `${r.product.id}:${r.relation}:${r.similarity}`);
    // new-a ~ new-b: 0.9995² = 0.99900025; new-a ~ a: 0.9995; ~ a2: 0.9995 * 0.999 = 0.9985005
    expect(view('new-a')).toEqual(['a:DUPLICATE:0.9995', 'new-b:DUPLICATE:0.999']);
    expect(view('new-b')).toEqual(['a:DUPLICATE:0.9995', 'new-a:DUPLICATE:0.999']);
    expect(view('new-d')).toEqual([]);
  });

  it('asks the catalog for every item\'s neighbours in one round trip', async () => {
    const c = catalog();
    await new DuplicatesService(c, T).check([0, 1, 2].map((i) => ({ product: { id: `n${i}` } as never, vector: basis(i) })));
    expect([c.roundTrips, c.nearestCalls]).toEqual([1, 3]);
  });

  it('does not report the product itself when it is already stored (an update)', async () => {
    const found = await new DuplicatesService(catalog(), T).check([{ product: { id: 'a' } as never, vector: basis(0) }]);
    expect(found!.get('a')!.map((r) => r.product.id)).toEqual(['a2', 'c']);
  });

  it('reports nothing without a calibrated model', async () => {
    expect(await new DuplicatesService(catalog(), undefined).check([{ product: { id: 'x' } as never, vector: basis(0) }])).toBeUndefined();
  });
});
