import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '$lib/i18n/index.svelte';
import { makeLocation, makeUnit, NOW, regions } from '$lib/testing/fixtures';
import UnitCard from './UnitCard.svelte';

const item = (unit = makeUnit({ id: 5, maxPersons: 4, wheelchair: true, largeFamily: true })) => ({
  unit,
  location: makeLocation({ id: 10, name: 'Huis aan de Maas', organisationName: 'Arosa' }),
  region: regions[0]!,
  distanceKm: 20.5,
  freshness: 'fresh' as const,
});

const props = (over: Record<string, unknown> = {}) => ({
  item: item(),
  heldByMe: false,
  own: false,
  busy: false,
  now: NOW,
  onhold: vi.fn(),
  onrelease: vi.fn(),
  ...over,
});

describe('UnitCard', () => {
  beforeEach(() => i18n.set('nl'));
  afterEach(() => vi.useRealTimers());

  it('shows region, location, organisation, persons, flags and freshness, never an address', () => {
    const { container } = render(UnitCard, props());
    const card = screen.getByTestId('noodbed-card');
    expect(card.dataset.unitId).toBe('5');
    expect(card.textContent).toContain('Rotterdam');
    expect(card.textContent).toContain('21 km');
    expect(screen.getByRole('heading', { name: 'Huis aan de Maas' })).toBeTruthy();
    expect(card.textContent).toContain('Arosa');
    expect(card.textContent).toContain('tot 4 personen');
    expect(card.textContent).toContain('Rolstoel');
    expect(card.textContent).toContain('Groot gezin');
    expect(card.textContent).not.toContain('Mannenopvang');
    expect(screen.getByTestId('freshness').dataset.level).toBe('fresh');
    expect(container.innerHTML).not.toMatch(/straat|postcode/i);
  });

  it('calls onhold with the unit id from the large "Vasthouden" button', async () => {
    const p = props();
    render(UnitCard, p);
    const button = screen.getByTestId('hold-button');
    expect(button.textContent).toContain('Vasthouden');
    await fireEvent.click(button);
    expect(p.onhold).toHaveBeenCalledWith(5);
  });

  it('shows a live countdown and "Vrijgeven" for a unit held by the own organisation', async () => {
    vi.useFakeTimers({ now: NOW });
    const held = makeUnit({
      id: 5,
      status: 'held',
      heldByOrganisationId: 100,
      heldUntil: new Date(NOW.getTime() + 15 * 60_000).toISOString(),
    });
    const p = props({ item: item(held), heldByMe: true });
    render(UnitCard, p);
    expect(screen.queryByTestId('hold-button')).toBeNull();
    const countdown = screen.getByTestId('hold-countdown');
    expect(countdown.textContent).toContain('15:00');
    await vi.advanceTimersByTimeAsync(61_000);
    expect(countdown.textContent).toContain('13:59');
    await fireEvent.click(screen.getByTestId('release-button'));
    expect(p.onrelease).toHaveBeenCalledWith(5);
  });

  it('says the hold has expired once heldUntil has passed', async () => {
    vi.useFakeTimers({ now: NOW });
    const held = makeUnit({
      id: 5,
      status: 'held',
      heldByOrganisationId: 100,
      heldUntil: new Date(NOW.getTime() + 2_000).toISOString(),
    });
    render(UnitCard, props({ item: item(held), heldByMe: true }));
    await vi.advanceTimersByTimeAsync(3_000);
    expect(screen.getByTestId('hold-countdown').textContent).toContain('verlopen');
  });

  it('switches language without reload', async () => {
    render(UnitCard, props());
    i18n.set('en');
    await Promise.resolve();
    expect(screen.getByTestId('hold-button').textContent).toContain('Hold');
    i18n.set('nl');
  });

  it('offers the intake line as a tap-to-call link, on the card and prominently on a hold', () => {
    const { unmount } = render(UnitCard, props());
    const link = screen.getByTestId('intake-phone');
    expect(link.getAttribute('href')).toBe('tel:+31881234567');
    expect(link.textContent).toContain('088-123 45 67');
    unmount();
    const held = makeUnit({
      id: 5,
      status: 'held',
      heldUntil: new Date(NOW.getTime() + 3e6).toISOString(),
    });
    render(UnitCard, props({ item: { ...item(held) }, heldByMe: true }));
    expect(screen.getByTestId('intake-phone').textContent).toContain('Bel nu de intake');
  });
});
