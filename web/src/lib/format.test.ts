import { describe, expect, it } from 'vitest';
import { formatCountdown, formatDistance, formatPercent, formatRelative } from './format';

describe('formatCountdown', () => {
  it('shows minutes and seconds', () => {
    expect(formatCountdown(14 * 60_000 + 5_000)).toBe('14:05');
    expect(formatCountdown(59_000)).toBe('0:59');
  });

  it('rounds up partial seconds, so 0:00 only shows when the hold has ended', () => {
    expect(formatCountdown(400)).toBe('0:01');
    expect(formatCountdown(0)).toBe('0:00');
  });

  it('never goes negative', () => {
    expect(formatCountdown(-5_000)).toBe('0:00');
  });

  it('adds hours above an hour', () => {
    expect(formatCountdown(3_723_000)).toBe('1:02:03');
  });
});

describe('formatRelative', () => {
  const now = new Date('2025-03-03T03:00:00Z');
  it('says how long ago in the chosen language', () => {
    expect(formatRelative('2025-03-03T00:00:00Z', now, 'nl')).toBe('3 uur geleden');
    expect(formatRelative('2025-03-03T00:00:00Z', now, 'en')).toBe('3 hours ago');
    expect(formatRelative('2025-03-03T02:40:00Z', now, 'nl')).toBe('20 minuten geleden');
    expect(formatRelative('2025-03-01T03:00:00Z', now, 'en')).toBe('2 days ago');
  });
});

describe('formatDistance and formatPercent', () => {
  it('format numbers per locale', () => {
    expect(formatDistance(1234.4, 'nl')).toBe('1.234 km');
    expect(formatDistance(1234.4, 'en')).toBe('1,234 km');
    expect(formatPercent(0.914, 'en')).toBe('91%');
  });
});
