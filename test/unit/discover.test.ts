import { CursorProblem, InvalidCursorError, InvalidInputError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config';
import { DEFAULT_MODIFIER_WEIGHT } from '../../src/search/pipeline/query-vector';
import { SearchService } from '../../src/search/search.service';
import { modifiedVector, parseModifier } from '../../src/search/vector-math';
import { FakeEmbedder, FakeImageSource, InMemoryProductIndex, inlineImage, storedDoc } from '../support/fakes';

/**
 * discover's text modifier with hand-placed vectors: axis 0 is "mug", axis 1 "blue", axis 2 "red", axis 3 "stripes".
 * The photo is a blue striped mug; the catalog has a blue mug, a red mug and a red striped mug.
 */
const v = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return xs.map((x) => x / n);
};
const PHOTO = v(1, 0.6, 0, 0.5);
const DOCS = [
  storedDoc('blue-mug', v(1, 0.6, 0, 0.3)),
  storedDoc('red-mug', v(1, 0, 0.6, 0)),
  storedDoc('red-striped-mug', v(1, 0, 0.6, 0.5)),
];

function setup() {
  const embedder = new FakeEmbedder('fake-model@00000000', 4)
    .image('photo', PHOTO)
    .text('red', v(0, 0, 1, 0))
    .text('stripes', v(0, 0, 0, 1));
  const search = new SearchService(new InMemoryProductIndex(DOCS), embedder, new FakeImageSource(), { facetRanges: {}, modifierWeight: 1 });
  return { embedder, search };
}
const ids = (r: { hits: { product: { id: string } }[] }) => r.hits.map((h) => h.product.id);
const photo = inlineImage('photo');

describe('discover: text modifiers', () => {
  it('reads "but in red" as red, and "without stripes" as away from stripes', () => {
    expect(parseModifier('  But in   RED ')).toEqual({ text: 'red', sign: 1 });
    expect(parseModifier('without stripes')).toEqual({ text: 'stripes', sign: -1 });
    expect(parseModifier('no logo')).toEqual({ text: 'logo', sign: -1 });
    expect(parseModifier('but in')).toBeUndefined();
  });

  it('adds the weighted unit modifier to the unit base, and weight 0 leaves the base', () => {
    expect(Array.from(modifiedVector([2, 0], [0, 5], 1)!)).toEqual([expect.closeTo(Math.SQRT1_2, 6), expect.closeTo(Math.SQRT1_2, 6)]);
    expect(Array.from(modifiedVector([2, 0], [0, 5], 0)!)).toEqual([1, 0]);
    expect(modifiedVector([1, 0], [-1, 0], 1)).toBeUndefined();
  });

  it('ranks red mugs above the blue one for a blue striped photo + "but in red"', async () => {
    const { search } = setup();
    expect(ids(await search.discover({ image: photo, first: 3 }))).toEqual(['blue-mug', 'red-striped-mug', 'red-mug']);
    expect(ids(await search.discover({ image: photo, modifier: 'but in red', first: 3 }))).toEqual(['red-striped-mug', 'red-mug', 'blue-mug']);
    expect(ids(await search.discover({ image: photo, modifier: 'red', modifierWeight: 0, first: 3 }))).toEqual(['blue-mug', 'red-striped-mug', 'red-mug']);
  });

  it('moves away from a "without" modifier: the striped mug drops to last, and with more weight the plain one leads', async () => {
    const { search } = setup();
    expect(ids(await search.discover({ image: photo, modifier: 'without stripes', first: 3 }))).toEqual(['blue-mug', 'red-mug', 'red-striped-mug']);
    expect(ids(await search.discover({ image: photo, modifier: 'without stripes', modifierWeight: 2, first: 3 }))).toEqual(['red-mug', 'blue-mug', 'red-striped-mug']);
  });

  it('refuses a modifier with nothing to modify, a modifier without words, and a discover with no signal', async () => {
    const { search } = setup();
    await expect(search.discover({ modifier: 'red', first: 3 })).rejects.toEqual(
      new InvalidInputError('modifier changes what an image, a text or positiveIds describe; give one of them too', 'modifier'),
    );
    await expect(search.discover({ image: photo, modifier: 'but in', first: 3 })).rejects.toEqual(new InvalidInputError('modifier has no words to search with', 'modifier'));
    await expect(search.discover({ first: 3 })).rejects.toEqual(
      new InvalidInputError('Give at least one of image, text, keywords and positiveIds to search from', 'input'),
    );
  });

  it("refuses another modifier's or another weight's cursor as another query", async () => {
    const { search } = setup();
    const page = await search.discover({ image: photo, modifier: 'red', first: 1 });
    const after = page.pageInfo.endCursor;
    await expect(search.discover({ image: photo, modifier: 'stripes', first: 1, after })).rejects.toEqual(new InvalidCursorError(CursorProblem.OTHER_QUERY));
    await expect(search.discover({ image: photo, modifier: 'red', modifierWeight: 2, first: 1, after })).rejects.toEqual(new InvalidCursorError(CursorProblem.OTHER_QUERY));
    expect(ids(await search.discover({ image: photo, modifier: 'red', first: 1, after }))).toEqual(['red-mug']);
  });

  it('defaults SEARCH_MODIFIER_WEIGHT to the pipeline default', () => {
    expect(loadConfig({}).search.modifierWeight).toBe(DEFAULT_MODIFIER_WEIGHT);
  });
});
