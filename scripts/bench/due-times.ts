/**
 * When each change (unit U to version V) was due, shared between the load process's writer
 * and its client threads through shared memory: the writer records the due time before it
 * sends the request, so a client thread that receives the change can always time it, with no
 * message between threads that could arrive after the change itself.
 *
 * One slot per unit and version modulo SLOTS; a slot is reused only after a unit has moved on
 * by SLOTS versions, long after every client has timed the old one. The tag says which
 * version a slot holds; it is written after the time, so a reader that sees the tag sees the
 * time.
 */
const SLOTS = 64;

export interface DueBuffers {
  times: SharedArrayBuffer;
  tags: SharedArrayBuffer;
}

/** Milliseconds on a clock every thread of this machine shares (unlike performance.now()). */
export const wallMs = () => performance.timeOrigin + performance.now();

export class DueTimes {
  private readonly times: Float64Array;
  private readonly tags: Int32Array;

  constructor(
    readonly units: number,
    readonly buffers: DueBuffers = {
      times: new SharedArrayBuffer(units * SLOTS * 8),
      tags: new SharedArrayBuffer(units * SLOTS * 4),
    },
  ) {
    this.times = new Float64Array(buffers.times);
    this.tags = new Int32Array(buffers.tags);
  }

  static of(buffers: DueBuffers): DueTimes {
    return new DueTimes(buffers.tags.byteLength / 4 / SLOTS, buffers);
  }

  set(unit: number, version: number, at: number): void {
    if (unit >= this.units) return;
    const slot = unit * SLOTS + (version % SLOTS);
    this.times[slot] = at;
    Atomics.store(this.tags, slot, version);
  }

  /** Forgets a change that was not made (the request failed or got another version). */
  clear(unit: number, version: number): void {
    if (unit >= this.units) return;
    const slot = unit * SLOTS + (version % SLOTS);
    Atomics.compareExchange(this.tags, slot, version, 0);
  }

  get(unit: number, version: number): number | undefined {
    if (unit >= this.units) return undefined;
    const slot = unit * SLOTS + (version % SLOTS);
    return Atomics.load(this.tags, slot) === version ? this.times[slot] : undefined;
  }
}
