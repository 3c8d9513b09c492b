import { loadMap, placeText, product, type CatalogMapData } from './api';
import { MapView } from './map-view';
import { showMatrix } from './matrix-view';

/**
 * /explore: the catalog's image vectors on a 2-D map (coloured by a facet, hover for the product, click to open it,
 * shift-click to select), a text query placed on the map with its nearest products, and a similarity matrix of the
 * selection. Exposes `window.catalogMap` so tests can find where a product is drawn.
 */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#393b79', '#ad494a', '#637939', '#8c6d31', '#843c39', '#7b4173', '#3182bd', '#e6550d', '#31a354', '#756bb1'];

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('map');
const tooltip = $('tooltip');
const statusLine = $('status');
const facetSelect = $<HTMLSelectElement>('facet');
const legend = $('legend');
const selectionButton = $<HTMLButtonElement>('compare');
let data: CatalogMapData | undefined;
let byId = new Map<string, number>();
const selection = new Set<number>();
let hoverToken = 0;

const view = new MapView(canvas, {
  hover(i, x, y) {
    const token = ++hoverToken;
    if (i === undefined || !data) return void (tooltip.hidden = true);
    const id = data.ids[i];
    tooltip.hidden = false;
    tooltip.style.left = `${x + 16}px`;
    tooltip.style.top = `${y + 16}px`;
    tooltip.dataset.id = id;
    tooltip.replaceChildren(text('strong', id));
    void product(id).then((p) => {
      if (token !== hoverToken || !p) return;
      const img = document.createElement('img');
      img.src = p.imageUrl ?? '';
      img.alt = p.title;
      img.width = 96;
      img.height = 96;
      tooltip.replaceChildren(img, text('strong', p.title), text('span', `${p.category ?? ''} · ${p.brand ?? ''} · ${id}`));
    });
  },
  click(i, e) {
    if (!data) return;
    if (e.shiftKey) {
      if (selection.has(i)) selection.delete(i);
      else if (selection.size < 60) selection.add(i);
      view.setSelection(new Set(selection));
      updateSelection();
      return;
    }
    location.href = `/demo/product.html?id=${encodeURIComponent(data.ids[i])}`;
  },
});

function text(tag: string, content: string): HTMLElement {
  const el = document.createElement(tag);
  el.textContent = content;
  return el;
}

function colours(facetName: string): string[] {
  const f = data!.facets.find((x) => x.name === facetName)!;
  legend.replaceChildren(
    ...f.values.map((v, k) => {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = colourOf(k);
      li.append(sw, document.createTextNode(v));
      return li;
    }),
  );
  return f.codes.map((k) => (k < 0 ? '#bbb' : colourOf(k)));
}

function colourOf(k: number): string {
  return k < PALETTE.length ? PALETTE[k] : `hsl(${(k * 137.5) % 360} 60% 50%)`;
}

function updateSelection(): void {
  selectionButton.textContent = `Similarity matrix of the selection (${selection.size})`;
  selectionButton.disabled = selection.size < 2;
}

async function start(): Promise<void> {
  statusLine.textContent = 'Computing the map (first time for this catalog version)…';
  try {
    data = await loadMap();
  } catch (e) {
    statusLine.textContent = `Could not load the map: ${(e as Error).message}`;
    return;
  }
  byId = new Map(data.ids.map((id, i) => [id, i]));
  facetSelect.replaceChildren(...data.facets.map((f) => new Option(f.name, f.name)));
  view.show(data, colours(facetSelect.value));
  const sampled = data.ids.length < data.totalProducts ? ` (a uniform sample of ${data.ids.length.toLocaleString()})` : '';
  statusLine.textContent = `${data.totalProducts.toLocaleString()} products${sampled}, ${data.method}. Scroll to zoom, drag to pan, double-click to reset, shift-click to select.`;
  canvas.dataset.ready = 'true';
}

facetSelect.addEventListener('change', () => data && view.recolour(colours(facetSelect.value)));

$<HTMLFormElement>('query').addEventListener('submit', async (e) => {
  e.preventDefault();
  const q = $<HTMLInputElement>('q').value.trim();
  if (!q || !data) return;
  const r = await placeText(q).catch(() => undefined);
  if (!r) return void (statusLine.textContent = 'Could not place that query.');
  const nearest = r.nearest.map((id) => byId.get(id)).filter((i): i is number => i !== undefined);
  view.mark(nearest, r.position);
  $('nearest').textContent = `★ “${q}”; ringed: its ${nearest.length} nearest products.`;
  selection.clear();
  for (const i of nearest) selection.add(i);
  view.setSelection(new Set(selection));
  updateSelection();
});

selectionButton.addEventListener('click', () => {
  if (!data) return;
  const ids = [...selection].map((i) => data!.ids[i]);
  $('matrix-panel').hidden = false;
  void showMatrix($('matrix'), ids, tooltip);
  $('matrix-panel').scrollIntoView({ behavior: 'smooth' });
});

$<HTMLButtonElement>('clear').addEventListener('click', () => {
  selection.clear();
  view.setSelection(new Set());
  view.mark([]);
  updateSelection();
});

declare global {
  interface Window {
    catalogMap: { pointsDrawn(): number; clientPosition(id: string): { x: number; y: number } | undefined; total(): number };
  }
}
window.catalogMap = {
  pointsDrawn: () => view.pointsDrawn,
  clientPosition: (id) => (byId.has(id) ? view.clientPosition(byId.get(id)!) : undefined),
  total: () => data?.totalProducts ?? 0,
};

updateSelection();
void start();
