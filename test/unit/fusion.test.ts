import { reciprocalRankFusion } from '../../src/search/fusion';

const id = (x: { id: string }) => x.id;

describe('reciprocalRankFusion', () => {
  it('ranks an item found by both lists above items found by one', () => {
    const vector = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const keyword = [{ id: 'c' }, { id: 'd' }];
    const fused = reciprocalRankFusion([{ items: vector }, { items: keyword }], id);
    expect(fused.map((f) => f.item.id)).toEqual(['c', 'a', 'b', 'd']);
    expect(fused[0].score).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(fused[1].score).toBeCloseTo(1 / 61, 12);
  });

  it('honours list weights and the rank constant', () => {
    const fused = reciprocalRankFusion([{ items: [{ id: 'a' }] }, { items: [{ id: 'b' }], weight: 2 }], id, 1);
    expect(fused.map((f) => [f.item.id, f.score])).toEqual([
      ['b', 1],
      ['a', 0.5],
    ]);
  });

  it('keeps first-seen order on ties and handles empty input', () => {
    const fused = reciprocalRankFusion([{ items: [{ id: 'a' }] }, { items: [{ id: 'b' }] }], id);
    expect(fused.map((f) => f.item.id)).toEqual(['a', 'b']);
    expect(reciprocalRankFusion([], id)).toEqual([]);
  });
});
