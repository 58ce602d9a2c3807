import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { findSecrets } from '../support/log-audit';
import { LOG_DIR, readRun } from '../support/log-capture';

/**
 * Runs after every other project (vitest.config.ts, groupOrder 1) and reads the logs every
 * test server wrote during the run, in-process apps and server processes alike: no password,
 * session token, e-mail address or query parameter in any of them. The canaries of
 * test/integration/log-canary.test.ts must be absent, and their request ids present (so the
 * capture itself worked).
 */
const run = readRun();

afterAll(() => {
  rmSync(LOG_DIR, { recursive: true, force: true });
});

describe.skipIf(run.files.length === 0)('the logs of the whole run', () => {
  it('hold no password, token, e-mail address or query string', () => {
    const text = run.files.map((f) => f.text).join('\n');
    const lines = text.split('\n').filter(Boolean).length;
    const secrets = run.secrets.filter((s) => s.kind !== 'expected-request-id');
    const expected = run.secrets.filter((s) => s.kind === 'expected-request-id');
    console.info(
      `log audit: ${lines} lines in ${run.files.length} files, ${secrets.length} canaries, ${expected.length} request ids`,
    );
    if (secrets.length > 0) {
      for (const { value } of expected) expect(text, `request ${value} logged`).toContain(value);
    }
    const findings = run.files.flatMap((f) =>
      findSecrets(f.text, secrets).map((x) => `${f.name}: ${x.kind}: …${x.excerpt}…`),
    );
    expect(findings).toEqual([]);
  });
});
