import {
  AlertRuleSet,
  MonitorFigures,
  PressureBoard,
  PressureSeries,
  type AlertRule,
  type MonitorQuery,
  type PressureSeriesQuery,
} from '@opvangatlas/shared';
import type { Json } from '$lib/api';

/** Druk (`api.pressure`): the table now and the occupancy history, parsed with their schemas. */
export function pressureApi(json: Json) {
  return {
    board: (signal?: AbortSignal) => json(PressureBoard, '/api/pressure', { signal }),
    history(query: Partial<PressureSeriesQuery>, signal?: AbortSignal) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
      return json(PressureSeries, `/api/pressure/history?${params}`, { signal });
    },
    /** The signed-in coordinator's alert thresholds (coordinators only). */
    alertRules: (signal?: AbortSignal) =>
      json(AlertRuleSet, '/api/pressure/alert-rules', { signal }),
    saveAlertRules: (rules: AlertRule[]) =>
      json(AlertRuleSet, '/api/pressure/alert-rules', { method: 'PUT', body: { rules } }),
    monitor: (query: MonitorQuery, signal?: AbortSignal) =>
      json(MonitorFigures, `/api/monitor?${monitorParams(query)}`, { signal }),
  };
}

/** `year=2025&regionId=12`: the monitor's query, for the JSON and the CSV link alike. */
export function monitorParams(query: MonitorQuery): string {
  const params = new URLSearchParams({ year: String(query.year) });
  if (query.regionId !== undefined) params.set('regionId', String(query.regionId));
  return params.toString();
}
