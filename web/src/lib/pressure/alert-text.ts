import type { AlertRule, PressureAlert } from '@opvangatlas/shared';
import { t } from '$lib/i18n/index.svelte';
import { kindLabel } from '$lib/labels';

/** Where an alert leads: the region on Druk, or the late stays on Niet-regulier. */
export function alertLink(alert: PressureAlert): {
  path: '/druk' | '/niet-regulier';
  search: string;
} {
  return alert.rule.type === 'overdue_check_in'
    ? { path: '/niet-regulier', search: '' }
    : { path: '/druk', search: `?regio=${alert.regionId}` };
}

/** The rule in words, for the list of rules. */
export function ruleText(rule: AlertRule, region: string): string {
  switch (rule.type) {
    case 'occupancy':
      return t('druk.rules.occupancyRule', {
        region,
        kind: rule.kind === null ? t('druk.chart.total') : t(kindLabel[rule.kind]),
        percent: rule.percent,
      });
    default:
      return `${t(`druk.rules.type.${rule.type}`)} · ${region}`;
  }
}

export function alertText(alert: PressureAlert, region: string): string {
  const { rule, value } = alert;
  switch (rule.type) {
    case 'occupancy':
      return t('druk.alert.occupancy', {
        region,
        kind: rule.kind === null ? t('druk.chart.total') : t(kindLabel[rule.kind]),
        value,
        percent: rule.percent,
      });
    case 'acute_short':
      return t('druk.alert.acute_short', { region, value });
    case 'request_escalated':
      return t('druk.alert.request_escalated', { region, value });
    case 'overdue_check_in':
      return t('druk.alert.overdue_check_in', { region, value });
  }
}
