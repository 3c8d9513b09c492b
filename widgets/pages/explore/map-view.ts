import type { CatalogMapData } from './api';

/**
 * The map on a canvas: points in data space [0, 1]², a view transform for zoom and pan, and a grid index so hover
 * finds the nearest point without scanning 20,000 of them. Drawing is batched per colour and throttled to one
 * frame, which keeps a 20,000-point map smooth while zooming.
 */
export interface MapViewEvents {
  hover(index: number | undefined, clientX: number, clientY: number): void;
  click(index: number, e: MouseEvent): void;
}

const GRID = 64;
const PAD = 24;

export class MapView {
  private data?: CatalogMapData;
  private colours: string[] = [];
  private scale = 1;
  private tx = 0;
  private ty = 0;
  private grid: number[][] = [];
  private frame = 0;
  private marked = new Set<number>();
  private selected = new Set<number>();
  private star?: { x: number; y: number };
  private hovered?: number;
  /** For tests and the status line: how many points the last frame drew. */
  pointsDrawn = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly events: MapViewEvents,
  ) {
    new ResizeObserver(() => this.redraw()).observe(canvas);
    this.bindInput();
  }

  show(data: CatalogMapData, colours: string[]): void {
    this.data = data;
    this.colours = colours;
    this.grid = Array.from({ length: GRID * GRID }, () => []);
    data.x.forEach((x, i) => this.grid[cell(x, data.y[i])].push(i));
    this.redraw();
  }

  recolour(colours: string[]): void {
    this.colours = colours;
    this.redraw();
  }

  mark(indices: number[], star?: { x: number; y: number }): void {
    this.marked = new Set(indices);
    this.star = star;
    this.redraw();
  }

  setSelection(indices: Set<number>): void {
    this.selected = indices;
    this.redraw();
  }

  resetView(): void {
    this.scale = 1;
    this.tx = 0;
    this.ty = 0;
    this.redraw();
  }

  /** Where point `i` is drawn, in client (viewport) coordinates. */
  clientPosition(i: number): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    const [sx, sy] = this.toScreen(this.data!.x[i], this.data!.y[i]);
    return { x: r.left + sx, y: r.top + sy };
  }

  private size(): { w: number; h: number } {
    return { w: this.canvas.clientWidth, h: this.canvas.clientHeight };
  }

  private toScreen(x: number, y: number): [number, number] {
    const { w, h } = this.size();
    const side = Math.min(w, h) - 2 * PAD;
    const ox = (w - side) / 2;
    const oy = (h - side) / 2;
    return [ox + (x * side) * this.scale + this.tx, oy + ((1 - y) * side) * this.scale + this.ty];
  }

  private toData(sx: number, sy: number): [number, number] {
    const { w, h } = this.size();
    const side = Math.min(w, h) - 2 * PAD;
    const ox = (w - side) / 2;
    const oy = (h - side) / 2;
    return [(sx - ox - this.tx) / this.scale / side, 1 - (sy - oy - this.ty) / this.scale / side];
  }

  /** Nearest point within 10 px of a screen position. */
  private pick(sx: number, sy: number): number | undefined {
    if (!this.data) return undefined;
    const [dx, dy] = this.toData(sx, sy);
    const { w, h } = this.size();
    const radius = 10 / ((Math.min(w, h) - 2 * PAD) * this.scale);
    let best: number | undefined;
    let bestD = Infinity;
    const c0 = Math.floor((dx - radius) * GRID);
    const c1 = Math.floor((dx + radius) * GRID);
    const r0 = Math.floor((dy - radius) * GRID);
    const r1 = Math.floor((dy + radius) * GRID);
    for (let cx = Math.max(0, c0); cx <= Math.min(GRID - 1, c1); cx++) {
      for (let cy = Math.max(0, r0); cy <= Math.min(GRID - 1, r1); cy++) {
        for (const i of this.grid[cy * GRID + cx]) {
          const [px, py] = this.toScreen(this.data.x[i], this.data.y[i]);
          const d = (px - sx) ** 2 + (py - sy) ** 2;
          if (d < bestD && d <= 100) {
            bestD = d;
            best = i;
          }
        }
      }
    }
    return best;
  }

  redraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const dpr = window.devicePixelRatio || 1;
    const { w, h } = this.size();
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const data = this.data;
    if (!data) return;
    const n = data.ids.length;
    const r = Math.max(1.5, Math.min(6, (n > 5000 ? 2 : 4) * Math.sqrt(this.scale)));
    // One path per colour: 20,000 arcs in a handful of fills.
    const byColour = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const c = this.colours[i] ?? '#888';
      let list = byColour.get(c);
      if (!list) byColour.set(c, (list = []));
      list.push(i);
    }
    let drawn = 0;
    for (const [colour, list] of byColour) {
      ctx.beginPath();
      for (const i of list) {
        const [x, y] = this.toScreen(data.x[i], data.y[i]);
        if (x < -r || y < -r || x > w + r || y > h + r) continue;
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, 2 * Math.PI);
        drawn++;
      }
      ctx.fillStyle = colour;
      ctx.globalAlpha = n > 5000 ? 0.7 : 0.9;
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    this.pointsDrawn = drawn;
    this.canvas.dataset.pointsDrawn = String(drawn);
    const ring = (i: number, colour: string, width: number) => {
      const [x, y] = this.toScreen(data.x[i], data.y[i]);
      ctx.beginPath();
      ctx.arc(x, y, r + 4, 0, 2 * Math.PI);
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.stroke();
    };
    for (const i of this.selected) ring(i, '#111', 2);
    for (const i of this.marked) ring(i, '#e11d48', 2.5);
    if (this.hovered !== undefined) ring(this.hovered, '#0969da', 2);
    if (this.star) {
      const [x, y] = this.toScreen(this.star.x, this.star.y);
      ctx.font = '28px sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.lineWidth = 4;
      ctx.strokeStyle = '#fff';
      ctx.strokeText('★', x, y);
      ctx.fillStyle = '#111';
      ctx.fillText('★', x, y);
    }
  }

  private bindInput(): void {
    const c = this.canvas;
    let drag: { x: number; y: number; moved: boolean } | undefined;
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      const rect = c.getBoundingClientRect();
      const mx = e.clientX - rect.left;
      const my = e.clientY - rect.top;
      const factor = Math.exp(-e.deltaY * 0.0015);
      const next = Math.min(200, Math.max(0.5, this.scale * factor));
      const k = next / this.scale;
      // Keep the data point under the cursor where it is: mx = o + X·side·s + t before and after.
      const { w, h } = this.size();
      const side = Math.min(w, h) - 2 * PAD;
      const ox = (w - side) / 2;
      const oy = (h - side) / 2;
      this.tx = mx - ox - (mx - ox - this.tx) * k;
      this.ty = my - oy - (my - oy - this.ty) * k;
      this.scale = next;
      this.redraw();
    }, { passive: false });
    c.addEventListener('pointerdown', (e) => {
      drag = { x: e.clientX, y: e.clientY, moved: false };
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener('pointermove', (e) => {
      const rect = c.getBoundingClientRect();
      if (drag && (e.buttons & 1)) {
        const dx = e.clientX - drag.x;
        const dy = e.clientY - drag.y;
        if (drag.moved || Math.abs(dx) + Math.abs(dy) > 3) {
          drag.moved = true;
          this.tx += dx;
          this.ty += dy;
          drag.x = e.clientX;
          drag.y = e.clientY;
          this.redraw();
          return;
        }
      }
      const hit = this.pick(e.clientX - rect.left, e.clientY - rect.top);
      if (hit !== this.hovered) {
        this.hovered = hit;
        this.redraw();
      }
      this.events.hover(hit, e.clientX, e.clientY);
    });
    c.addEventListener('pointerleave', () => {
      this.hovered = undefined;
      this.events.hover(undefined, 0, 0);
      this.redraw();
    });
    c.addEventListener('pointerup', (e) => {
      const wasDrag = drag?.moved;
      drag = undefined;
      if (wasDrag) return;
      const rect = c.getBoundingClientRect();
      const hit = this.pick(e.clientX - rect.left, e.clientY - rect.top);
      if (hit !== undefined) this.events.click(hit, e);
    });
    c.addEventListener('dblclick', () => this.resetView());
  }
}

function cell(x: number, y: number): number {
  const cx = Math.min(GRID - 1, Math.max(0, Math.floor(x * GRID)));
  const cy = Math.min(GRID - 1, Math.max(0, Math.floor(y * GRID)));
  return cy * GRID + cx;
}
