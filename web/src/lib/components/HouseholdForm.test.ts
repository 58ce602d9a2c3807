import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '$lib/i18n/index.svelte';
import HouseholdForm from './HouseholdForm.svelte';

describe('HouseholdForm', () => {
  beforeEach(() => i18n.set('nl'));

  it('has a label on every input and submits counts only', async () => {
    const onsubmit = vi.fn();
    render(HouseholdForm, { maxPersons: 4, onsubmit, oncancel: vi.fn(), idPrefix: 'h' });
    const adults = screen.getByLabelText('Volwassenen') as HTMLInputElement;
    const children = screen.getByLabelText('Kinderen') as HTMLInputElement;
    expect(adults.value).toBe('1');
    await fireEvent.click(screen.getByRole('button', { name: 'Eén kind meer' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Eén kind meer' }));
    expect(children.value).toBe('2');
    await fireEvent.click(screen.getByTestId('household-submit'));
    expect(onsubmit).toHaveBeenCalledWith({ adults: 1, children: 2 });
  });

  it('refuses an empty household with a message tied to the inputs', async () => {
    const onsubmit = vi.fn();
    render(HouseholdForm, { maxPersons: 4, onsubmit, oncancel: vi.fn(), idPrefix: 'h' });
    await fireEvent.click(screen.getByRole('button', { name: 'Eén volwassene minder' }));
    await fireEvent.click(screen.getByTestId('household-submit'));
    expect(onsubmit).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toContain('minstens één persoon');
    expect(screen.getByLabelText('Volwassenen').getAttribute('aria-describedby')).toBe('h-error');
  });

  it('warns (without blocking) when the household is larger than the unit', async () => {
    render(HouseholdForm, { maxPersons: 1, onsubmit: vi.fn(), oncancel: vi.fn(), idPrefix: 'h' });
    await fireEvent.click(screen.getByRole('button', { name: 'Eén kind meer' }));
    expect(screen.getByRole('status').textContent).toContain('maximaal 1 personen');
  });
});
