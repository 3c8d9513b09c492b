import { relationsOf } from '../../src/search/pipeline/relations';
import { basis, near } from '../support/fakes/in-memory-duplicate-catalog';

const T = { duplicate: 0.99, variant: 0.9 };

describe('relationsOf', () => {
  it('labels each hit by its nearest stored image, exactly at the cut points', () => {
    const ref = basis(0);
    expect(
      relationsOf(
        ref,
        [[near(ref, 0.995, 1)], [near(ref, 0.99, 1)], [near(ref, 0.9899, 2)], [near(ref, 0.9, 3)], [near(ref, 0.8999, 3)], [basis(5)]],
        T,
      ),
    ).toEqual(['DUPLICATE', 'DUPLICATE', 'VARIANT', 'VARIANT', 'SIMILAR', 'SIMILAR']);
  });

  it('takes the best of a product images, and leaves hits without vectors unlabelled', () => {
    const ref = basis(0);
    expect(relationsOf(ref, [[basis(4), near(ref, 0.95, 2)], [], undefined], T)).toEqual(['VARIANT', undefined, undefined]);
  });
});
