import { describe, expect, it } from 'vitest';
import { labelSize, overlaps, placeLabels, type LabelRequest, type Rect } from './label-placement';

const size = labelSize('Cast →fp16');

function rects(requests: LabelRequest[], spots: Map<string, { x: number; y: number }>): Rect[] {
  return requests.map((request) => {
    const spot = spots.get(request.id)!;
    return { x: spot.x - request.width / 2, y: spot.y - request.height / 2, width: request.width, height: request.height };
  });
}

function collisions(list: Rect[]): number {
  let count = 0;
  list.forEach((a, i) => list.slice(i + 1).forEach((b) => (count += overlaps(a, b) ? 1 : 0)));
  return count;
}

describe('placeLabels', () => {
  it('puts a lone label in the middle of its longest segment', () => {
    const spots = placeLabels([{ id: 'a', points: [0, 0, 0, 20, 200, 20, 200, 40], ...size }], []);
    expect(spots.get('a')).toEqual({ x: 100, y: 20 });
  });

  it('separates the labels of parallel edges that the middle of their longest segments would stack', () => {
    // Five edges leave one box side by side, 8 px apart, each a long horizontal run: the midpoints meet.
    const requests = Array.from({ length: 5 }, (_, k): LabelRequest => ({
      id: `e${k}`,
      points: [300, 100, 300, 110 + 8 * k, 20, 110 + 8 * k, 20, 300],
      ...size,
    }));
    const spots = placeLabels(requests, []);
    expect(collisions(rects(requests, spots))).toBe(0);
  });

  it('keeps every label apart even when all edges share one route', () => {
    const requests = Array.from({ length: 12 }, (_, k): LabelRequest => ({ id: `e${k}`, points: [0, 0, 0, 60], ...size }));
    expect(collisions(rects(requests, placeLabels(requests, [])))).toBe(0);
  });

  it('moves a label off a box that its route passes next to, when another spot is free', () => {
    const box = { x: 60, y: 90, width: 80, height: 30 };
    const requests: LabelRequest[] = [{ id: 'a', points: [100, 0, 100, 200], ...size }];
    const [rect] = rects(requests, placeLabels(requests, [box]));
    expect(overlaps(rect, box)).toBe(false);
  });
});
