import type { ShadowStore } from '../../src/catalog/shadow-store';
import { mirrorOf, withDualWrites, WriteTargets } from '../../src/reindex/dual-write-index';
import { mergeById } from '../../src/reindex/shadow-reindex.service';
import { shadowOperations } from '../../src/search/elasticsearch/shadow-store';
import { InMemoryProductIndex, storedDoc } from '../support/fakes';

async function* batches<T>(...bs: T[][]): AsyncGenerator<T[]> {
  for (const b of bs) yield b;
}

const item = (id: string) => ({ doc: { id } });

describe('mergeById', () => {
  it('pairs two id-ordered scans across batch boundaries, in byte order', async () => {
    const out: [string | undefined, string | undefined][] = [];
    for await (const [a, b] of mergeById(batches([item('A'), item('a')], [item('c')]), batches([item('B')], [item('a'), item('d')]))) {
      out.push([a?.doc.id, b?.doc.id]);
    }
    // Uppercase sorts before lowercase, as Elasticsearch sorts keyword bytes.
    expect(out).toEqual([
      ['A', undefined],
      [undefined, 'B'],
      ['a', 'a'],
      ['c', undefined],
      [undefined, 'd'],
    ]);
  });
});

describe('shadow writes', () => {
  it('create where absent, overwrite only what was read, keep catalog versions', () => {
    const plain = storedDoc('p1', [1]);
    const versioned = storedDoc('p2', [1], { version: 7 });
    expect(
      shadowOperations([
        { kind: 'put', doc: plain, expect: 'absent' },
        { kind: 'put', doc: plain, expect: { seqNo: 3, primaryTerm: 1 } },
        { kind: 'put', doc: versioned, expect: 'absent' },
        { kind: 'put', doc: versioned, expect: { seqNo: 4, primaryTerm: 1 } },
        { kind: 'delete', id: 'p3', expect: { seqNo: 5, primaryTerm: 2 } },
      ]),
    ).toEqual([
      { create: { _id: 'p1' } },
      { doc: plain },
      { index: { _id: 'p1', if_seq_no: 3, if_primary_term: 1 } },
      { doc: plain },
      { index: { _id: 'p2', version: 7, version_type: 'external' } },
      { doc: versioned },
      { index: { _id: 'p2', version: 7, version_type: 'external_gte' } },
      { doc: versioned },
      { delete: { _id: 'p3', if_seq_no: 5, if_primary_term: 2 } },
    ]);
  });

  it('mirror a write of another model without its vector, under the shadow model id', () => {
    const doc = storedDoc('p1', [1, 0], { modelId: 'old@1' });
    expect(mirrorOf(doc, 'old@1')).toBe(doc);
    expect(mirrorOf(doc, 'new@2')).toEqual({ ...doc, images: [{ sha256: 'sha-p1', vector: [] }], modelId: 'new@2' });
  });
});

describe('withDualWrites', () => {
  function setup(live: string | undefined, shadow: string | undefined) {
    const liveIndex = new InMemoryProductIndex();
    const shadowIndex = new InMemoryProductIndex();
    const store = {
      describe: async () => ({
        live: live ? { index: 'live', identity: { modelId: live, dims: 2 } } : undefined,
        shadow: shadow ? { index: 'shadow', identity: { modelId: shadow, dims: 2 } } : undefined,
      }),
      shadowIndex: () => shadowIndex,
    } as unknown as ShadowStore;
    return { liveIndex, shadowIndex, writes: withDualWrites(liveIndex, new WriteTargets(store, 0), 'old@1') };
  }
  const doc = storedDoc('p1', [1, 0], { modelId: 'old@1' });

  it('writes to the live index only when no shadow is being built', async () => {
    const { liveIndex, shadowIndex, writes } = setup('old@1', undefined);
    expect(await writes.bulkUpsert([doc])).toEqual([{ id: 'p1', ok: true, created: true }]);
    expect([(await liveIndex.getDocuments(['p1'])).size, (await shadowIndex.getDocuments(['p1'])).size]).toEqual([1, 0]);
  });

  it('mirrors writes and deletes into the shadow, and still reads from the live index', async () => {
    const { liveIndex, shadowIndex, writes } = setup('old@1', 'new@2');
    await writes.bulkUpsert([doc]);
    expect((await shadowIndex.getDocuments(['p1'])).get('p1')).toMatchObject({ images: [{ vector: [] }], modelId: 'new@2' });
    await liveIndex.bulkUpsert([storedDoc('only-live', [0, 1])]);
    expect([...(await writes.getMany(['only-live'])).keys()]).toEqual(['only-live']);
    expect(await writes.delete('p1')).toBe(true);
    expect((await shadowIndex.getDocuments(['p1'])).size).toBe(0);
  });

  it('mirrors a conditional delete into the shadow only when the live product was deleted, not when it was kept', async () => {
    const { liveIndex, shadowIndex, writes } = setup('old@1', 'new@2');
    const owned = { modelId: 'old@1', attributes: { feed_source: 'f' } };
    await writes.bulkUpsert([storedDoc('p1', [1, 0], owned), storedDoc('p2', [0, 1], owned)]);
    const [p1, p2] = await writes.idsByAttribute('feed_source', 'f', { size: 10 });
    expect([p1!.id, p2!.id]).toEqual(['p1', 'p2']);
    await writes.bulkUpsert([storedDoc('p2', [0, 1], { ...owned, title: 'written since' })]);
    expect([await writes.deleteIfUnchanged('p1', p1!.stamp), await writes.deleteIfUnchanged('p2', p2!.stamp)]).toEqual(['deleted', 'changed']);
    expect([[...liveIndex.docs.keys()], [...shadowIndex.docs.keys()]]).toEqual([['p2'], ['p2']]);
  });

  it('refuses every write once the live alias serves another model (after a promotion)', async () => {
    const { liveIndex, writes } = setup('new@2', undefined);
    const [r] = await writes.bulkUpsert([doc]);
    expect(r).toMatchObject({ id: 'p1', ok: false });
    expect(r!.error).toMatch(/now serves model new@2.*restart/);
    expect((await liveIndex.getDocuments(['p1'])).size).toBe(0);
  });
});
