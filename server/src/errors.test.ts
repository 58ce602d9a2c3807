import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './errors';

const pgError = (message: string, code?: string) => Object.assign(new Error(message), { code });
const query = (cause: unknown, params: unknown[] = []) =>
  new DrizzleQueryError('select 1 where $1', params, cause as Error);

describe('isDatabaseUnavailable', () => {
  it('recognises an unreachable, stopped or overloaded Postgres, also wrapped by drizzle', () => {
    for (const err of [
      query(pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')),
      query(new AggregateError([pgError('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')])),
      query(pgError('timeout exceeded when trying to connect')),
      pgError('Connection terminated due to connection timeout'),
      query(pgError('terminating connection due to administrator command', '57P01')),
      pgError('the database system is starting up', '57P03'),
      pgError('connection failure', '08006'),
      pgError('sorry, too many clients already', '53300'),
    ]) {
      expect(isDatabaseUnavailable(err), String(err)).toBe(true);
    }
  });

  it('does not take a bad query, or a parameter that reads like one, for an outage', () => {
    expect(isDatabaseUnavailable(query(pgError('column "x" does not exist', '42703')))).toBe(false);
    expect(isDatabaseUnavailable(pgError('duplicate key value', '23505'))).toBe(false);
    expect(
      isDatabaseUnavailable(query(pgError('invalid input', '22P02'), ['Connection terminated'])),
    ).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
  });
});
