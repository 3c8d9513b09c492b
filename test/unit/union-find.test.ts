import { UnionFind } from '../../src/duplicates/union-find';

const sorted = (groups: string[][]) => groups.map((g) => [...g].sort()).sort((a, b) => a[0]!.localeCompare(b[0]!));

describe('UnionFind', () => {
  it('joins transitively and leaves untouched keys alone', () => {
    const uf = new UnionFind();
    uf.union('a', 'b');
    uf.union('c', 'd');
    uf.union('b', 'c');
    uf.union('x', 'y');
    expect(sorted(uf.groups())).toEqual([['a', 'b', 'c', 'd'], ['x', 'y']]);
    expect(uf.find('a')).toBe(uf.find('d'));
    expect(uf.find('a')).not.toBe(uf.find('x'));
    expect(uf.find('never')).toBe('never');
  });

  it('is unchanged by repeated and self unions', () => {
    const uf = new UnionFind();
    uf.union('a', 'b');
    uf.union('b', 'a');
    uf.union('a', 'a');
    uf.union('z', 'z');
    expect(sorted(uf.groups())).toEqual([['a', 'b']]);
  });

  it('keeps a long chain in one set with short paths', () => {
    const uf = new UnionFind();
    for (let i = 0; i < 1000; i++) uf.union(`k${i}`, `k${i + 1}`);
    expect(uf.groups()).toHaveLength(1);
    expect(uf.groups()[0]).toHaveLength(1001);
    expect(uf.find('k0')).toBe(uf.find('k1000'));
  });
});
