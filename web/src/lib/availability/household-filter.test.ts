import { describe, expect, it } from 'vitest';
import { HOUSEHOLD_STORAGE_KEY, initialHousehold, keepHousehold } from './household-filter';

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    items,
  };
}

describe('household filter kept on the device', () => {
  it('starts from the default without URL or storage', () => {
    expect(initialHousehold(new URL('http://x/noodbed'), memoryStorage())).toEqual({
      adults: 1,
      children: 0,
      mannenopvang: false,
      wheelchair: false,
    });
  });

  it('keeps a household in storage and the URL, and the next page starts with it', () => {
    const storage = memoryStorage();
    const url = keepHousehold(
      { adults: 1, children: 3, mannenopvang: false, wheelchair: true },
      new URL('http://x/noodbed?tab=1'),
      storage,
    );
    expect(url.search).toBe('?tab=1&volwassenen=1&kinderen=3&rolstoel=1');
    expect(initialHousehold(url, memoryStorage()).children).toBe(3);
    // Another page without parameters: from the device.
    expect(initialHousehold(new URL('http://x/'), storage)).toEqual({
      adults: 1,
      children: 3,
      mannenopvang: false,
      wheelchair: true,
    });
  });

  it('prefers the URL over storage and repairs bad values from either', () => {
    const storage = memoryStorage();
    storage.setItem(HOUSEHOLD_STORAGE_KEY, JSON.stringify({ adults: 2, children: 99 }));
    expect(initialHousehold(new URL('http://x/'), storage)).toMatchObject({
      adults: 2,
      children: 12,
    });
    expect(
      initialHousehold(new URL('http://x/?kinderen=-4&volwassenen=abc'), storage),
    ).toMatchObject({ adults: 0, children: 0 });
    storage.setItem(HOUSEHOLD_STORAGE_KEY, '{not json');
    expect(initialHousehold(new URL('http://x/'), storage).adults).toBe(1);
  });
});
