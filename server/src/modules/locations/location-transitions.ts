import type { Location } from '@opvangatlas/shared';
import { AppError } from '../../errors';
import type { ChangeContext } from '../events/change-runner';
import { locationConfirmedEvent } from './location-live';
import { findLocation, markConfirmed, toLocation } from './location-repository';

/**
 * The location's figures are confirmed now: "klopt nog", or a unit of it changed by its own
 * VO (issue 14: whoever just set a unit knows the location's state, so "laatst bevestigd"
 * moves with it). Access is the calling service's business.
 */
export async function confirmLocation(
  ctx: ChangeContext,
  actorUserId: number,
  id: number,
): Promise<Location> {
  const row = await findLocation(ctx.tx, id);
  if (!row) throw new AppError('location_not_found', 'Locatie niet gevonden');
  await markConfirmed(ctx.tx, id, ctx.now, actorUserId);
  const location = toLocation((await findLocation(ctx.tx, id))!);
  ctx.emit(locationConfirmedEvent(actorUserId, location));
  return location;
}
