import WebSocket from 'ws';
import { LiveState, parseServerMessage, type Snapshot } from '@opvangatlas/shared';
import { WireFrames } from './wire-frames';

/** A websocket client that keeps state with the web app's own reducer (shared reduceLive). */
export class TestLiveClient {
  readonly state = new LiveState();
  readonly frames: string[] = [];
  gaps = 0;
  closeCode: number | null = null;
  /** The frames as read from the socket: sizes on the wire, deflated or not. */
  readonly wire = new WireFrames();
  private waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    // Ahead of ws's own listener, which emits a message within the chunk that ends it.
    ws.once('open', () => {
      const socket = (ws as unknown as { _socket: NodeJS.ReadableStream })._socket;
      socket.prependListener('data', (chunk: Buffer) => this.wire.read(chunk));
    });
    ws.on('message', (raw: Buffer) => {
      const text = raw.toString();
      this.frames.push(text);
      const parsed = parseServerMessage(JSON.parse(text));
      if (!parsed.success) throw new Error(`frame outside the contract: ${parsed.error}`);
      if (this.state.apply(parsed.data) === 'gap') {
        this.gaps += 1;
        ws.send(
          JSON.stringify({
            type: 'resync',
            since: this.state.seq >= 0 ? this.state.seq : undefined,
          }),
        );
      }
      for (const w of this.waiters) w();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.waiters) w();
    });
  }

  /** With `kept`, the client resumes from the state it kept while offline, as a browser does. */
  static async connect(
    wsUrl: string,
    cookie: string,
    kept?: Snapshot,
    options: WebSocket.ClientOptions = {},
  ): Promise<TestLiveClient> {
    const url = kept === undefined ? wsUrl : `${wsUrl}?since=${kept.seq}`;
    const ws = new WebSocket(url, { ...options, headers: { cookie } });
    const client = new TestLiveClient(ws);
    if (kept) client.state.apply(kept);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
    });
    return client;
  }

  /** Resolves when `predicate` holds, checked after every message. */
  waitFor(predicate: (c: TestLiveClient) => boolean, timeoutMs = 5000): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `timed out at seq ${this.state.seq} after ${this.frames.length} frames (close code ${this.closeCode}, last ${this.frames.at(-1)?.slice(0, 120)})`,
          ),
        );
      }, timeoutMs);
      const check = () => {
        if (!predicate(this)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  /** The state as a snapshot, to hand to a later connection. */
  keep(): Snapshot {
    return this.state.toSnapshot();
  }

  /** The frames received, parsed, without heartbeats. */
  messages(from = 0): Array<{ type: string; changes?: Array<{ slice: string }> }> {
    return this.frames
      .slice(from)
      .map((f) => JSON.parse(f) as { type: string })
      .filter((m) => m.type !== 'heartbeat');
  }

  waitForSeq(seq: number, timeoutMs?: number): Promise<void> {
    return this.waitFor((c) => c.state.seq >= seq, timeoutMs);
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
