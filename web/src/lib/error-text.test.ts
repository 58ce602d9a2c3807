import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, createApi } from './api';
import { errorText } from './error-text';
import { i18n } from './i18n/index.svelte';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** The error the api client makes of a response. */
const errorOf = (status: number, body: unknown) =>
  createApi(async () => json(status, body))
    .regions()
    .catch((e: unknown) => e);

afterEach(() => i18n.set('nl'));

describe('errorText', () => {
  it('says what the code means in the chosen language, never the server’s Dutch message', async () => {
    const err = await errorOf(409, {
      error: 'conflict',
      code: 'hold_limit_user',
      message: 'Je houdt al 3 ruimtes vast (maximaal 3); laat er eerst een los',
      params: { held: 3, max: 3 },
    });
    expect(errorText(err)).toBe('Je houdt al 3 ruimtes vast (maximaal 3). Laat er eerst een los.');
    i18n.set('en');
    expect(errorText(err)).toBe('You already hold 3 units (at most 3). Release one first.');
  });

  it('says a validation error through its first field, with the field’s numbers', async () => {
    const err = await errorOf(400, {
      error: 'validation',
      code: 'validation',
      message: 'Het huishouden past niet in deze ruimte',
      fields: [
        {
          path: 'household',
          code: 'household_too_large',
          message: 'Deze ruimte is voor maximaal 4 personen',
          params: { max: 4 },
        },
      ],
    });
    i18n.set('en');
    expect(errorText(err)).toBe('This unit is for at most 4 persons.');
  });

  it('knows an error by its category when the body has no code, and the client’s own', async () => {
    expect(errorText(await errorOf(403, { error: 'forbidden', message: 'Geen toegang' }))).toBe(
      'Je hebt geen toegang tot deze gegevens.',
    );
    expect(errorText(new ApiError(0, 'network', 'Failed to fetch'))).toBe(
      'Geen verbinding met de server. Probeer het opnieuw.',
    );
    expect(errorText(new Error('boom'))).toBe('Er ging iets mis. Probeer het opnieuw.');
  });
});
