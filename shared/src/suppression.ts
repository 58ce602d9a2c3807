import { z } from 'zod';

/**
 * Small-number suppression for everything a municipality sees (DOMAIN.md: "Small numbers in
 * exports and public views are suppressed"). A figure computed from 1 to 4 households is
 * never shown: it reads "<5". Totals stay exact and consistent, so a hidden figure must not
 * come back by subtraction: where it would, more figures are hidden (secondary suppression).
 *
 * A shown figure is its number. A hidden one is a label that tells the truth about it:
 * - `<5`: computed from fewer than 5 households (1-4, or 0 when a zero is hidden to protect
 *   a small figure next to it);
 * - `x`: computed from 5 or more households, hidden only to protect a small figure elsewhere.
 *
 * Zero is shown as 0: there is no household to protect. A figure that is not a count of
 * households (persons, nights) is judged by the households it comes from.
 */
export const SUPPRESSION_THRESHOLD = 5;
export const SMALL = '<5';
export const HIDDEN = 'x';
export const SuppressedLabel = z.enum([SMALL, HIDDEN]);
export type SuppressedLabel = z.infer<typeof SuppressedLabel>;

/** A figure as a municipality may see it: the number, or why it is not shown. */
export const Cell = z.union([z.number(), SuppressedLabel]);
export type Cell = z.infer<typeof Cell>;

export const isShown = (cell: Cell | null): cell is number => typeof cell === 'number';

export interface FigureInput {
  value: number;
  /** The number of households the figure is computed from. */
  households: number;
  /**
   * The largest value a figure from fewer than 5 households can take, as anyone reading the
   * tables can tell: 4 for a count of households (the default), 4 x 18 persons, 4 x 31 nights.
   */
  smallMax?: number;
  /** The smallest value a figure from 5 or more households can take (default 5). */
  hiddenMin?: number;
  /**
   * Figures of one group are shown or hidden together: the households and the persons of
   * one type of overflow place, so that neither table can be used to open the other.
   */
  group?: string;
}

/** A sum that holds between published figures: the `plus` figures add up to the `minus` ones. */
export interface Equation {
  plus: readonly string[];
  minus: readonly string[];
}

/** Cells that add up to a total. */
export const sumOf = (cells: readonly string[], total: string): Equation => ({
  plus: cells,
  minus: [total],
});

/**
 * Two tables with the same total (occupied places by kind, and by herkomst): their cells add
 * up to each other, whether or not the total itself is shown.
 */
export const sameTotal = (a: Equation, b: Equation): Equation => ({
  plus: a.plus,
  minus: b.plus,
});

interface Range {
  lo: number;
  hi: number;
}

/** What a reader knows of a figure from how it is shown. */
function rangeOf(figure: FigureInput, cell: Cell): Range {
  if (typeof cell === 'number') return { lo: cell, hi: cell };
  if (cell === SMALL) return { lo: 0, hi: figure.smallMax ?? SUPPRESSION_THRESHOLD - 1 };
  return { lo: figure.hiddenMin ?? SUPPRESSION_THRESHOLD, hi: Infinity };
}

/**
 * The values a hidden figure can still take, given the shown figures, the labels of the
 * hidden ones and one sum they are part of (a reader doing the subtraction). Ranges of whole
 * numbers add up to a range, so the bounds are exact.
 */
export function feasibleRange(
  id: string,
  equation: Equation,
  figures: Readonly<Record<string, FigureInput>>,
  cells: Readonly<Record<string, Cell>>,
): Range {
  const side = equation.plus.includes(id) ? 'plus' : 'minus';
  const same = (side === 'plus' ? equation.plus : equation.minus).filter((f) => f !== id);
  const other = side === 'plus' ? equation.minus : equation.plus;
  const sum = (ids: readonly string[]) =>
    ids.reduce(
      (s, f) => {
        const r = rangeOf(figures[f]!, cells[f]!);
        return { lo: s.lo + r.lo, hi: s.hi + r.hi };
      },
      { lo: 0, hi: 0 },
    );
  const o = sum(other);
  const s = sum(same);
  const own = rangeOf(figures[id]!, cells[id]!);
  // Only lower bounds are finite for sure, so no Infinity - Infinity here.
  return { lo: Math.max(own.lo, o.lo - s.hi), hi: Math.min(own.hi, o.hi - s.lo) };
}

