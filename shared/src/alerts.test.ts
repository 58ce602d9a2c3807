import { describe, expect, it } from 'vitest';
import { AlertRules, evaluateAlerts, stepAlerts, type AlertMemory, type AlertRule } from './alerts';
import { kindPressure, type PressureRow } from './pressure';

/** A region's row with crisis occupancy `taken`/100 and `free` free noodbedden (of 4). */
function row(
  regionId: number,
  over: { taken?: number; free?: number } & Partial<PressureRow> = {},
) {
  const { taken = 80, free = 2, ...rest } = over;
  const crisis = kindPressure(100, taken);
  const noodbed = kindPressure(4, 4 - free);
  return {
    regionId,
    kinds: {
      noodbed,
      crisis,
      vervolg: kindPressure(0, 0),
      geen_onderscheid: kindPressure(0, 0),
    },
    total: kindPressure(104, taken + 4 - free),
    freeNoodbedden: free,
    acuteShort: free < 2,
    openRequests: 0,
    escalatedRequests: 0,
    maxEscalation: 0,
    medianPlacementMinutes: null,
    overflowHouseholds: 0,
    overdueCheckIns: 0,
    waiting: 0,
    nonPlacements: 0,
    dataState: 'fresh',
    lastConfirmedAt: null,
    ...rest,
  } satisfies PressureRow;
}

/** Runs the rules over a sequence of tables; the alerts pushed at each step. */
function run(rules: AlertRule[], steps: PressureRow[][]) {
  let raised = new Set<string>();
  return steps.map((rows) => {
    const r = evaluateAlerts(rules, rows, raised);
    raised = r.raised;
    return r.fired.map((f) => `${f.rule.id}:${f.regionId}:${f.value}`);
  });
}

const crisis95: AlertRule = {
  id: 'c95',
  type: 'occupancy',
  regionId: null,
  kind: 'crisis',
  percent: 95,
};

describe('pressure alerts', () => {
  it('alerts once when occupancy crosses the threshold, not again while it flaps around it', () => {
    const steps = [80, 95, 94, 96, 91, 97, 89, 95, 100].map((taken) => [row(1, { taken })]);
    expect(run([crisis95], steps)).toEqual([
      [],
      ['c95:1:95'],
      [], // 94: within the 5 points of hysteresis, still raised
      [],
      [],
      [],
      [], // 89: below 90, cleared
      ['c95:1:95'], // a new crossing
      [],
    ]);
  });

  it('alerts on fewer than 2 free noodbedden and clears only at 3', () => {
    const rule: AlertRule = { id: 'a', type: 'acute_short', regionId: 7 };
    const steps = [3, 1, 2, 1, 0, 3, 1].map((free) => [row(7, { free }), row(8, { free: 0 })]);
    expect(run([rule], steps)).toEqual([[], ['a:7:1'], [], [], [], [], ['a:7:1']]);
  });

  it('alerts per region, each on its own crossing, for every region when none is chosen', () => {
    const steps = [
      [row(1, { taken: 90 }), row(2, { taken: 96 })],
      [row(1, { taken: 96 }), row(2, { taken: 99 })],
      [row(1, { taken: 88 }), row(2, { taken: 80 })],
      [row(1, { taken: 96 }), row(2, { taken: 80 })],
    ];
    expect(run([crisis95], steps)).toEqual([['c95:2:96'], ['c95:1:96'], [], ['c95:1:96']]);
  });

  it('counts escalated requests and late check-ins from none to some', () => {
    const rules: AlertRule[] = [
      { id: 'e', type: 'request_escalated', regionId: null },
      { id: 'o', type: 'overdue_check_in', regionId: null },
    ];
    const steps = [
      [row(1)],
      [row(1, { escalatedRequests: 1, overdueCheckIns: 2 })],
      [row(1, { escalatedRequests: 2, overdueCheckIns: 1 })],
      [row(1, { escalatedRequests: 0, overdueCheckIns: 1 })],
      [row(1, { escalatedRequests: 1, overdueCheckIns: 0 })],
    ];
    expect(run(rules, steps)).toEqual([[], ['e:1:1', 'o:1:2'], [], [], ['e:1:1']]);
  });

  it('keeps its state while a region has no recent data: stale is not full, nor empty', () => {
    const steps = [
      [row(1, { taken: 96 })],
      [row(1, { taken: 10, dataState: 'no_recent_data' })],
      [row(1, { taken: 96 })],
      [row(1, { taken: 50, dataState: 'no_recent_data' })],
      [row(1, { taken: 50 })],
      [row(1, { taken: 96, dataState: 'no_recent_data' })],
    ];
    expect(run([crisis95], steps)).toEqual([['c95:1:96'], [], [], [], [], []]);
  });

  it('remembers across reloads: a crossing alerts once, a new rule or device starts from now', () => {
    const empty: AlertMemory = { raised: [], ruleIds: [] };
    // First start (or a new device): the region already above 95% is the baseline.
    const first = stepAlerts([crisis95], [row(1, { taken: 96 }), row(2)], empty);
    expect(first.fired).toEqual([]);
    // A reload with the stored memory while still above: nothing again.
    const reload = stepAlerts([crisis95], [row(1, { taken: 97 }), row(2)], first.memory);
    expect(reload.fired).toEqual([]);
    // Region 2 crosses while the page was closed: the next start tells it, once.
    const crossed = stepAlerts([crisis95], [row(1, { taken: 97 }), row(2, { taken: 99 })], {
      ...reload.memory,
    });
    expect(crossed.fired.map((f) => f.regionId)).toEqual([2]);
    const again = stepAlerts(
      [crisis95],
      [row(1, { taken: 97 }), row(2, { taken: 99 })],
      crossed.memory,
    );
    expect(again.fired).toEqual([]);
    // A rule added later takes the state then as its baseline; a removed one is forgotten.
    const noodbed: AlertRule = { id: 'n', type: 'acute_short', regionId: 1 };
    const added = stepAlerts([noodbed], [row(1, { free: 0 })], again.memory);
    expect(added.fired).toEqual([]);
    expect(added.memory).toEqual({ raised: ['n:1'], ruleIds: ['n'] });
  });

  it('refuses a rule set that names a rule twice, at the duplicate', () => {
    const parsed = AlertRules.safeParse([crisis95, { ...crisis95, percent: 90 }]);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual([1, 'id']);
  });
});
