import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { appendLog } from './log-capture';

/**
 * Real processes for the fault scenarios (test/fault): Redis servers the test stops and
 * starts, server instances it kills, and a TCP relay in front of Postgres it can cut. None
 * of them touches the machine's shared Postgres or Redis beyond the test's own database.
 */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const REDIS_SERVER = '/usr/bin/redis-server';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves when something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** A private redis-server on a fixed port, stopped and started again by the test. */
export class RedisProcess {
  private child: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  static async start(): Promise<RedisProcess> {
    const r = new RedisProcess(await freePort());
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      REDIS_SERVER,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitForPort(this.port);
  }

  /** Stops Redis (SIGTERM, like a restart or a crash of the service) and waits for it. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child) return;
    child.kill(signal);
    await exited(child);
  }
}

export interface ServerProcess {
  readonly name: string;
  readonly port: number;
  readonly baseUrl: string;
  readonly wsUrl: string;
  readonly child: ChildProcess;
  /** Every line the process wrote (JSON log lines and anything else). */
  readonly output: string[];
  exit: Promise<{ code: number | null; signal: string | null }>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * `node --import tsx server/src/server.ts` (or another command) with the given environment,
 * its output kept and added to the run's logs; resolves when /api/health answers.
 */
export async function startServer(
  name: string,
  env: Record<string, string>,
  opts: { port?: number; command?: string[]; waitMs?: number } = {},
): Promise<ServerProcess> {
  const port = opts.port ?? (await freePort());
  const [cmd, ...args] = opts.command ?? [
    process.execPath,
    '--import',
    'tsx',
    'server/src/server.ts',
  ];
  const child = spawn(cmd!, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    appendLog(`process-${name}`, text);
    output.push(...text.split('\n').filter(Boolean));
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const server: ServerProcess = {
    name,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/api/live`,
    child,
    output,
    exit: exited(child),
    kill: (signal) => void child.kill(signal),
  };
  const until = Date.now() + (opts.waitMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited at start:\n${output.slice(-20).join('\n')}`);
    }
    const up = await fetch(`${server.baseUrl}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return server;
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start:\n${output.slice(-20).join('\n')}`);
    }
    await sleep(100);
  }
}

/**
 * A TCP relay in front of Postgres that the test cuts: `forward` passes bytes, `stop()`
 * closes the port and every connection (Postgres gone), `start('silent')` accepts and never
 * answers (a frozen or firewalled server).
 */
export class TcpRelay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  mode: 'forward' | 'silent' = 'forward';
  private port = 0;

  constructor(private readonly upstream: { host: string; port: number }) {}

  get listening(): boolean {
    return this.server !== null;
  }

  async start(mode: 'forward' | 'silent' = 'forward'): Promise<number> {
    this.mode = mode;
    const server = createServer((client) => {
      this.track(client);
      if (this.mode === 'silent') return;
      const upstream = this.track(connect(this.upstream.port, this.upstream.host));
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
    return socket;
  }
}

/** The URL with its host and port replaced (a database URL through the relay). */
export function viaPort(url: string, port: number): string {
  const u = new URL(url);
  u.host = `127.0.0.1:${port}`;
  return u.toString();
}
