import type { RegionSummary } from './availability';
import { deltaFits, type ServerMessage } from './live';
import type { Location } from './location';
import type { Unit } from './unit';

export type ApplyResult = 'snapshot' | 'applied' | 'skipped' | 'gap';

/**
 * A client's copy of the live state, fed with /api/live messages. Pure and synchronous, so
 * the web app and the tests keep state the same way. On 'gap' the caller sends
 * `{type:'resync', since: state.seq}`; messages are not applied until it is answered.
 */
export class LiveState {
  seq = -1;
  scope: 'units' | 'aggregates' | null = null;
  readonly units = new Map<number, Unit>();
  readonly locations = new Map<number, Location>();
  readonly regions = new Map<number, RegionSummary>();

  get ready(): boolean {
    return this.seq >= 0;
  }

  apply(msg: ServerMessage): ApplyResult {
    if (msg.type === 'snapshot') {
      this.seq = msg.seq;
      this.scope = msg.scope;
      this.units.clear();
      this.locations.clear();
      this.regions.clear();
      for (const u of msg.units) this.units.set(u.id, u);
      for (const l of msg.locations) this.locations.set(l.id, l);
      for (const r of msg.regions) this.regions.set(r.regionId, r);
      return 'snapshot';
    }
    if (!this.ready) return 'gap';
    const fit = deltaFits(this.seq, msg);
    if (fit === 'skip') return 'skipped';
    if (fit === 'gap') return 'gap';
    if (msg.type === 'unit') this.units.set(msg.unit.id, msg.unit);
    else if (msg.type === 'location') this.locations.set(msg.location.id, msg.location);
    else this.regions.set(msg.region.regionId, msg.region);
    this.seq = msg.seq;
    return 'applied';
  }
}
