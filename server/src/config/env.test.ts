import { describe, expect, it } from 'vitest';
import { loadConfig } from './env';

describe('loadConfig', () => {
  it('runs on the embedded defaults without any environment', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      redisUrl: undefined,
      holdMinutes: 60,
      demo: true,
    });
  });

  it('never enables demo data in production', () => {
    expect(loadConfig({ NODE_ENV: 'production', DEMO: 'true' }).demo).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production' }).cookieSecure).toBe(true);
  });

  it('takes the first administrator only with both e-mail and password', () => {
    expect(
      loadConfig({ ADMIN_EMAIL: 'beheer@vo.nl', ADMIN_PASSWORD: 'lang-genoeg-wachtwoord' }).admin,
    ).toEqual({
      email: 'beheer@vo.nl',
      password: 'lang-genoeg-wachtwoord',
    });
    expect(() => loadConfig({ ADMIN_EMAIL: 'beheer@vo.nl' })).toThrow(/go together/);
    expect(() => loadConfig({ ADMIN_EMAIL: 'beheer@vo.nl', ADMIN_PASSWORD: 'kort' })).toThrow(
      /ADMIN_PASSWORD/,
    );
  });

  it('stops with a line per wrong variable', () => {
    expect(() => loadConfig({ PORT: 'abc', DATABASE_URL: 'nope' })).toThrow(
      /PORT[\s\S]*DATABASE_URL|DATABASE_URL[\s\S]*PORT/,
    );
  });
});
