import { render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import { i18n } from '$lib/i18n/index.svelte';
import ConnectionIndicator from './ConnectionIndicator.svelte';

describe('ConnectionIndicator', () => {
  beforeEach(() => i18n.set('nl'));

  it('says the state in words inside a polite live region, with the last update time', () => {
    const lastUpdateAt = new Date();
    lastUpdateAt.setHours(3, 12, 0, 0);
    render(ConnectionIndicator, { status: 'reconnecting', lastUpdateAt });
    const status = screen.getByTestId('connection-status');
    expect(status.getAttribute('role')).toBe('status');
    expect(status.getAttribute('aria-live')).toBe('polite');
    expect(status.dataset.state).toBe('reconnecting');
    expect(status.textContent).toContain('Opnieuw verbinden…');
    expect(status.textContent).toContain('bijgewerkt 03:12');
  });

  it('shows Live and Offline', async () => {
    const { rerender } = render(ConnectionIndicator, { status: 'live', lastUpdateAt: null });
    expect(screen.getByTestId('connection-status').textContent).toContain('Live');
    await rerender({ status: 'offline', lastUpdateAt: null });
    expect(screen.getByTestId('connection-status').textContent).toContain('Offline');
  });
});
