import { describe, expect, it } from 'vitest';
import { declutter, layoutMarkers, placeLabels, type MarkerBox } from './declutter';

const box = (id: number, x: number, y: number, priority = 0): MarkerBox => ({
  id,
  x,
  y,
  priority,
  width: 100,
  height: 40,
});
const compact = { width: 40, height: 24 };

describe('declutter', () => {
  it('gives isolated markers their full label', () => {
    expect(declutter([box(1, 0, 0), box(2, 500, 500)], compact)).toEqual(new Set([1, 2]));
  });

  it('keeps close markers compact, except the one with the highest priority', () => {
    const result = declutter([box(1, 0, 0, 1), box(2, 30, 10, 9), box(3, 500, 0)], compact);
    expect(result.has(2)).toBe(false); // its full label would hide marker 1
    expect(result.has(1)).toBe(false);
    expect(result.has(3)).toBe(true);
  });

  it('lets a marker go full when its neighbours are far enough for their compact badges', () => {
    const result = declutter([box(1, 0, 0, 5), box(2, 75, 0)], compact);
    expect(result).toEqual(new Set([1]));
  });

  it('always gives pinned markers (selected, own region) their full label', () => {
    const result = declutter([{ ...box(1, 0, 0), pinned: true }, box(2, 30, 10, 9)], compact);
    expect(result).toEqual(new Set([1]));
  });
});

describe('layoutMarkers', () => {
  const size = { width: 44, height: 44 };
  const rects = (boxes: MarkerBox[], ids: Iterable<number>, detailed: Set<number>) =>
    [...ids].map((id) => {
      const b = boxes.find((x) => x.id === id)!;
      const s = detailed.has(id) ? b : size;
      return {
        id,
        l: b.x - s.width / 2,
        r: b.x + s.width / 2,
        t: b.y - s.height / 2,
        b: b.y + s.height / 2,
      };
    });

  it('groups markers whose 44 px boxes would overlap under the one with the highest priority', () => {
    const boxes = [box(1, 0, 0, 1), box(2, 30, 10, 9), box(3, 40, 40, 0), box(4, 500, 0)];
    const { shown } = layoutMarkers(boxes, size);
    expect(shown).toEqual(
      new Map([
        [2, [1, 3]],
        [4, []],
      ]),
    );
  });

  it('never lets two drawn markers overlap, however dense the map', () => {
    // 200 markers in a 400x300 px area, as the Randstad on a phone.
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const boxes = Array.from({ length: 200 }, (_, i) =>
      box(i + 1, random() * 400, random() * 300, random() * 10),
    );
    boxes[0] = { ...boxes[0]!, pinned: true };
    boxes[1] = { ...boxes[1]!, pinned: true };
    const { shown, detailed } = layoutMarkers(boxes, size);
    const drawn = rects(boxes, shown.keys(), detailed);
    for (const a of drawn)
      for (const b of drawn)
        if (a.id < b.id)
          expect(a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b, `${a.id}/${b.id}`).toBe(false);
    // Every marker is drawn or stands in a group.
    const grouped = [...shown.values()].flat();
    expect(shown.size + grouped.length).toBe(200);
  });
});

describe('placeLabels', () => {
  const badge = { width: 60, height: 44 };
  const bounds = { width: 400, height: 300 };
  const label = (id: number, x: number, y: number, width = 60) => ({ id, x, y, width, height: 16 });
  const marker = (x: number, y: number) => ({ x, y, ...badge });

  it('puts a name right of its badge when there is room', () => {
    expect(placeLabels([label(1, 100, 100)], [marker(100, 100)], badge, bounds)).toEqual(
      new Map([[1, 'right']]),
    );
  });

  it('moves a name to another side when a marker or an earlier name is in the way', () => {
    const markers = [marker(100, 100), marker(180, 100)];
    const placed = placeLabels([label(1, 100, 100), label(2, 180, 100)], markers, badge, bounds);
    // 1 cannot go right (marker 2 is there): left; 2 goes right.
    expect(placed).toEqual(
      new Map([
        [1, 'left'],
        [2, 'right'],
      ]),
    );
  });

  it('keeps names inside the map and leaves out a name with no room on any side', () => {
    // At the right edge: left of it. Boxed in on all four sides: no name.
    expect(placeLabels([label(1, 380, 100)], [marker(380, 100)], badge, bounds).get(1)).toBe(
      'left',
    );
    const around = [marker(200, 150), marker(270, 150), marker(130, 150)];
    around.push(marker(200, 100), marker(200, 200));
    expect(placeLabels([label(1, 200, 150)], around, badge, bounds).size).toBe(0);
  });
});
