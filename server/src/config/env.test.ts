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

  it('takes PUBLIC_ORIGIN as a comma-separated list of origins and refuses anything else', () => {
    expect(loadConfig({}).publicOrigins).toEqual([]);
    expect(
      loadConfig({ PUBLIC_ORIGIN: 'https://opvang.example, https://Live.Opvang.example:8443/' })
        .publicOrigins,
    ).toEqual(['https://opvang.example', 'https://live.opvang.example:8443']);
    for (const bad of ['opvang.example', 'https://opvang.example/app', 'ftp://x.example', ',']) {
      expect(() => loadConfig({ PUBLIC_ORIGIN: bad }), bad).toThrow(/PUBLIC_ORIGIN/);
    }
  });

  it('believes a proxy only when TRUST_PROXY names it', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toBe(
      '10.0.0.0/8, 127.0.0.1',
    );
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.local' })).toThrow(/TRUST_PROXY/);
  });

  it('keeps the live heartbeat under the web watchdog', () => {
    expect(loadConfig({ LIVE_HEARTBEAT_SECONDS: '3' }).liveHeartbeatMs).toBe(3000);
    expect(() => loadConfig({ LIVE_HEARTBEAT_SECONDS: '3.5' })).toThrow(
      /LIVE_HEARTBEAT_SECONDS: at most 3/,
    );
  });

  it('stops with a line per wrong variable', () => {
    expect(() => loadConfig({ PORT: 'abc', DATABASE_URL: 'nope' })).toThrow(
      /PORT[\s\S]*DATABASE_URL|DATABASE_URL[\s\S]*PORT/,
    );
  });
});
