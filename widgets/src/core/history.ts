/**
 * What a shopper viewed and dismissed, kept in localStorage (only when a widget has `track-history`). Newest first,
 * capped, and never fatal: private browsing, a full quota or a corrupt entry all mean "no history".
 */
export interface ShopperHistory {
  viewed: string[];
  dismissed: string[];
}

const EMPTY: ShopperHistory = { viewed: [], dismissed: [] };

export function readHistory(key: string): ShopperHistory {
  try {
    const raw = localStorage.getItem(key);
    if (!raw) return { ...EMPTY };
    const v = JSON.parse(raw) as Partial<ShopperHistory>;
    return { viewed: strings(v.viewed), dismissed: strings(v.dismissed) };
  } catch {
    return { ...EMPTY };
  }
}

export function remember(key: string, kind: keyof ShopperHistory, id: string, max: number): ShopperHistory {
  const h = readHistory(key);
  h[kind] = [id, ...h[kind].filter((x) => x !== id)].slice(0, max);
  // A product dismissed after being viewed (or viewed again after a dismissal) counts only as the latest.
  const other: keyof ShopperHistory = kind === 'viewed' ? 'dismissed' : 'viewed';
  h[other] = h[other].filter((x) => x !== id);
  try {
    localStorage.setItem(key, JSON.stringify(h));
  } catch {
    /* storage unavailable: the history lives for this page only */
  }
  return h;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, 200) : [];
}
