import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HIDDEN,
  SMALL,
  sameTotal,
  sumOf,
  suppressFigures,
  type Cell,
  type Equation,
  type FigureInput,
} from './suppression';

/**
 * The reader's side, written apart from the implementation: every value a hidden figure can
 * take in some assignment of all hidden figures that fits every published sum, found by
 * enumerating sums (not by the interval reasoning suppressFigures uses).
 */
function possibleValues(
  figures: Record<string, FigureInput>,
  equations: Equation[],
  cells: Record<string, Cell>,
): Map<string, Set<number>> {
  const cap = Object.values(figures).reduce((s, f) => s + f.value, 0) + 10;
  const domain = (id: string): number[] => {
    const cell = cells[id]!;
    const f = figures[id]!;
    if (typeof cell === 'number') return [cell];
    const [lo, hi] = cell === SMALL ? [0, f.smallMax ?? 4] : [f.hiddenMin ?? 5, cap];
    return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  };
  // Figures in more than one sum (a shared total) are enumerated; the rest per sum.
  const counts = new Map<string, number>();
  for (const e of equations)
    for (const id of [...e.plus, ...e.minus]) counts.set(id, (counts.get(id) ?? 0) + 1);
  const shared = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  const result = new Map<string, Set<number>>();
  const add = (id: string, v: number) => {
    if (!result.has(id)) result.set(id, new Set());
    result.get(id)!.add(v);
  };
  let assignments: Array<Record<string, number>> = [{}];
  for (const id of shared) {
    const next: Array<Record<string, number>> = [];
    for (const a of assignments) for (const v of domain(id)) next.push({ ...a, [id]: v });
    assignments = next;
  }
  for (const fixed of assignments) {
    const dom = (id: string) => (id in fixed ? [fixed[id]!] : domain(id));
    // Per sum: for each figure, the values it can take with the others ranging freely.
    const perEquation = equations.map((e) => {
      const signed = [
        ...e.plus.map((id) => ({ id, values: dom(id) })),
        ...e.minus.map((id) => ({ id, values: dom(id).map((v) => -v) })),
      ];
      const sums = (items: typeof signed) => {
        let reach = new Set([0]);
        for (const item of items) {
          const next = new Set<number>();
          for (const s of reach) for (const v of item.values) next.add(s + v);
          reach = next;
        }
        return reach;
      };
      const feasible = new Map<string, number[]>();
      for (const item of signed) {
        const rest = sums(signed.filter((x) => x !== item));
        feasible.set(
          item.id,
          item.values.filter((v) => rest.has(-v)).map((v) => Math.abs(v)),
        );
      }
      return feasible;
    });
    // This assignment of the shared figures is possible only if every sum can be met.
    if (perEquation.some((f) => [...f.values()].some((values) => values.length === 0))) continue;
    for (const f of perEquation) for (const [id, values] of f) for (const v of values) add(id, v);
  }
  return result;
}

function expectSafe(
  figures: Record<string, FigureInput>,
  equations: Equation[],
  cells: Record<string, Cell>,
) {
  for (const [id, f] of Object.entries(figures)) {
    const cell = cells[id];
    // Every figure from 1-4 households is hidden; a label never lies; a number is exact.
    if (f.households > 0 && f.households < 5) expect(cell, id).toBe(SMALL);
    if (cell === SMALL) expect(f.households, id).toBeLessThan(5);
    else if (cell === HIDDEN) expect(f.households, id).toBeGreaterThanOrEqual(5);
    else expect(cell, id).toBe(f.value);
  }
  const possible = possibleValues(figures, equations, cells);
  for (const [id, values] of possible) {
    if (typeof cells[id] === 'number') continue;
    expect(values.has(figures[id]!.value), `${id} true value is possible`).toBe(true);
    expect(values.size, `${id} (${figures[id]!.value}) cannot be worked out`).toBeGreaterThan(1);
  }
}

/** A count of households per category and their total. */
function householdTable(values: number[], prefix = 'c') {
  const figures: Record<string, FigureInput> = {};
  values.forEach((v, i) => (figures[`${prefix}${i}`] = { value: v, households: v }));
  const total = values.reduce((s, v) => s + v, 0);
  figures[`${prefix}T`] = { value: total, households: total };
  return { figures, equation: sumOf(Object.keys(figures).slice(0, -1), `${prefix}T`) };
}

const count = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 4 }) },
  { weight: 3, arbitrary: fc.integer({ min: 5, max: 12 }) },
);

