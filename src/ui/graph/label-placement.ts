// Where each Cast label sits on its edge. A label put at one fixed spot of every route (its longest
// segment's middle) lands on its neighbour's when two routes run side by side, as edges fanning out of one
// box do; ELK cannot reserve room for them because the labels change with every plan while the layout does
// not. So the labels are placed greedily, one edge at a time: along the route, the first spot whose box
// meets no label placed before it and, where possible, no box of the graph. Pure: unit-tested.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LabelRequest {
  id: string;
  /** The route the edge is drawn along: x0, y0, x1, y1, ... in canvas coordinates. */
  points: readonly number[];
  width: number;
  height: number;
}

export interface LabelSpot {
  /** The label's centre. */
  x: number;
  y: number;
}

/** Room kept between two labels, and between a label and a box, in canvas pixels. */
const GAP = 2;
/** Where along a segment to try, best first. */
const FRACTIONS = [0.5, 0.35, 0.65, 0.2, 0.8, 0.1, 0.9];
const CELL = 96;

/** The canvas size of a label "Cast →fp16 ×2" in the edge text's font (10px, bold) with its padding. */
export function labelSize(text: string): { width: number; height: number } {
  return { width: Math.ceil(6.4 * text.length + 8), height: 15 };
}

/** A uniform grid of rectangles, so each test looks at its neighbours only (views hold thousands of edges). */
class RectGrid {
  private readonly cells = new Map<string, Rect[]>();

  add(rect: Rect): void {
    this.forCells(rect, (key) => {
      const list = this.cells.get(key);
      if (list) list.push(rect);
      else this.cells.set(key, [rect]);
    });
  }

  hits(rect: Rect, gap: number): number {
    const seen = new Set<Rect>();
    this.forCells(rect, (key) => {
      for (const other of this.cells.get(key) ?? []) {
        if (!seen.has(other) && overlaps(rect, other, gap)) seen.add(other);
      }
    });
    return seen.size;
  }

  private forCells(rect: Rect, visit: (key: string) => void): void {
    const x0 = Math.floor((rect.x - GAP) / CELL);
    const x1 = Math.floor((rect.x + rect.width + GAP) / CELL);
    const y0 = Math.floor((rect.y - GAP) / CELL);
    const y1 = Math.floor((rect.y + rect.height + GAP) / CELL);
    for (let cx = x0; cx <= x1; cx++) for (let cy = y0; cy <= y1; cy++) visit(`${cx},${cy}`);
  }
}

export function overlaps(a: Rect, b: Rect, gap = 0): boolean {
  return a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
}

/** Spots along a route, best first: each segment from the longest down, its middle before its ends. */
function candidates(points: readonly number[]): LabelSpot[] {
  const segments: { x0: number; y0: number; x1: number; y1: number; length: number }[] = [];
  for (let i = 2; i + 1 < points.length; i += 2) {
    const [x0, y0, x1, y1] = [points[i - 2], points[i - 1], points[i], points[i + 1]];
    segments.push({ x0, y0, x1, y1, length: Math.hypot(x1 - x0, y1 - y0) });
  }
  segments.sort((a, b) => b.length - a.length);
  const spots: LabelSpot[] = [];
  for (const segment of segments) {
    for (const t of FRACTIONS) {
      spots.push({ x: segment.x0 + (segment.x1 - segment.x0) * t, y: segment.y0 + (segment.y1 - segment.y0) * t });
    }
  }
  return spots;
}

function rectAt(spot: LabelSpot, request: LabelRequest): Rect {
  return { x: spot.x - request.width / 2, y: spot.y - request.height / 2, width: request.width, height: request.height };
}

/**
 * One spot per label such that no two labels overlap. Along the route: the first spot clear of labels and
 * boxes, else the first clear of labels; when every spot of the route is taken (a bundle of parallel
 * edges), the label steps down from its best spot, a label's height at a time, to the first free place.
 */
export function placeLabels(requests: readonly LabelRequest[], boxes: readonly Rect[]): Map<string, LabelSpot> {
  const boxGrid = new RectGrid();
  for (const box of boxes) boxGrid.add(box);
  const labelGrid = new RectGrid();
  const placed = new Map<string, LabelSpot>();
  for (const request of requests) {
    const spots = candidates(request.points);
    if (!spots.length) continue;
    let chosen: LabelSpot | undefined;
    let fallback: LabelSpot | undefined;
    for (const spot of spots) {
      const rect = rectAt(spot, request);
      if (labelGrid.hits(rect, GAP)) continue;
      if (!boxGrid.hits(rect, GAP)) {
        chosen = spot;
        break;
      }
      fallback ??= spot;
    }
    chosen ??= fallback;
    if (!chosen) {
      const start = spots[0];
      for (let step = 1; !chosen; step++) {
        const spot = { x: start.x, y: start.y + step * (request.height + GAP) };
        if (!labelGrid.hits(rectAt(spot, request), GAP)) chosen = spot;
      }
    }
    labelGrid.add(rectAt(chosen, request));
    placed.set(request.id, chosen);
  }
  return placed;
}
