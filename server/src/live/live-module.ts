import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { Executor } from '@opvangatlas/db';
import type { SliceKey } from '@opvangatlas/shared';
import type { Viewer, ViewerClass } from './audience';
import type { LiveEvent } from './live-event';

/**
 * One change as a module projects it. The key (the thing's id) lets a frame keep only the
 * latest change per thing; it is not sent, the client takes it from the slice's schema.
 */
export type LiveChange =
  { slice: string; key: SliceKey; value: unknown } | { slice: string; remove: SliceKey };

/**
 * What a domain module gives the live hub for its kinds of change. The hub knows nothing of
 * units or requests: it orders events, finds their audience and sends what the module
 * projects. See live/README.md for how a module adds an event type.
 */
export interface LiveModule {
  readonly name: string;
  /** The event types this module owns, with the schema of their `data`. */
  readonly events: Readonly<Record<string, z.ZodType>>;
  /**
   * Loads the module's in-memory view of the live state, inside the hub's consistent start
   * read (the same transaction that reads the starting seq).
   */
  load(ex: Executor): Promise<void>;
  /**
   * Puts back what the events table does not keep (NewEvent.storedData), for events read
   * from the table: the start-up ring, catch-up and gap filling. One query per batch, never
   * per event; events that come over the bus already carry it.
   */
  hydrate?(events: LiveEvent[], ex: Executor): Promise<LiveEvent[]>;
  /** Applies one of its events, in seq order, to that view. `data` is already checked. */
  apply(event: LiveEvent): void;
  /**
   * What the event changes for a viewer: the one privacy projection point of the module.
   * Called after every event of the frame has been applied, so state the module derives
   * (a region's figures) is the state at the frame's seq.
   */
  project(event: LiveEvent, viewer: Viewer, cls: ViewerClass): LiveChange[];
  /**
   * Viewers with the same key get the same projection of this event, rendered once.
   * Default: the viewer class, plus the region for municipality officers.
   */
  viewerKey?(event: LiveEvent, viewer: Viewer, cls: ViewerClass): string;
  /** The module's slices of a viewer's snapshot (slice name: values), from its in-memory view. */
  snapshot(viewer: Viewer): Record<string, unknown[]>;
  /** Other modules' event types this module reads to keep state of its own current. */
  readonly observes?: LiveObserver;
}

/**
 * A read-only subscription to event types another module owns (a municipality's capacity
 * figures follow every unit change). The owner checks, applies and projects the event as
 * ever; the observer gets it in seq order right after the owner's `apply` and may add
 * changes of its own slices to the same frame, for viewers in the event's audience only.
 * It never changes what the owner sends, and an event it cares about needs no second event.
 */
export interface LiveObserver {
  readonly types: readonly string[];
  /** Updates the observer's own view from the event (data already checked by the owner). */
  apply(event: LiveEvent): void;
  /** Changes of the observer's own slices for this viewer; called like `LiveModule.project`. */
  project?(event: LiveEvent, viewer: Viewer, cls: ViewerClass): LiveChange[];
  /** As `LiveModule.viewerKey`, for this projection. */
  viewerKey?(event: LiveEvent, viewer: Viewer, cls: ViewerClass): string;
}

/**
 * Modules are made per app instance: each keeps its own in-memory view. `app` (absent in a
 * hub that only renders snapshots) lets a module hand work that follows a change to its
 * instance, e.g. the swaps module's recompute.
 */
export type LiveModuleFactory = (app?: FastifyInstance) => LiveModule;
