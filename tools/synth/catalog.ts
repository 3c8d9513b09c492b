/**
 * Synthetic product catalog: pure, deterministic generation of product records and the SVG
 * drawing of each product. No I/O here (rendering lives in render.ts) so it is cheap to unit test.
 *
 * Same seed + same n => identical records and identical SVG strings.
 */

import { mulberry32, type Rng } from '../../src/common/random';

export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
export const between = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng();
const r2 = (x: number): number => Math.round(x * 100) / 100;

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

export const COLORS = {
  red: '#d32f2f',
  blue: '#1e56c8',
  green: '#2e9e44',
  yellow: '#f5d000',
  black: '#1c1c1c',
  white: '#f6f6f6',
  orange: '#f57c00',
  purple: '#7b2fa8',
  pink: '#f48fb1',
  brown: '#7a4a24',
  grey: '#8c8c8c',
} as const;
export type Color = keyof typeof COLORS;
export const COLOR_NAMES = Object.keys(COLORS) as Color[];

export const PATTERNS = ['solid', 'striped', 'dotted', 'checked', 'zigzag'] as const;
export type Pattern = (typeof PATTERNS)[number];

/** Shape parts are drawn in a 100x100 box. `fill` parts take the product fill, `detail` parts a fixed ink. */
interface ShapePart {
  d: string;
  kind: 'fill' | 'detail' | 'light' | 'line';
}

interface CategoryDef {
  label: string; // Title Case label used in titles
  materials: readonly string[];
  price: readonly [number, number];
  parts: readonly ShapePart[];
  nouns: readonly string[]; // description words
}

const F = (d: string): ShapePart => ({ d, kind: 'fill' });
const D = (d: string): ShapePart => ({ d, kind: 'detail' });
const L = (d: string): ShapePart => ({ d, kind: 'light' });
const LN = (d: string): ShapePart => ({ d, kind: 'line' });

