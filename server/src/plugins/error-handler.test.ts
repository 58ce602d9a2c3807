import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { safeError } from './error-handler';

describe('safeError', () => {
  it("keeps a failed query's class, cause and code, never its SQL or parameters", () => {
    const cause = Object.assign(new Error('value "2147483648" is out of range for type integer'), {
      code: '22003',
      detail: 'Key (email)=(geheim@example.nl) already exists.',
    });
    const err = new DrizzleQueryError(
      'select "id" from "users" where "email" = $1 and "id" = $2',
      ['geheim@example.nl', 2147483648],
      cause,
    );
    const safe = safeError(err);
    expect(safe).toMatchObject({
      type: 'DrizzleQueryError',
      message: 'database query failed',
      cause: {
        type: 'Error',
        code: '22003',
        message: 'value "…" is out of range for type integer',
      },
    });
    const text = JSON.stringify(safe);
    for (const leak of ['geheim', '2147483648', 'select', '"users"', 'params', 'Key (email)']) {
      expect(text).not.toContain(leak);
    }
    expect(safe.stack).toMatch(/^DrizzleQueryError: database query failed\n\s+at /);
  });

  it('keeps the message and stack of other errors, and is idempotent', () => {
    const safe = safeError(new TypeError('pending is not iterable'));
    expect(safe).toMatchObject({ type: 'TypeError', message: 'pending is not iterable' });
    expect(safeError(safe)).toBe(safe);
    expect(safeError('boom')).toMatchObject({ type: 'string', message: 'boom' });
  });
});
