/**
 * The websocket frames a client read, as they came over the socket: size (header and
 * payload, deflated or not) and whether permessage-deflate compressed them (RSV1). Fed with
 * the socket's raw chunks; server frames are never masked.
 */
export interface WireFrame {
  opcode: number;
  deflated: boolean;
  bytes: number;
}

export class WireFrames {
  readonly frames: WireFrame[] = [];
  private head = Buffer.alloc(0);
  /** Payload bytes of the current frame still to come. */
  private skip = 0;

  /** The text frames only: one per message, in the order of the messages. */
  get texts(): WireFrame[] {
    return this.frames.filter((f) => f.opcode === 1);
  }

  read(chunk: Buffer): void {
    let rest = chunk;
    while (rest.length > 0) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, rest.length);
        this.skip -= n;
        rest = rest.subarray(n);
        continue;
      }
      const head = Buffer.concat([this.head, rest]);
      const short = head.length >= 2 ? head[1]! & 0x7f : 0;
      const headerBytes = 2 + (short === 126 ? 2 : short === 127 ? 8 : 0);
      if (head.length < headerBytes) {
        this.head = head;
        return;
      }
      const payload =
        short === 126
          ? head.readUInt16BE(2)
          : short === 127
            ? Number(head.readBigUInt64BE(2))
            : short;
      this.frames.push({
        opcode: head[0]! & 0x0f,
        deflated: (head[0]! & 0x40) !== 0,
        bytes: headerBytes + payload,
      });
      this.head = Buffer.alloc(0);
      this.skip = payload;
      rest = head.subarray(headerBytes);
    }
  }
}
