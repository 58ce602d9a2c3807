import { inAudience, viewerClass, type Viewer, type ViewerClass } from './audience';
import type { LiveEvent } from './live-event';
import type { LiveChange, LiveModule, LiveObserver } from './live-module';

const defaultKey = (viewer: Viewer, cls: ViewerClass) =>
  cls === 'municipality' ? `municipality:${viewer.regionId}` : cls;

/** What projects an event: its owner, or an observer adding changes of its own slices. */
type Projector = Pick<LiveModule, 'project' | 'viewerKey'>;

/** Which modules project each event type: the owner first, then its observers that project. */
export class LiveRoutes {
  readonly owners = new Map<string, LiveModule>();
  /** The modules observing each type (each has `observes`), in registration order. */
  readonly observers = new Map<string, LiveModule[]>();
  private readonly projectors = new Map<string, Projector[]>();

  constructor(modules: readonly LiveModule[]) {
    for (const m of modules) {
      for (const type of Object.keys(m.events)) {
        if (this.owners.has(type)) throw new Error(`event type ${type} registered twice`);
        this.owners.set(type, m);
      }
    }
    for (const m of modules) {
      const types = m.observes?.types ?? [];
      // Listed twice, its apply would run twice per event: a count would be off for good.
      const twice = types.find((t, i) => types.indexOf(t) !== i);
      if (twice !== undefined) throw new Error(`${m.name} observes ${twice} twice`);
      for (const type of types) {
        const owner = this.owners.get(type);
        // An observer reads what an owner checked and applied; it never stands in for one.
        if (!owner) throw new Error(`${m.name} observes ${type}, which no module owns`);
        if (owner === m) throw new Error(`${m.name} observes its own event type ${type}`);
        this.observers.set(type, [...(this.observers.get(type) ?? []), m]);
      }
    }
    for (const [type, owner] of this.owners) {
      const extra = (this.observers.get(type) ?? [])
        .map((m) => m.observes!)
        .filter((o): o is LiveObserver & Projector => o.project !== undefined);
      this.projectors.set(type, [owner, ...extra]);
    }
  }

  projectorsOf(type: string): readonly Projector[] | undefined {
    return this.projectors.get(type);
  }
}

/**
 * Renders the batch frame of some events for each viewer. Viewers whose classes match for
 * every event share one rendering; only `prev` differs per client, and it is prepended
 * without serialising again. Within a frame a later change of the same thing replaces an
 * earlier one, so a burst costs a client one value per thing, not one per event.
 */
export class FrameRenderer {
  private readonly bodies = new Map<string, string | null>();
  private readonly at: string;

  constructor(
    private readonly routes: LiveRoutes,
    private readonly events: readonly LiveEvent[],
    /** The seq the frame brings a client to (the state the modules' views are at). */
    private readonly seq: number,
  ) {
    this.at = events.at(-1)?.at ?? new Date().toISOString();
  }

  /**
   * The body of this viewer's frame (everything after `prev`), or null when none of the
   * events concern it. Viewers with equal keys get the very same string.
   */
  bodyFor(viewer: Viewer): string | null {
    let key = '';
    const seen: Array<[LiveEvent, ViewerClass, readonly Projector[]]> = [];
    for (let i = 0; i < this.events.length; i++) {
      const e = this.events[i]!;
      const projectors = this.routes.projectorsOf(e.type);
      if (!projectors || !inAudience(viewer, e.audience)) continue;
      const cls = viewerClass(viewer, e);
      key += `|${i}`;
      for (const p of projectors)
        key += `=${p.viewerKey?.(e, viewer, cls) ?? defaultKey(viewer, cls)}`;
      seen.push([e, cls, projectors]);
    }
    if (seen.length === 0) return null;
    let body = this.bodies.get(key);
    if (body === undefined) this.bodies.set(key, (body = this.render(seen, viewer)));
    return body;
  }

  /** The whole frame for this viewer, or null when none of the events concern it. */
  frameFor(viewer: Viewer, prev: number): string | null {
    const body = this.bodyFor(viewer);
    return body === null ? null : framed(prev, body);
  }

  private render(seen: Array<[LiveEvent, ViewerClass, readonly Projector[]]>, viewer: Viewer) {
    const changes = new Map<string, LiveChange>();
    for (const [event, cls, projectors] of seen) {
      for (const p of projectors) {
        for (const change of p.project(event, viewer, cls)) {
          const k = `${change.slice}:${'remove' in change ? change.remove : change.key}`;
          changes.delete(k);
          changes.set(k, change);
        }
      }
    }
    if (changes.size === 0) return null;
    const list = JSON.stringify(
      [...changes.values()].map((c) => ('remove' in c ? c : { slice: c.slice, value: c.value })),
    );
    return `"seq":${this.seq},"at":${JSON.stringify(this.at)},"changes":${list}}`;
  }
}

export const framed = (prev: number, body: string) => `{"type":"batch","prev":${prev},${body}`;
