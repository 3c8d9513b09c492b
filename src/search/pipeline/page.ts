import type { Candidate, Ranked } from './ranked';

/**
 * The last stage: cut the page out of the ranked list. `offset` is where the previous page ended; `anchor` is the
 * last product it served. While the catalog is unchanged the anchor sits at offset - 1. When a write moved it, the
 * page continues right after the anchor (so a product inserted above does not come back a second time); when the
 * anchor is gone (deleted, or it no longer matches), the page continues at the same offset.
 */

export interface PageCut {
  items: Candidate[];
  /** Position after the page's last item, the next page's offset. */
  end: number;
  hasNextPage: boolean;
}

/** How many settled items a page starting at `offset` needs: its own, plus one to know whether there is a next page. */
export function itemsNeeded(offset: number, first: number): number {
  return offset + first + 1;
}

export function cutPage(ranked: Ranked, offset: number, first: number, anchor?: string): PageCut {
  let start = offset;
  if (anchor !== undefined && ranked.items[offset - 1]?.product.id !== anchor) {
    const at = ranked.items.findIndex((c) => c.product.id === anchor);
    if (at >= 0) start = at + 1;
  }
  const items = ranked.items.slice(start, start + first);
  const end = start + items.length;
  return { items, end, hasNextPage: ranked.items.length > end };
}