export const CATEGORIES: Record<string, CategoryDef> = {
  't-shirt': {
    label: 'T-Shirt',
    materials: ['cotton', 'organic cotton', 'linen blend'],
    price: [9, 39],
    nouns: ['tee', 'crew-neck shirt'],
    parts: [F('M30 15 L42 10 Q50 19 58 10 L70 15 L92 33 L79 46 L70 39 L70 90 L30 90 L30 39 L21 46 L8 33 Z')],
  },
  sneaker: {
    label: 'Sneaker',
    materials: ['canvas', 'leather', 'knit mesh'],
    price: [39, 149],
    nouns: ['trainer', 'running shoe'],
    parts: [
      F('M8 72 L10 48 Q20 47 30 38 L46 36 Q56 52 72 55 L88 59 Q96 63 95 72 L95 76 L8 76 Z'),
      L('M6 76 L96 76 L96 84 Q96 86 94 86 L8 86 Q6 86 6 84 Z'),
      LN('M34 44 L42 52 M38 41 L46 49'),
    ],
  },
  mug: {
    label: 'Mug',
    materials: ['ceramic', 'stoneware', 'porcelain'],
    price: [7, 29],
    nouns: ['coffee mug', 'cup'],
    parts: [
      F('M18 22 L66 22 L66 84 Q66 91 59 91 L25 91 Q18 91 18 84 Z'),
      F('M66 36 Q90 36 90 57 Q90 78 66 78 L66 69 Q81 69 81 57 Q81 45 66 45 Z'),
      D('M18 20 L66 20 L66 25 L18 25 Z'),
    ],
  },
  handbag: {
    label: 'Handbag',
    materials: ['leather', 'vegan leather', 'suede'],
    price: [49, 299],
    nouns: ['tote', 'shoulder bag'],
    parts: [
      LN('M33 42 Q33 12 50 12 Q67 12 67 42'),
      F('M14 40 L86 40 L93 90 L7 90 Z'),
      D('M44 48 L56 48 L56 55 L44 55 Z'),
    ],
  },
  lamp: {
    label: 'Lamp',
    materials: ['brushed metal', 'glass', 'linen'],
    price: [25, 189],
    nouns: ['table lamp', 'desk lamp'],
    parts: [
      F('M28 10 L72 10 L88 50 L12 50 Z'),
      D('M47 50 L53 50 L53 84 L47 84 Z'),
      F('M26 83 L74 83 L78 93 L22 93 Z'),
    ],
  },
  chair: {
    label: 'Chair',
    materials: ['oak', 'walnut', 'molded plastic'],
    price: [59, 349],
    nouns: ['dining chair', 'side chair'],
    parts: [
      F('M20 6 L34 6 L34 54 L20 54 Z'),
      F('M20 50 L82 50 L82 63 L20 63 Z'),
      F('M21 63 L31 63 L31 95 L21 95 Z'),
      F('M71 63 L81 63 L81 95 L71 95 Z'),
    ],
  },
  hat: {
    label: 'Hat',
    materials: ['wool felt', 'straw', 'cotton twill'],
    price: [15, 89],
    nouns: ['fedora', 'brimmed hat'],
    parts: [
      F('M6 64 Q50 50 94 64 Q50 80 6 64 Z'),
      F('M28 62 L33 24 Q50 12 67 24 L72 62 Q50 68 28 62 Z'),
      D('M29 52 Q50 58 71 52 L72 60 Q50 66 28 60 Z'),
    ],
  },
  watch: {
    label: 'Watch',
    materials: ['stainless steel', 'titanium', 'leather strap'],
    price: [49, 499],
    nouns: ['wristwatch', 'timepiece'],
    parts: [
      F('M37 2 L63 2 L63 32 L37 32 Z'),
      F('M37 68 L63 68 L63 98 L37 98 Z'),
      F('M50 24 A26 26 0 1 1 49.99 24 Z'),
      L('M50 33 A17 17 0 1 1 49.99 33 Z'),
      LN('M50 50 L50 38 M50 50 L59 55'),
    ],
  },
  backpack: {
    label: 'Backpack',
    materials: ['nylon', 'waxed canvas', 'recycled polyester'],
    price: [29, 179],
    nouns: ['rucksack', 'daypack'],
    parts: [
      LN('M40 14 Q40 4 50 4 Q60 4 60 14'),
      F('M20 22 Q20 12 32 12 L68 12 Q80 12 80 22 L82 92 L18 92 Z'),
      F('M29 56 L71 56 L71 86 L29 86 Z'),
      D('M29 56 L71 56 L71 60 L29 60 Z'),
    ],
  },
  bottle: {
    label: 'Bottle',
    materials: ['stainless steel', 'glass', 'BPA-free plastic'],
    price: [12, 49],
    nouns: ['water bottle', 'flask'],
    parts: [
      F('M41 16 L59 16 L59 22 Q73 30 73 44 L73 90 Q73 96 67 96 L33 96 Q27 96 27 90 L27 44 Q27 30 41 22 Z'),
      D('M40 3 L60 3 L60 17 L40 17 Z'),
    ],
  },
  sunglasses: {
    label: 'Sunglasses',
    materials: ['acetate', 'metal', 'polarized polycarbonate'],
    price: [19, 229],
    nouns: ['shades', 'sunnies'],
    parts: [
      F('M6 42 Q6 34 14 34 L40 34 Q46 34 45 42 L43 56 Q41 68 27 68 Q10 68 8 56 Z'),
      F('M94 42 Q94 34 86 34 L60 34 Q54 34 55 42 L57 56 Q59 68 73 68 Q90 68 92 56 Z'),
      LN('M45 40 Q50 34 55 40 M6 38 L1 34 M94 38 L99 34'),
    ],
  },
  dress: {
    label: 'Dress',
    materials: ['cotton', 'silk', 'chiffon'],
    price: [29, 259],
    nouns: ['sundress', 'midi dress'],
    parts: [
      LN('M40 10 L38 3 M60 10 L62 3'),
      F('M38 8 L62 8 L64 30 L58 40 L86 94 L14 94 L42 40 L36 30 Z'),
      D('M40 38 L60 38 L59 43 L41 43 Z'),
    ],
  },
  umbrella: {
    label: 'Umbrella',
    materials: ['nylon', 'polyester', 'pongee'],
    price: [12, 69],
    nouns: ['rain umbrella', 'parasol'],
    parts: [
      F('M6 52 Q50 -6 94 52 Q87 46 80 52 Q73 46 65 52 Q58 46 50 52 Q42 46 35 52 Q27 46 20 52 Q13 46 6 52 Z'),
      D('M48.5 50 L51.5 50 L51.5 86 Q51.5 95 43 95 Q35 95 35 87 L39 87 Q39 91 43 91 Q47.5 91 47.5 86 Z'),
      D('M49 4 L51 4 L51 12 L49 12 Z'),
    ],
  },
  sofa: {
    label: 'Sofa',
    materials: ['velvet', 'linen', 'leather'],
    price: [299, 1499],
    nouns: ['couch', 'loveseat'],
    parts: [
      F('M14 34 Q14 26 22 26 L78 26 Q86 26 86 34 L86 62 L14 62 Z'),
      F('M18 58 L82 58 L82 80 L18 80 Z'),
      F('M4 46 Q4 40 11 40 Q18 40 18 46 L18 82 L4 82 Z'),
      F('M82 46 Q82 40 89 40 Q96 40 96 46 L96 82 L82 82 Z'),
      D('M8 82 L14 82 L13 90 L9 90 Z M86 82 L92 82 L91 90 L87 90 Z'),
    ],
  },
};
export type Category = string;
export const CATEGORY_NAMES = Object.keys(CATEGORIES);

