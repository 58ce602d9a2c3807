import { inAudience, viewerClass, type Viewer, type ViewerClass } from './audience';
import type { LiveEvent } from './live-event';
import type { LiveChange, LiveModule } from './live-module';

const defaultKey = (viewer: Viewer, cls: ViewerClass) =>
  cls === 'municipality' ? `municipality:${viewer.regionId}` : cls;

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
    private readonly modules: ReadonlyMap<string, LiveModule>,
    private readonly events: readonly LiveEvent[],
    /** The seq the frame brings a client to (the state the modules' views are at). */
    private readonly seq: number,
  ) {
    this.at = events.at(-1)?.at ?? new Date().toISOString();
  }

  /** The frame for this viewer, or null when none of the events concern it. */
  frameFor(viewer: Viewer, prev: number): string | null {
    const keys: string[] = [];
    const seen: Array<[LiveEvent, ViewerClass, LiveModule]> = [];
    this.events.forEach((e, i) => {
      const module = this.modules.get(e.type);
      if (!module || !inAudience(viewer, e.audience)) return;
      const cls = viewerClass(viewer, e);
      keys.push(`${i}=${module.viewerKey?.(e, viewer, cls) ?? defaultKey(viewer, cls)}`);
      seen.push([e, cls, module]);
    });
    if (keys.length === 0) return null;
    const key = keys.join('|');
    let body = this.bodies.get(key);
    if (body === undefined) this.bodies.set(key, (body = this.render(seen, viewer)));
    return body === null ? null : `{"type":"batch","prev":${prev},${body}`;
  }

  private render(seen: Array<[LiveEvent, ViewerClass, LiveModule]>, viewer: Viewer) {
    const changes = new Map<string, LiveChange>();
    for (const [event, cls, module] of seen) {
      for (const change of module.project(event, viewer, cls)) {
        const k = `${change.slice}:${'remove' in change ? change.remove : change.key}`;
        changes.delete(k);
        changes.set(k, change);
      }
    }
    if (changes.size === 0) return null;
    const list = JSON.stringify(
      [...changes.values()].map((c) => ('remove' in c ? c : { slice: c.slice, value: c.value })),
    );
    return `"seq":${this.seq},"at":${JSON.stringify(this.at)},"changes":${list}}`;
  }
}
