import { describe, expect, it } from 'vitest';
import { en } from './en';
import { i18n, t, tp, translate } from './index.svelte';
import { nl, type MessageKey } from './nl';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dictionaries', () => {
  it('has every Dutch key in English and no extra ones', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(nl).sort());
  });

  it('has no empty texts', () => {
    for (const dict of [nl, en]) {
      for (const [key, text] of Object.entries(dict)) expect(text.trim(), key).not.toBe('');
    }
  });

  it('uses the same placeholders in both languages', () => {
    for (const key of Object.keys(nl) as MessageKey[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(nl[key]));
    }
  });

  it('has both plural forms for every plural key', () => {
    const keys = Object.keys(nl);
    for (const key of keys.filter((k) => k.endsWith('.one'))) {
      expect(keys, key).toContain(key.replace(/\.one$/, '.other'));
    }
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('nl', 'hold.until', { time: '03:40' })).toBe('tot 03:40');
    expect(translate('en', 'hold.until')).toBe('until {time}');
  });

  it('follows the chosen language and stores it', () => {
    i18n.set('en');
    expect(t('nav.map')).toBe('Map');
    expect(document.documentElement.lang).toBe('en');
    expect(localStorage.getItem('opvangatlas.lang')).toBe('en');
    expect(tp('panel.free', 1)).toBe('1 free place');
    i18n.set('nl');
    expect(tp('panel.free', 2)).toBe('2 vrije plekken');
    expect(tp('panel.free', 0)).toBe('0 vrije plekken');
    i18n.init();
    expect(i18n.lang).toBe('nl');
  });
});