export const BRANDS = [
  'Acme', 'Northwind', 'Lumen & Co', 'Bluebird', 'Fjordline', 'Kestrel', 'Oakridge', 'Pioneer',
  'Sundial', 'Tidewater', 'Urbanist', 'Verdant',
] as const;

const PATTERN_WORD: Record<Pattern, string> = {
  solid: 'Solid',
  striped: 'Striped',
  dotted: 'Dotted',
  checked: 'Checked',
  zigzag: 'Zigzag',
};
const PATTERN_PHRASE: Record<Pattern, readonly string[]> = {
  solid: ['a solid', 'a plain solid', 'a single-tone solid'],
  striped: ['a striped', 'a bold striped', 'a classic striped'],
  dotted: ['a dotted', 'a polka-dot dotted', 'a playful dotted'],
  checked: ['a checked', 'a gingham checked', 'a neat checked'],
  zigzag: ['a zigzag', 'a chevron zigzag', 'a lively zigzag'],
};
const TITLE_PREFIX = ['', '', '', 'Classic ', 'Everyday ', 'Premium ', 'Vintage ', 'Modern '];
const STYLES = ['casual', 'minimal', 'retro', 'modern', 'classic', 'sporty'];

export const cap = (s: string): string => s.replace(/(^|[\s-])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase());

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

export interface ProductRecord {
  id: string;
  title: string;
  description: string;
  brand: string;
  category: Category;
  color: Color;
  pattern: Pattern;
  price: number;
  currency: 'USD';
  inStock: boolean;
  tags: string[];
  attributes: Record<string, string>;
  image: string;
}

/** Everything the renderer needs besides the record itself. */
export interface RenderSpec {
  fill: string; // jittered base colour
  accent: string; // pattern ink
  background: string;
  rotation: number; // degrees
  scale: number;
  dx: number;
  dy: number;
  patternSize: number;
  patternAngle: number;
  noiseTile: number;
  quality: number;
}

export interface CatalogItem {
  record: ProductRecord;
  spec: RenderSpec;
  svg: string;
}

