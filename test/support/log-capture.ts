import {
  appendFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The logs of every test server in a run, in one folder (OA_TEST_LOG_DIR, set by
 * vitest.config.ts): test/support/backend.ts gives every app a capturing destination and the
 * fault tests add their server processes' output. test/logs/log-audit.test.ts greps it all.
 */
export const LOG_DIR =
  process.env.OA_TEST_LOG_DIR ?? join(tmpdir(), `opvangatlas-test-logs-${process.ppid}`);

const SECRETS = 'secrets.ndjson';

function ensureDir() {
  if (!existsSync(LOG_DIR)) mkdirSync(LOG_DIR, { recursive: true });
}

/** A pino destination: every line goes to this worker's file at once (synchronous write). */
export interface CapturedLog {
  write(line: string): void;
  /** The lines this destination has written, parsed. */
  lines(): Array<Record<string, unknown>>;
}

let counter = 0;

export function captureLogs(label: string): CapturedLog {
  ensureDir();
  const file = join(LOG_DIR, `${label}-${process.pid}-${++counter}.ndjson`);
  const fd = openSync(file, 'a');
  const own: string[] = [];
  return {
    write(line: string) {
      writeSync(fd, line.endsWith('\n') ? line : `${line}\n`);
      own.push(line);
    },
    lines: () => own.flatMap((l) => parseLine(l)),
  };
}

/** Appends raw output (a server process's stdout) to the run's logs. */
export function appendLog(label: string, text: string): void {
  ensureDir();
  appendFileSync(join(LOG_DIR, `${label}-${process.pid}.ndjson`), text);
}

function parseLine(line: string): Array<Record<string, unknown>> {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null ? [value as Record<string, unknown>] : [];
  } catch {
    return [];
  }
}

/** A value that must never be in any log: the audit looks for it in every file. */
export function recordSecret(kind: string, value: string): void {
  ensureDir();
  appendFileSync(join(LOG_DIR, SECRETS), `${JSON.stringify({ kind, value })}\n`);
}

/** Request ids the audit must find (proof that the capture worked). */
export function recordExpectedRequestId(id: string): void {
  recordSecret('expected-request-id', id);
}

export function readRun(): {
  files: Array<{ name: string; text: string }>;
  secrets: Array<{ kind: string; value: string }>;
} {
  if (!existsSync(LOG_DIR)) return { files: [], secrets: [] };
  const names = readdirSync(LOG_DIR);
  return {
    files: names
      .filter((n) => n !== SECRETS)
      .map((name) => ({ name, text: readFileSync(join(LOG_DIR, name), 'utf8') })),
    secrets: names.includes(SECRETS)
      ? readFileSync(join(LOG_DIR, SECRETS), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { kind: string; value: string })
      : [],
  };
}
