import { describe, expect, it } from 'vitest';
import { passesElfproef, screenNote } from './pii-screen';

const now = new Date('2026-11-23T03:00:00Z');

describe('screenNote', () => {
  it.each([
    ['BSN 111222333', 'bsn'],
    ['bsn: 1112.22.333', 'bsn'],
    ['geboren 12-03-1990', 'birth_date'],
    ['kind 3/4/2019', 'birth_date'],
    ['moeder, 1 maart 1988', 'birth_date'],
    ['geb. onbekend', 'birth_date'],
    ['1985-07-30', 'birth_date'],
    ['bel 06-12345678', 'phone'],
    ['tel +31 6 1234 5678', 'phone'],
    ['010 1234567 na tienen', 'phone'],
    ['mail naar j.jansen@example.nl', 'email'],
    ['woonde op 3011 AB', 'postcode'],
    ['3011ab', 'postcode'],
    ['was op de Lindelaan 12', 'street'],
    ['Hoofdstraat 1a', 'street'],
  ])('refuses %j as %s', (text, issue) => {
    expect(screenNote(text, now)).toBe(issue);
  });

  it.each([
    'Moeder met 3 kinderen (2, 5 en 9 jaar), spreekt Arabisch en wat Engels',
    'Hond mee, klein. Code rood sinds 2024.',
    'Komt op 24-11-2026 rond 22:00 met de politie',
    'Kamer op de 2e etage graag, 1 rolstoel',
    'Kan niet naar Rotterdam of Den Haag: familie van pleger woont daar',
    '123456789 is geen bsn',
    'Tussen 1000 en 1200 euro schulden',
    '',
  ])('lets %j through', (text) => {
    expect(screenNote(text, now)).toBeNull();
  });

  it('checks the elfproef', () => {
    expect(passesElfproef('111222333')).toBe(true);
    expect(passesElfproef('123456782')).toBe(true);
    expect(passesElfproef('123456789')).toBe(false);
    expect(passesElfproef('000000000')).toBe(false);
  });
});