export const IMAGE_SIZE = 256;

function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}
function rgbToHex([r, g, b]: [number, number, number]): string {
  const c = (x: number) => Math.max(0, Math.min(255, Math.round(x))).toString(16).padStart(2, '0');
  return `#${c(r)}${c(g)}${c(b)}`;
}
function mix(a: [number, number, number], b: [number, number, number], t: number): [number, number, number] {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}
function luminance([r, g, b]: [number, number, number]): number {
  return (0.299 * r + 0.587 * g + 0.114 * b) / 255;
}

/** A product's jittered fill colour and the pattern ink that contrasts with it (3 draws from rng). */
export function fillColors(rng: Rng, color: Color): { fill: string; accent: string } {
  const base = hexToRgb(COLORS[color]);
  const jit = (): number => between(rng, -14, 14);
  const fillRgb: [number, number, number] = [base[0] + jit(), base[1] + jit(), base[2] + jit()];
  const accentRgb = luminance(fillRgb) > 0.6 ? mix(fillRgb, [0, 0, 0], 0.42) : mix(fillRgb, [255, 255, 255], 0.6);
  return { fill: rgbToHex(fillRgb), accent: rgbToHex(accentRgb) };
}

/** A light, slightly tinted studio background (4 draws from rng). */
export function backgroundColor(rng: Rng): string {
  const jit = (): number => between(rng, -14, 14);
  const bgBase = 214 + rng() * 36;
  return rgbToHex([bgBase + jit(), bgBase + jit(), bgBase + jit()]);
}

export function productId(i: number): string {
  return `p-${String(i).padStart(6, '0')}`;
}

function makeRecord(rng: Rng, i: number): { record: ProductRecord; spec: RenderSpec } {
  const category = pick(rng, CATEGORY_NAMES);
  const color = pick(rng, COLOR_NAMES);
  const pattern = pick(rng, PATTERNS);
  const def = CATEGORIES[category];
  const brand = pick(rng, BRANDS);
  const material = pick(rng, def.materials);
  const style = pick(rng, STYLES);
  const prefix = pick(rng, TITLE_PREFIX);
  const noun = pick(rng, def.nouns);
  const id = productId(i);

  const title = `${prefix}${cap(color)} ${PATTERN_WORD[pattern]} ${def.label}`;
  const pp = pick(rng, PATTERN_PHRASE[pattern]);
  const templates = [
    `${title} by ${brand}. A ${style} ${category} in ${color} with ${pp} finish, made from ${material}.`,
    `This ${color} ${pattern} ${category} from ${brand} is made from ${material}. ${cap(style)} ${noun} with ${pp} look.`,
    `${brand} ${category} in ${color}, ${pattern} pattern. Crafted from ${material} for a ${style} style.`,
    `A ${color} ${category} with ${pp} pattern. ${cap(material)} construction; a ${style} ${noun} by ${brand}.`,
  ];
  const description = pick(rng, templates);

  const [lo, hi] = def.price;
  const price = Math.floor(between(rng, lo, hi)) + pick(rng, [0.99, 0.49, 0.0, 0.95]);
  const inStock = rng() < 0.85;

  const { fill, accent } = fillColors(rng, color);
  const background = backgroundColor(rng);

  const spec: RenderSpec = {
    fill,
    accent,
    background,
    rotation: r2(between(rng, -22, 22)),
    scale: r2(between(rng, 0.72, 1.02)),
    dx: r2(between(rng, -20, 20)),
    dy: r2(between(rng, -20, 20)),
    patternSize: r2(between(rng, 8, 14)),
    patternAngle: r2(pick(rng, [0, 0, 45, -45, 90]) + between(rng, -8, 8)),
    noiseTile: Math.floor(rng() * 8),
    quality: 88,
  };

  const record: ProductRecord = {
    id,
    title,
    description,
    brand,
    category,
    color,
    pattern,
    price: r2(price),
    currency: 'USD',
    inStock,
    tags: [category, color, pattern, material, style],
    attributes: { pattern, material, style, color },
    image: `images/${id}.jpg`,
  };
  return { record, spec };
}

