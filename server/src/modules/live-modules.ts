import type { LiveModuleFactory } from '../live/live-module';
import { locationLiveModule } from './locations/location-live';
import { overflowLiveModule } from './overflow/overflow-live';
import { placementLiveModule } from './placements/placement-live';
import { alertRuleLiveModule } from './pressure/alert-rule-live';
import { sessionLiveModule } from './session/session-live';
import { swapLiveModule } from './swaps/swap-live';
import { swapRecomputesOf } from './swaps/swap-triggers';
import { unitLiveModule } from './units/unit-live';

/** Every domain that puts changes on the live stream: a new domain adds one line here. */
export const liveModules: readonly LiveModuleFactory[] = [
  unitLiveModule,
  locationLiveModule,
  placementLiveModule,
  overflowLiveModule,
  sessionLiveModule,
  // Every instance's swaps module asks its own app for a recompute when a change may open a swap.
  (app) => swapLiveModule(app && swapRecomputesOf(app)),
  alertRuleLiveModule,
];
