import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@opvangatlas/db';
import type { SessionUser, Unit } from '@opvangatlas/shared';
import { createBackend, type TestBackend } from '../support/backend';
import { waitForConvergence } from '../support/convergence';
import { http, httpLogin, serverEnv } from '../support/fault-cluster';
import { RedisProcess, ROOT, startServer, type ServerProcess } from '../support/processes';
import { TestLiveClient } from '../support/live-client';

/**
 * Backup and restore as docs/RELIABILITY.md describes them (issue 12, operations): pg_dump of
 * a running deployment, pg_restore into a fresh database, a server started on it. The tables
 * are equal to the original's at the moment of the dump, a session from before still works,
 * and a client resumes: from its seq when the backup has it, with a fresh snapshot when the
 * backup is older than what the client saw.
 */

/** Debian's wrappers, which pick the client of the running cluster's version. */
const PG_DUMP = '/usr/bin/pg_dump';
const PG_RESTORE = '/usr/bin/pg_restore';
const TABLES = ['regions', 'organisations', 'locations', 'units', 'users', 'sessions', 'events'];

let backend: TestBackend;
let redis: RedisProcess;
let original: ServerProcess;
let restored: ServerProcess | undefined;
let restoredDb: Database | undefined;
let admin: pg.Client;
let restoreName: string;
const dir = mkdtempSync(join(tmpdir(), 'opvangatlas-backup-'));

async function checksums(url: string): Promise<Record<string, string>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    const { rows } = await c.query(
      `select count(*)::text || ':' || coalesce(md5(string_agg(t::text, ',' order by t::text)), '') as sum from ${t} t`,
    );
    out[t] = (rows[0] as { sum: string }).sum;
  }
  await c.end();
  return out;
}

beforeAll(async () => {
  backend = await createBackend();
  redis = await RedisProcess.start();
  original = await startServer('backup-original', serverEnv(backend, redis.url));
  admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
});
afterAll(async () => {
  original?.kill('SIGKILL');
  restored?.kill('SIGKILL');
  await Promise.all([original?.exit, restored?.exit]);
  await restoredDb?.close();
  if (restoreName) await admin.query(`drop database if exists ${restoreName} with (force)`);
  await admin?.end();
  await redis?.stop();
  await backend?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function churn(baseUrl: string, cookie: string, units: Unit[], times: number) {
  for (let i = 0; i < times; i++) {
    const u = units[i % units.length]!;
    const now = (
      await http<Unit[]>(baseUrl, `/api/units?regionId=${u.regionId}`, { cookie })
    ).body.find((x) => x.id === u.id)!;
    const res = await http(baseUrl, `/api/units/${u.id}`, {
      method: 'PATCH',
      cookie,
      body:
        now.status === 'free'
          ? { version: now.version, status: 'occupied', household: { adults: 1, children: 0 } }
          : { version: now.version, status: 'free' },
    });
    expect(res.status).toBe(200);
  }
}

describe.skipIf(!existsSync(PG_DUMP) || !existsSync(PG_RESTORE))('backup and restore', () => {
  it('restores into a fresh database that a server starts on, equal, and clients resume', async () => {
    const { cookie, user } = await httpLogin(original.baseUrl, 'vo_worker');
    const all = (await http<Unit[]>(original.baseUrl, '/api/units', { cookie })).body;
    const own = all.filter((u) => u.organisationId === user.organisationId).slice(0, 5);
    const confirm = await http(original.baseUrl, `/api/locations/${own[0]!.locationId}/confirm`, {
      method: 'POST',
      cookie,
    });
    expect(confirm.status).toBe(200);
    await churn(original.baseUrl, cookie, own, 10);
    const client = await TestLiveClient.connect(original.wsUrl, cookie);
    await client.waitFor((c) => c.state.ready);
    const atBackup = client.keep();

    // The backup, of the running deployment (docs/RELIABILITY.md).
    const dump = join(dir, 'opvangatlas.dump');
    const started = Date.now();
    execFileSync(PG_DUMP, ['--format=custom', `--file=${dump}`, backend.config.databaseUrl!]);
    const dumpMs = Date.now() - started;
    const before = await checksums(backend.config.databaseUrl!);

    // Changes after the backup, seen by the client: the backup is older than its state.
    await churn(original.baseUrl, cookie, own, 4);
    const ahead = await TestLiveClient.connect(original.wsUrl, cookie);
    await ahead.waitFor((c) => c.state.ready);
    const beyondBackup = ahead.keep();
    await Promise.all([client.close(), ahead.close()]);

    // The restore, into a fresh database.
    restoreName = `${new URL(backend.config.databaseUrl!).pathname.slice(1)}_restore`;
    await admin.query(`create database ${restoreName}`);
    const url = new URL(backend.config.databaseUrl!);
    url.pathname = `/${restoreName}`;
    const restoreStarted = Date.now();
    execFileSync(PG_RESTORE, ['--no-owner', '--exit-on-error', `--dbname=${url}`, dump]);
    const restoreMs = Date.now() - restoreStarted;
    expect(await checksums(url.toString())).toEqual(before);
    // Then, as the docs say, seqs move on past any a client may have seen after the backup.
    const docs = readFileSync(join(ROOT, 'docs/RELIABILITY.md'), 'utf8');
    const bump = /<!-- restore-seq -->\s*```sql\n([\s\S]+?)```/.exec(docs)?.[1];
    expect(bump, 'the SQL block after <!-- restore-seq --> in docs/RELIABILITY.md').toBeTruthy();
    const owner = new pg.Client({ connectionString: url.toString() });
    await owner.connect();
    await owner.query(bump!);
    await owner.end();

    restored = await startServer(
      'backup-restored',
      serverEnv(backend, redis.url, {
        DATABASE_URL: url.toString(),
        REDIS_CHANNEL_PREFIX: `${backend.config.redisChannelPrefix}_restore`,
      }),
    );
    // The session from before the backup is in it: the user stays logged in.
    const me = await http<{ user: SessionUser }>(restored.baseUrl, '/api/session', { cookie });
    expect(me.status).toBe(200);
    restoredDb = await openDatabase({ url: url.toString() });

    // A client that holds the backup's seq resumes without a snapshot.
    const resumed = await TestLiveClient.connect(restored.wsUrl, cookie, atBackup);
    await new Promise((r) => setTimeout(r, 500));
    expect(resumed.messages().filter((m) => m.type === 'snapshot')).toEqual([]);
    expect(resumed.state.seq).toBe(atBackup.seq);
    // Life goes on on the restored database: new events, new seqs.
    await churn(restored.baseUrl, cookie, own.slice(2), 3);
    // A client that saw changes the backup lacks gets a fresh snapshot of the restored state,
    // not a replay onto a state this database never had.
    const reset = await TestLiveClient.connect(restored.wsUrl, cookie, beyondBackup);
    await reset.waitFor((c) => c.messages().some((m) => m.type === 'snapshot'));
    const viewer = me.body.user;
    await waitForConvergence(restoredDb, [
      { name: 'resumed', viewer, view: resumed.state },
      { name: 'reset', viewer, view: reset.state },
    ]);
    console.info(
      `backup/restore: pg_dump ${dumpMs} ms (${Math.round(statSync(dump).size / 1024)} KiB), pg_restore ${restoreMs} ms; ` +
        `7 tables equal; server started on it; session kept; client at the backup's seq ${atBackup.seq} resumed without a snapshot, ` +
        `client at seq ${beyondBackup.seq} (after the backup) got a snapshot at ${reset.state.seq}`,
    );
    await Promise.all([resumed.close(), reset.close()]);
  });
});
