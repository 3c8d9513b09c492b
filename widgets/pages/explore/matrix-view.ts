import { product, similarityMatrix } from './api';

/**
 * Similarity matrix of a selection: a heatmap canvas with the products' thumbnails along both axes and the cosine
 * value of the cell under the pointer.
 */
const CELL = 36;

export async function showMatrix(host: HTMLElement, ids: string[], tooltip: HTMLElement): Promise<void> {
  host.replaceChildren(status('Computing…'));
  let m: { ids: string[]; values: number[] };
  try {
    m = await similarityMatrix(ids);
  } catch (e) {
    host.replaceChildren(status(`Could not compute the matrix: ${(e as Error).message}`));
    return;
  }
  const n = m.ids.length;
  const grid = document.createElement('div');
  grid.className = 'matrix';
  grid.style.gridTemplateColumns = `${CELL}px ${n * CELL}px`;
  const corner = document.createElement('div');
  const top = axis(m.ids, 'row');
  const left = axis(m.ids, 'column');
  const canvas = document.createElement('canvas');
  canvas.width = n * CELL;
  canvas.height = n * CELL;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `Cosine similarity between ${n} products`);
  const ctx = canvas.getContext('2d')!;
  let lo = 1;
  let hi = -1;
  m.values.forEach((v, k) => {
    if (Math.floor(k / n) !== k % n) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  });
  m.values.forEach((v, k) => {
    const t = hi > lo ? Math.max(0, Math.min(1, (v - lo) / (hi - lo))) : 1;
    ctx.fillStyle = heat(t);
    ctx.fillRect((k % n) * CELL, Math.floor(k / n) * CELL, CELL, CELL);
  });
  canvas.addEventListener('pointermove', (e) => {
    const r = canvas.getBoundingClientRect();
    const col = Math.floor((e.clientX - r.left) / CELL);
    const row = Math.floor((e.clientY - r.top) / CELL);
    if (col < 0 || row < 0 || col >= n || row >= n) return void (tooltip.hidden = true);
    tooltip.hidden = false;
    tooltip.textContent = `${m.ids[row]} × ${m.ids[col]}: cosine ${m.values[row * n + col].toFixed(4)}`;
    tooltip.style.left = `${e.clientX + 14}px`;
    tooltip.style.top = `${e.clientY + 14}px`;
  });
  canvas.addEventListener('pointerleave', () => (tooltip.hidden = true));
  grid.append(corner, top, left, canvas);
  host.replaceChildren(status(`${n} products; colour scale from ${lo.toFixed(3)} (light) to ${hi.toFixed(3)} (dark), diagonal = 1.`), grid);
}

function axis(ids: string[], direction: 'row' | 'column'): HTMLElement {
  const el = document.createElement('div');
  el.className = `axis ${direction}`;
  for (const id of ids) {
    const img = document.createElement('img');
    img.width = CELL;
    img.height = CELL;
    img.alt = id;
    img.title = id;
    void product(id).then((p) => {
      if (p?.imageUrl) img.src = p.imageUrl;
      if (p) img.alt = img.title = `${p.title} (${id})`;
    });
    el.append(img);
  }
  return el;
}

function heat(t: number): string {
  // Light yellow to dark purple.
  const a = [255, 247, 188];
  const b = [84, 39, 143];
  const c = a.map((v, i) => Math.round(v + (b[i] - v) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function status(text: string): HTMLElement {
  const p = document.createElement('p');
  p.className = 'note';
  p.setAttribute('role', 'status');
  p.textContent = text;
  return p;
}
