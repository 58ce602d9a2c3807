import { constants, deflateRawSync } from 'node:zlib';

/**
 * Frames compressed once for every socket (RFC 7692 permessage-deflate), instead of once per
 * socket as ws's own `perMessageDeflate` does: a snapshot rendered for thousands of clients
 * is deflated one time, and no socket holds a zlib context (~300 KB each) to do it.
 *
 * A message deflated alone and ended with a sync flush refers to no earlier data, so it is
 * valid on any connection that negotiated the extension, whatever that receiver's window
 * holds (context takeover or not), as long as that window is zlib's largest (32 KB): a
 * client may ask for a smaller one (`server_max_window_bits`, which ws accepts; browsers
 * never do) and would fail on a distance beyond it, so it gets plain text.
 *
 * ws has no API to send such a payload as it is; the internals used here (the socket's
 * `_extensions` and their `params`, its `_sender` with `_state` and `sendFrame`, and that
 * Sender class's static `frame`, so the socket's own copy of ws) were checked against
 * ws 8.23.0. When they are missing (another ws, a test double), or the
 * socket did not negotiate the extension, the plain text goes out instead: always valid.
 */

const EXTENSION = 'permessage-deflate';
/** A sync flush ends with this empty stored block; RFC 7692 7.2.1 has the sender drop it. */
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
/** ws's Sender state when nothing is queued (it queues behind compressions and blobs). */
const SENDER_IDLE = 0;
const TEXT = 1;

/** The options for ws's server: negotiate the extension, but never compress by itself. */
export const negotiateDeflate = {
  threshold: Number.MAX_SAFE_INTEGER,
  serverNoContextTakeover: true,
  clientNoContextTakeover: true,
} as const;

type Framer = (data: Buffer, options: Record<string, unknown>) => unknown[];

/** zlib's default window (32 KB), the one deflatePayload uses. */
const WINDOW_BITS = 15;

interface WsDeflate {
  _inflate?: { close(): void } | null;
  /** The negotiated parameters; a window smaller than WINDOW_BITS is a number below it. */
  params?: { server_max_window_bits?: unknown } | null;
}

interface WsInternals {
  _extensions?: Record<string, WsDeflate | undefined>;
  _sender?: {
    _state?: number;
    sendFrame?: (list: unknown[]) => void;
    constructor: { frame?: Framer };
  } | null;
}

/** The permessage-deflate payload of a whole message (RFC 7692 7.2.1). */
export function deflatePayload(text: Buffer): Buffer {
  const out = deflateRawSync(text, { finishFlush: constants.Z_SYNC_FLUSH });
  // A sync flush always ends with the tail; checked, since a payload cut elsewhere is garbage.
  if (!out.subarray(-4).equals(TAIL)) throw new Error('deflate output without sync flush tail');
  return out.subarray(0, -4);
}

/**
 * Whether `socket` takes a deflated frame now: negotiated with a 32 KB window, ws internals
 * there, none queued.
 */
export function takesDeflated(socket: object): boolean {
  const { _extensions: extensions, _sender: sender } = socket as WsInternals;
  const params = extensions?.[EXTENSION]?.params;
  const windowBits = params?.server_max_window_bits;
  return (
    typeof params === 'object' &&
    params !== null &&
    (typeof windowBits !== 'number' || windowBits >= WINDOW_BITS) &&
    typeof sender?.sendFrame === 'function' &&
    typeof sender.constructor.frame === 'function' &&
    sender._state === SENDER_IDLE
  );
}

/**
 * A frame many sockets get (a snapshot, a big batch): the text, and its deflated payload once
 * made (by deflatedFor), or null when zlib failed on it.
 */
export interface SharedFrame {
  readonly text: Buffer;
  deflated?: Buffer | null;
}

/**
 * The payload to send `socket` deflated, or null to send it the plain text. The first socket
 * that takes a deflated frame has the payload made, the others share it. Should zlib throw
 * (out of memory, say), the frame goes out plain to every socket: the failure is the frame's,
 * so it is reported once (`failed`) and never retried, and it is not the caller's (a flush
 * would take it for a failed projection and send a snapshot, which might fail the same way).
 */
export function deflatedFor(
  socket: object,
  frame: SharedFrame,
  failed: (err: unknown) => void,
  deflate: (text: Buffer) => Buffer = deflatePayload,
): Buffer | null {
  if (frame.deflated === null || !takesDeflated(socket)) return null;
  if (frame.deflated === undefined) {
    try {
      frame.deflated = deflate(frame.text);
    } catch (err) {
      frame.deflated = null;
      failed(err);
      return null;
    }
  }
  return frame.deflated;
}

/** Sends a payload of deflatePayload as one text message; only after takesDeflated said yes. */
export function sendDeflated(socket: object, payload: Buffer): void {
  const sender = (socket as WsInternals)._sender!;
  const options = { fin: true, rsv1: true, opcode: TEXT, mask: false, readOnly: true };
  sender.sendFrame!(sender.constructor.frame!(payload, options));
}

/**
 * Frees the zlib context ws made to inflate a client's message: clients speak rarely (a
 * resync; Chromium deflates every message), and the context (its 16 KB output buffer and
 * the window: ~15 KB resident after one small message, up to ~50 KB) would otherwise stay
 * with the idle connection. Safe between messages: client_no_context_takeover is
 * negotiated, so the next one starts afresh.
 */
export function releaseInflate(socket: object): void {
  const deflate = (socket as WsInternals)._extensions?.[EXTENSION];
  if (!deflate?._inflate) return;
  deflate._inflate.close();
  deflate._inflate = null;
}
