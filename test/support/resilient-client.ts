import WebSocket from 'ws';
import {
  LIVE_CLOSE_RESTART,
  LIVE_CLOSE_UNAUTHORIZED,
  LiveState,
  parseServerMessage,
} from '@opvangatlas/shared';

/**
 * A live client that keeps going like the web app's (web/src/lib/stores/live-client.ts): it
 * reconnects after every close but 4401, at once after 1012 ("service restart"), otherwise
 * after a short backoff, each time to the next instance that is up, resuming from the seq it
 * holds. It counts what the fault scenarios report: reconnects, resyncs, frames it had
 * already (skipped) and whether any applied batch went backwards.
 */
export class ResilientClient {
  readonly state = new LiveState();
  readonly closeCodes: number[] = [];
  readonly heartbeats: Array<{ status?: string }> = [];
  reconnects = 0;
  gaps = 0;
  skipped = 0;
  applied = 0;
  /** An applied batch whose seq did not move the state forward: must stay 0. */
  wentBackwards = 0;
  private ws: WebSocket | null = null;
  private stopped = false;
  private next = 0;
  private timer: NodeJS.Timeout | null = null;
  private preferred: string | null = null;

  constructor(
    readonly name: string,
    private readonly urls: () => string[],
    private readonly cookie: string,
    private readonly backoffMs = 250,
  ) {}

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  start(): this {
    this.connect();
    return this;
  }

  private connect(): void {
    if (this.stopped) return;
    const urls = this.urls();
    const base = this.preferred ?? urls[this.next++ % urls.length]!;
    this.preferred = null;
    const url = this.state.ready ? `${base}?since=${this.state.seq}` : base;
    const ws = new WebSocket(url, { headers: { cookie: this.cookie } });
    this.ws = ws;
    ws.on('message', (raw: Buffer) => this.onMessage(ws, raw.toString()));
    ws.on('error', () => {});
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.closeCodes.push(code);
      if (this.stopped || code === LIVE_CLOSE_UNAUTHORIZED) return;
      this.reconnects += 1;
      this.timer = setTimeout(
        () => this.connect(),
        code === LIVE_CLOSE_RESTART ? 0 : this.backoffMs,
      );
    });
  }

  private onMessage(ws: WebSocket, text: string): void {
    const parsed = parseServerMessage(JSON.parse(text));
    if (!parsed.success) throw new Error(`${this.name}: frame outside the contract`);
    const msg = parsed.data;
    if (msg.type === 'heartbeat') {
      this.heartbeats.push({ status: (JSON.parse(text) as { status?: string }).status });
      return;
    }
    const before = this.state.seq;
    const result = this.state.apply(msg);
    if (result === 'skipped') this.skipped += 1;
    if (result === 'applied') {
      this.applied += 1;
      if (this.state.seq <= before) this.wentBackwards += 1;
    }
    if (result === 'gap') {
      this.gaps += 1;
      ws.send(
        JSON.stringify({ type: 'resync', since: this.state.ready ? this.state.seq : undefined }),
      );
    }
  }

  /** Resolves when `predicate` holds (checked every 50 ms). */
  async waitFor(predicate: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > until)
        throw new Error(`${this.name}: ${what} not reached in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Drops the connection (as a network blip would) and reconnects, to `url` when given. */
  reconnect(url?: string): void {
    this.preferred = url ?? null;
    this.ws?.terminate();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close();
  }
}