function patternDef(pattern: Pattern, spec: RenderSpec): string {
  const s = spec.patternSize;
  const h = r2(s / 2);
  const open = `<pattern id="pat" patternUnits="userSpaceOnUse" width="${s}" height="${s}" patternTransform="rotate(${spec.patternAngle})">`;
  const bg = `<rect width="${s}" height="${s}" fill="${spec.fill}"/>`;
  const a = spec.accent;
  switch (pattern) {
    case 'solid':
      return '';
    case 'striped':
      return `${open}${bg}<rect width="${h}" height="${s}" fill="${a}"/></pattern>`;
    case 'dotted':
      return `${open}${bg}<circle cx="${h}" cy="${h}" r="${r2(s * 0.24)}" fill="${a}"/></pattern>`;
    case 'checked':
      return `${open}${bg}<rect width="${h}" height="${h}" fill="${a}"/><rect x="${h}" y="${h}" width="${h}" height="${h}" fill="${a}"/></pattern>`;
    case 'zigzag':
      return `${open}${bg}<path d="M0 ${r2(s * 0.7)} L${h} ${r2(s * 0.3)} L${s} ${r2(s * 0.7)}" fill="none" stroke="${a}" stroke-width="${r2(s * 0.2)}" stroke-linejoin="miter"/></pattern>`;
  }
}

/** Deterministic SVG for one product (IMAGE_SIZE x IMAGE_SIZE). */
export function productSvg(record: ProductRecord, spec: RenderSpec): string {
  const size = IMAGE_SIZE;
  const def = CATEGORIES[record.category];
  const fill = record.pattern === 'solid' ? spec.fill : 'url(#pat)';
  const k = r2(spec.scale * 1.9);
  const ink = '#2a2a2a';
  const parts = def.parts
    .map((p) => {
      switch (p.kind) {
        case 'fill':
          return `<path d="${p.d}" fill="${fill}" stroke="${ink}" stroke-width="1.4" stroke-linejoin="round"/>`;
        case 'detail':
          return `<path d="${p.d}" fill="${ink}"/>`;
        case 'light':
          return `<path d="${p.d}" fill="#ececec" stroke="${ink}" stroke-width="1.2"/>`;
        case 'line':
          return `<path d="${p.d}" fill="none" stroke="${ink}" stroke-width="3" stroke-linecap="round"/>`;
      }
    })
    .join('');
  const cx = r2(size / 2 + spec.dx);
  const cy = r2(size / 2 + spec.dy);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">` +
    `<defs>${patternDef(record.pattern, spec)}</defs>` +
    `<rect width="${size}" height="${size}" fill="${spec.background}"/>` +
    `<ellipse cx="${cx}" cy="${r2(cy + 92 * spec.scale)}" rx="${r2(80 * spec.scale)}" ry="${r2(9 * spec.scale)}" fill="#000" fill-opacity="0.10"/>` +
    `<g transform="translate(${cx} ${cy}) rotate(${spec.rotation}) scale(${k}) translate(-50 -50)">${parts}</g>` +
    `</svg>`
  );
}

/** Generate n products deterministically from seed. */
export function generateCatalog(seed: number, n: number): CatalogItem[] {
  const rng = mulberry32(seed);
  const out: CatalogItem[] = [];
  for (let i = 0; i < n; i++) {
    const { record, spec } = makeRecord(rng, i);
    out.push({ record, spec, svg: productSvg(record, spec) });
  }
  return out;
}

/** Canonical search query for a record, e.g. "red striped t-shirt". */
export function canonicalQuery(r: Pick<ProductRecord, 'color' | 'pattern' | 'category'>): string {
  return `${r.color} ${r.pattern} ${r.category}`;
}