/** A hidden figure is safe when a reader is left with at least two possible values. */
const protectedIn = (r: Range) => r.hi - r.lo >= 1;

/**
 * The hidden figures a reader can still pin down by combining every published sum, not one
 * at a time as suppressFigures() does: the bounds of each figure narrowed through all
 * equations until nothing changes. Used to check a table whose sums chain (a kind's figures
 * bounded by its places, and the kinds by their total).
 */
export function pinnedFigures(
  figures: Readonly<Record<string, FigureInput>>,
  equations: readonly Equation[],
  cells: Readonly<Record<string, Cell>>,
): string[] {
  const range: Record<string, Range> = {};
  for (const id of Object.keys(figures)) range[id] = rangeOf(figures[id]!, cells[id]!);
  const sum = (ids: readonly string[]) =>
    ids.reduce((s, id) => ({ lo: s.lo + range[id]!.lo, hi: s.hi + range[id]!.hi }), {
      lo: 0,
      hi: 0,
    });
  for (let changed = true, round = 0; changed && round < 100; round++) {
    changed = false;
    for (const e of equations) {
      for (const id of [...e.plus, ...e.minus]) {
        const plusSide = e.plus.includes(id);
        const same = sum((plusSide ? e.plus : e.minus).filter((f) => f !== id));
        const other = sum(plusSide ? e.minus : e.plus);
        const r = range[id]!;
        const lo = Math.max(r.lo, other.lo - same.hi);
        const hi = Math.min(r.hi, other.hi - same.lo);
        if (lo > r.lo || hi < r.hi) {
          range[id] = { lo, hi };
          changed = true;
        }
      }
    }
  }
  return Object.keys(figures).filter(
    (id) => typeof cells[id] !== 'number' && !protectedIn(range[id]!),
  );
}

/**
 * Which figures to show and which to hide. Every figure from 1-4 households is hidden
 * (primary suppression). Then, as long as some hidden figure could be worked out from a sum
 * it is part of, one more figure of that sum is hidden: a zero if there is one (it costs the
 * reader nothing), else the smallest, a total only when no cell is left (secondary
 * suppression). Pure: the same figures give the same cells on server, web and in exports.
 */
export function suppressFigures(
  figures: Readonly<Record<string, FigureInput>>,
  equations: readonly Equation[],
): Record<string, Cell> {
  const threshold = SUPPRESSION_THRESHOLD;
  const cells: Record<string, Cell> = {};
  const groups = new Map<string, string[]>();
  for (const [id, f] of Object.entries(figures)) {
    cells[id] = f.value;
    if (f.group) groups.set(f.group, [...(groups.get(f.group) ?? []), id]);
  }
  const hide = (id: string) => {
    const group = figures[id]!.group;
    for (const member of group ? groups.get(group)! : [id]) {
      cells[member] = figures[member]!.households < threshold ? SMALL : HIDDEN;
    }
  };
  for (const [id, f] of Object.entries(figures)) {
    if (f.households > 0 && f.households < threshold) hide(id);
  }

  const exhausted = new Set<number>();
  for (let guard = 0; guard <= Object.keys(figures).length + equations.length; guard++) {
    const open = equations.findIndex(
      (e, i) =>
        !exhausted.has(i) &&
        [...e.plus, ...e.minus].some(
          (id) =>
            typeof cells[id] !== 'number' && !protectedIn(feasibleRange(id, e, figures, cells)),
        ),
    );
    if (open < 0) break;
    const equation = equations[open]!;
    // Cells before totals (a total is the one figure on its side), zeros first, then the smallest.
    const isTotal = (id: string) =>
      equation.minus.length === 1 && equation.minus[0] === id && equation.plus.length > 1;
    const candidates = [...equation.plus, ...equation.minus]
      .filter((id) => typeof cells[id] === 'number')
      .sort(
        (a, b) =>
          Number(isTotal(a)) - Number(isTotal(b)) ||
          figures[a]!.value - figures[b]!.value ||
          a.localeCompare(b),
      );
    const next = candidates[0];
    if (next === undefined) exhausted.add(open);
    else hide(next);
  }
  return cells;
}
