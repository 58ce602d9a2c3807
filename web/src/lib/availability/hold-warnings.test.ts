import { describe, expect, it } from 'vitest';
import { holdStage, stageToAnnounce } from './hold-warnings';

const min = 60_000;

describe('hold warnings', () => {
  it('warns at 10 and 2 minutes and when the hold has ended', () => {
    expect(holdStage(30 * min)).toBe('ok');
    expect(holdStage(10 * min + 1)).toBe('ok');
    expect(holdStage(10 * min)).toBe('ten');
    expect(holdStage(2 * min + 1)).toBe('ten');
    expect(holdStage(2 * min)).toBe('two');
    expect(holdStage(1)).toBe('two');
    expect(holdStage(0)).toBe('expired');
    expect(holdStage(-5 * min)).toBe('expired');
  });

  it('announces each stage once, onwards only (an extension is not a warning)', () => {
    expect(stageToAnnounce(null, 'ok')).toBeNull();
    expect(stageToAnnounce(null, 'ten')).toBe('ten');
    expect(stageToAnnounce('ok', 'ten')).toBe('ten');
    expect(stageToAnnounce('ten', 'ten')).toBeNull();
    expect(stageToAnnounce('ten', 'two')).toBe('two');
    expect(stageToAnnounce('two', 'expired')).toBe('expired');
    expect(stageToAnnounce('two', 'ok')).toBeNull();
    expect(stageToAnnounce('two', 'ten')).toBeNull();
  });
});
