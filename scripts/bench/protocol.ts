/** What the bench orchestrator and its load process say to each other (IPC). */
export type Protocol = 'ours' | 'raw' | 'sio';

/** Where clients connect: one server instance. */
export interface Target {
  protocol: Protocol;
  wsUrl: string;
  /** Session cookies, handed out round-robin (ours); empty for the references. */
  cookies: string[];
  maxUnitId: number;
}

export interface UnitRef {
  id: number;
  version: number;
  status: string;
}

export type LoadCommand =
  | { cmd: 'limits' }
  | { cmd: 'connect'; targets: Target[]; n: number; timeoutMs: number }
  | {
      cmd: 'latency';
      /** Unit endpoints (`…/api/units`), used round-robin. */
      urls: string[];
      cookie?: string;
      units: UnitRef[];
      count: number;
      timeoutMs: number;
    }
  | {
      cmd: 'throughput';
      urls: string[];
      cookie?: string;
      units: UnitRef[];
      rate: number;
      seconds: number;
      settleMs: number;
    }
  | { cmd: 'close' };

export type LoadReply = { ok: true; result: unknown } | { ok: false; error: string };

export interface ConnectResult {
  ms: number;
  synced: number;
  refused: number;
  reasons: Record<string, number>;
  firstFrameBytes: number;
}

export interface RunResult {
  p50: number;
  p99: number;
  max: number;
  received: number;
  expected: number;
  missing: number;
  openClients: number;
  closedClients: number;
  shed: number;
  gaps: number;
  rate: number;
  ok: number;
  conflicts: number;
  serverErrors: number;
  otherErrors: number;
  noIdleUnit: number;
  httpP50: number;
  httpP99: number;
  /** The latency command: each change's slowest client, in order (ms). */
  slowest?: number[];
}
