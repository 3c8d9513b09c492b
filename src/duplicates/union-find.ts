/**
 * Disjoint sets over string keys (union by size, path halving), holding only the keys that were ever joined: a
 * catalog of a million products with a few hundred duplicates keeps a few hundred entries.
 */
export class UnionFind {
  private readonly parent = new Map<string, string>();
  private readonly size = new Map<string, number>();

  find(x: string): string {
    if (!this.parent.has(x)) return x;
    for (;;) {
      const p = this.parent.get(x)!;
      if (p === x) return x;
      const grand = this.parent.get(p)!;
      this.parent.set(x, grand);
      x = grand;
    }
  }

  union(a: string, b: string): void {
    for (const k of [a, b]) {
      if (!this.parent.has(k)) {
        this.parent.set(k, k);
        this.size.set(k, 1);
      }
    }
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.size.get(ra)! < this.size.get(rb)!) [ra, rb] = [rb, ra];
    this.parent.set(rb, ra);
    this.size.set(ra, this.size.get(ra)! + this.size.get(rb)!);
  }

  /** Every set of two or more keys, each listed in insertion order of its keys. */
  groups(): string[][] {
    const byRoot = new Map<string, string[]>();
    for (const k of this.parent.keys()) {
      const r = this.find(k);
      let g = byRoot.get(r);
      if (!g) byRoot.set(r, (g = []));
      g.push(k);
    }
    return [...byRoot.values()].filter((g) => g.length > 1);
  }
}
