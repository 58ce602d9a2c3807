import type { Delta } from '@opvangatlas/shared';
import type { LiveEvent } from './live-event';

/** The frames one event produces: serialised once per audience, never once per client. */
export class EventFrames {
  private own?: string;
  private others?: string;

  constructor(
    private readonly event: LiveEvent,
    private readonly prev: number,
  ) {}

  get seq() {
    return this.event.seq;
  }

  /** Household composition only goes to the unit's own organisation (DOMAIN.md). */
  forOrganisation(organisationId: number | null): string {
    const own = organisationId === this.event.organisationId;
    if (own) return (this.own ??= render(this.event, this.prev, true));
    return (this.others ??= render(this.event, this.prev, false));
  }
}

export function render(event: LiveEvent, prev: number, withHousehold: boolean): string {
  const head = { seq: event.seq, prev, at: event.at };
  const delta: Delta =
    event.type === 'location.confirmed'
      ? { type: 'location', ...head, location: event.location }
      : {
          type: 'unit',
          ...head,
          unit: withHousehold ? event.unit : { ...event.unit, household: null },
        };
  return JSON.stringify(delta);
}