describe('small-number suppression', () => {
  it('shows a table without small numbers as it is', () => {
    const { figures, equation } = householdTable([12, 0, 7]);
    expect(suppressFigures(figures, [equation])).toEqual({ c0: 12, c1: 0, c2: 7, cT: 19 });
  });

  it('hides a small cell and, so that the total does not give it away, one more', () => {
    const { figures, equation } = householdTable([12, 3, 7]);
    // No zero to hide: the smallest other cell goes, labelled for what it is.
    expect(suppressFigures(figures, [equation])).toEqual({ c0: 12, c1: SMALL, c2: HIDDEN, cT: 22 });
  });

  it('prefers hiding a zero, which costs the reader nothing', () => {
    const { figures, equation } = householdTable([12, 3, 0]);
    expect(suppressFigures(figures, [equation])).toEqual({ c0: 12, c1: SMALL, c2: SMALL, cT: 15 });
  });

  it('does not let two fours in a total of eight give each other away', () => {
    const { figures, equation } = householdTable([4, 4, 0, 9]);
    const cells = suppressFigures(figures, [equation]);
    expect(cells.c2).toBe(SMALL);
    expectSafe(figures, [equation], cells);
  });

  it('hides a total of fewer than 5 households too', () => {
    const { figures, equation } = householdTable([1, 2, 0]);
    expect(suppressFigures(figures, [equation])).toMatchObject({ c0: SMALL, c1: SMALL, cT: SMALL });
  });

  it('property: no small figure is shown or can be worked out from the total', () => {
    fc.assert(
      fc.property(fc.array(count, { minLength: 1, maxLength: 5 }), (values) => {
        const { figures, equation } = householdTable(values);
        expectSafe(figures, [equation], suppressFigures(figures, [equation]));
      }),
      { numRuns: 400 },
    );
  }, 60_000);

  it('property: two tables with one total (occupied by kind and by herkomst) keep each other safe', () => {
    const tables = fc
      .tuple(
        fc.array(count, { minLength: 1, maxLength: 3 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
      )
      .map(([kinds, split]) => {
        const total = kinds.reduce((s, v) => s + v, 0);
        const elsewhere = Math.round(total * split);
        return { kinds, herkomst: [elsewhere, total - elsewhere] };
      });
    fc.assert(
      fc.property(tables, ({ kinds, herkomst }) => {
        const a = householdTable(kinds, 'k');
        const figures = { ...a.figures };
        figures.e0 = { value: herkomst[0]!, households: herkomst[0]! };
        figures.e1 = { value: herkomst[1]!, households: herkomst[1]! };
        const b = sumOf(['e0', 'e1'], 'kT');
        const equations = [a.equation, b, sameTotal(a.equation, b)];
        expectSafe(figures, equations, suppressFigures(figures, equations));
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('property: households and persons of a type are hidden together, and both tables stay safe', () => {
    const rows = fc.array(fc.tuple(count, fc.integer({ min: 1, max: 4 })), {
      minLength: 1,
      maxLength: 4,
    });
    fc.assert(
      fc.property(rows, (rows) => {
        const figures: Record<string, FigureInput> = {};
        rows.forEach(([h, perHousehold], i) => {
          figures[`h${i}`] = { value: h, households: h, group: `t${i}` };
          figures[`p${i}`] = {
            value: h * perHousehold,
            households: h,
            smallMax: 72,
            group: `t${i}`,
          };
        });
        const households = rows.reduce((s, [h]) => s + h, 0);
        const persons = rows.reduce((s, [h, k]) => s + h * k, 0);
        figures.hT = { value: households, households };
        figures.pT = { value: persons, households, smallMax: 72 };
        const hEq = sumOf(
          rows.map((_, i) => `h${i}`),
          'hT',
        );
        const pEq = sumOf(
          rows.map((_, i) => `p${i}`),
          'pT',
        );
        const cells = suppressFigures(figures, [hEq, pEq]);
        rows.forEach((_, i) => expect(typeof cells[`h${i}`]).toBe(typeof cells[`p${i}`]));
        expectSafe(figures, [hEq], cells);
        expectSafe(figures, [pEq], cells);
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('property: nights per month from few households cannot be worked out from the year', () => {
    const months = fc.array(
      count.chain((h) =>
        fc.integer({ min: h, max: Math.max(h, Math.min(31 * h, 40)) }).map((n) => [h, n] as const),
      ),
      { minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(months, (months) => {
        const figures: Record<string, FigureInput> = {};
        months.forEach(
          ([h, n], i) => (figures[`m${i}`] = { value: n, households: h, smallMax: 124 }),
        );
        const nights = months.reduce((s, [, n]) => s + n, 0);
        // Households over the year: at least the busiest month's, at most all of them.
        const households = Math.max(0, ...months.map(([h]) => h));
        figures.year = { value: nights, households, smallMax: 4 * 366 };
        const equation = sumOf(
          months.map((_, i) => `m${i}`),
          'year',
        );
        expectSafe(figures, [equation], suppressFigures(figures, [equation]));
      }),
      { numRuns: 200 },
    );
  }, 60_000);
});
