/**
 * Which region markers get room for their full label (name and free places per kind) and
 * which stay compact. The Randstad has eight centrumgemeenten within 40 km, so at the
 * national zoom full labels would cover each other; a greedy pass in priority order gives
 * each marker its full label when that does not overlap a label already placed.
 */

export interface MarkerBox {
  id: number;
  /** Screen position of the marker centre, px. */
  x: number;
  y: number;
  /** Higher first: selected, own region, more fitting places. */
  priority: number;
  /** Size of the full label, px. */
  width: number;
  height: number;
  /** Always full (the selected and the own region): drawn on top, others make way. */
  pinned?: boolean;
}

export interface BoxSize {
  width: number;
  height: number;
}

interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

const rectAt = (b: Pick<MarkerBox, 'x' | 'y'>, s: BoxSize): Rect => ({
  left: b.x - s.width / 2,
  top: b.y - s.height / 2,
  right: b.x + s.width / 2,
  bottom: b.y + s.height / 2,
});

const overlaps = (a: Rect, b: Rect) =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

export function declutter(boxes: readonly MarkerBox[], compact: BoxSize): Set<number> {
  const ordered = [...boxes].sort(
    (a, b) => Number(!!b.pinned) - Number(!!a.pinned) || b.priority - a.priority || a.id - b.id,
  );
  // Compact markers are always drawn: a full label must not hide one of them either.
  const compacts = new Map(ordered.map((b) => [b.id, rectAt(b, compact)]));
  const placed: Rect[] = [];
  const detailed = new Set<number>();
  for (const box of ordered) {
    const rect = rectAt(box, box);
    const hitsFull = placed.some((p) => overlaps(p, rect));
    const hitsCompact = [...compacts].some(([id, c]) => id !== box.id && overlaps(c, rect));
    if (!box.pinned && (hitsFull || hitsCompact)) continue;
    placed.push(rect);
    detailed.add(box.id);
  }
  return detailed;
}

export interface MarkerLayout {
  /** Markers drawn with their full label. */
  detailed: Set<number>;
  /** Markers drawn, each with the markers it stands in for (empty when alone). */
  shown: Map<number, number[]>;
}

/**
 * Where markers stand so that none covers another at the current zoom (issue 14): in
 * priority order each marker takes its compact box (at least 44x44 px, a finger's width);
 * one whose box would overlap a marker already placed joins that marker as part of its
 * group ("+3"), which zooms in when chosen. Then full labels where they fit (declutter).
 */
export function layoutMarkers(boxes: readonly MarkerBox[], compact: BoxSize): MarkerLayout {
  const ordered = [...boxes].sort(
    (a, b) => Number(!!b.pinned) - Number(!!a.pinned) || b.priority - a.priority || a.id - b.id,
  );
  const shown = new Map<number, number[]>();
  const placed: Array<{ id: number; rect: Rect }> = [];
  for (const box of ordered) {
    // A pinned marker always shows its full label (declutter): neighbours make way for it all.
    const rect = rectAt(box, box.pinned ? box : compact);
    const host = placed.find((p) => overlaps(p.rect, rect));
    if (host) {
      shown.get(host.id)!.push(box.id);
      continue;
    }
    placed.push({ id: box.id, rect });
    shown.set(box.id, []);
  }
  const visible = ordered.filter((b) => shown.has(b.id));
  return { detailed: declutter(visible, compact), shown };
}

/** Where a region's name goes next to its badge. */
export type LabelAnchor = 'right' | 'left' | 'top' | 'bottom';
const ANCHORS: readonly LabelAnchor[] = ['right', 'left', 'top', 'bottom'];
/** Room between a badge and its name, px. */
const LABEL_GAP = 2;

export interface LabelRequest {
  id: number;
  /** The badge's centre on screen, px. */
  x: number;
  y: number;
  /** The name's size, px. */
  width: number;
  height: number;
}

/**
 * Names next to the compact badges (the full labels carry theirs): in the order given, each
 * name takes the first side of its badge (right, left, above, below: maplibre's variable
 * text anchor, for HTML markers) where it covers no marker, no name placed before it and
 * stays inside the map. Names that find no room are left out; the caller lists them.
 */
export function placeLabels(
  requests: readonly LabelRequest[],
  /** Every marker drawn, as laid out (compact boxes and full labels). */
  markers: readonly Pick<MarkerBox, 'x' | 'y' | 'width' | 'height'>[],
  badge: BoxSize,
  bounds: BoxSize,
): Map<number, LabelAnchor> {
  const taken: Rect[] = markers.map((m) => rectAt(m, m));
  const placed = new Map<number, LabelAnchor>();
  for (const r of requests) {
    const half = { w: badge.width / 2 + LABEL_GAP, h: badge.height / 2 + LABEL_GAP };
    const centres: Record<LabelAnchor, { x: number; y: number }> = {
      right: { x: r.x + half.w + r.width / 2, y: r.y },
      left: { x: r.x - half.w - r.width / 2, y: r.y },
      top: { x: r.x, y: r.y - half.h - r.height / 2 },
      bottom: { x: r.x, y: r.y + half.h + r.height / 2 },
    };
    for (const anchor of ANCHORS) {
      const rect = rectAt(centres[anchor], r);
      const inside =
        rect.left >= 0 &&
        rect.top >= 0 &&
        rect.right <= bounds.width &&
        rect.bottom <= bounds.height;
      if (!inside || taken.some((t) => overlaps(t, rect))) continue;
      taken.push(rect);
      placed.set(r.id, anchor);
      break;
    }
  }
  return placed;
}
