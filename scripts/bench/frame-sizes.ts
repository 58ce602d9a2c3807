/**
 * The size on the wire (header and payload, compressed or not) of each message a websocket
 * client reads, from the socket's bytes: what a browser downloads, which the `message` event,
 * with its decoded text, does not tell. Server frames are unmasked; control frames (ping,
 * pong, close) are no messages and are skipped; a fragmented message counts all its frames.
 */
export class FrameSizes {
  /** Wire bytes of each message so far, in order. */
  readonly messages: number[] = [];
  private readonly head: number[] = [];
  private payloadLeft = 0;
  private current = 0;
  private control = false;
  private fin = false;

  push(chunk: Buffer): void {
    for (let at = 0; at < chunk.length;) {
      if (this.payloadLeft > 0) {
        const n = Math.min(this.payloadLeft, chunk.length - at);
        this.payloadLeft -= n;
        at += n;
        if (this.payloadLeft === 0) this.frameDone();
        continue;
      }
      this.head.push(chunk[at++]!);
      const size = this.headerSize();
      if (size === 0 || this.head.length < size) continue;
      const len7 = this.head[1]! & 0x7f;
      const payload =
        len7 === 126
          ? (this.head[2]! << 8) | this.head[3]!
          : len7 === 127
            ? Number(Buffer.from(this.head.slice(2, 10)).readBigUInt64BE())
            : len7;
      this.control = (this.head[0]! & 0x08) !== 0;
      if (!this.control) this.current += size + payload;
      this.fin = (this.head[0]! & 0x80) !== 0;
      this.head.length = 0;
      this.payloadLeft = payload;
      if (payload === 0) this.frameDone();
    }
  }

  /** Header length once its first two bytes are in; 0 before. */
  private headerSize(): number {
    if (this.head.length < 2) return 0;
    const len7 = this.head[1]! & 0x7f;
    const masked = (this.head[1]! & 0x80) !== 0;
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
  }

  private frameDone(): void {
    if (this.control || !this.fin) return;
    this.messages.push(this.current);
    this.current = 0;
  }
}
