/**
 * `npm run simulate`: drives a running server through its public API with realistic
 * activity, so the live map can be watched and loaded. Every change is made by the unit's
 * own VO (its demo worker), holds by a worker of another VO, as in real life.
 *
 *   npm run simulate -- --url http://localhost:3000 --rate 2 --peak-rate 15 --peak-every 60 --duration 300
 */
import { parseArgs } from 'node:util';
import { Availability, Unit, type UnitKind } from '../shared/src/index';
import { AVERAGE_STAY_DAYS, slug } from '../db/src/seed/index';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:3000' },
    /** Changes per second outside peaks. */
    rate: { type: 'string', default: '2' },
    /** Changes per second during a peak (an evening with many police call-outs). */
    'peak-rate': { type: 'string', default: '12' },
    /** Seconds between the starts of two peaks; each peak lasts a fifth of that. */
    'peak-every': { type: 'string', default: '60' },
    /** Seconds to run; 0 runs until stopped. */
    duration: { type: 'string', default: '0' },
    'target-occupancy': { type: 'string', default: '0.9' },
    password: { type: 'string', default: 'demo' },
  },
});
const base = args.url!.replace(/\/$/, '');
const rate = Number(args.rate);
const peakRate = Number(args['peak-rate']);
const peakEvery = Number(args['peak-every']) * 1000;
const duration = Number(args.duration) * 1000;
const target = Number(args['target-occupancy']);

const cookies = new Map<string, string>();
async function cookieFor(email: string): Promise<string> {
  const known = cookies.get(email);
  if (known) return known;
  const res = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: args.password }),
  });
  if (!res.ok) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('oa_session='))!
    .split(';')[0]!;
  cookies.set(email, cookie);
  return cookie;
}

async function api<T>(
  email: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      cookie: await cookieFor(email),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: (await res.json().catch(() => null)) as T };
}

const pick = <T>(xs: T[]): T | undefined => xs[Math.floor(Math.random() * xs.length)];
const workerOf = new Map<number, string>();
const stats = {
  arrivals: 0,
  departures: 0,
  holds: 0,
  placements: 0,
  releases: 0,
  confirms: 0,
  conflicts: 0,
  errors: 0,
};

async function loadWorld() {
  const avail = Availability.parse(
    (await api<unknown>('coordinator@demo.opvangatlas.nl', 'GET', '/api/availability')).json,
  );
  for (const l of avail.regions.flatMap((r) => r.locations ?? [])) {
    workerOf.set(l.organisationId, `vo_worker.${slug(l.organisationName)}@demo.opvangatlas.nl`);
  }
  return avail.regions.flatMap((r) => r.locations ?? []).map((l) => l.id);
}

async function units(): Promise<Unit[]> {
  const { json } = await api<unknown>('coordinator@demo.opvangatlas.nl', 'GET', '/api/units');
  return Unit.array().parse(json);
}

function household(maxPersons: number) {
  const adults = Math.random() < 0.9 ? 1 : Math.min(2, maxPersons);
  return { adults, children: Math.floor(Math.random() * (maxPersons - adults + 1)) };
}

/** Departures weighted by 1/average stay: noodbedden turn over far faster than vervolg. */
const departureWeight = (kind: UnitKind) => 1 / AVERAGE_STAY_DAYS[kind];

type Action = {
  key: keyof typeof stats;
  email: string;
  method: string;
  path: string;
  body?: unknown;
};

/** Chooses one realistic change, given the current state. */
function nextAction(all: Unit[], locationIds: number[]): Action | undefined {
  const inService = all.filter((u) => u.status !== 'out_of_service');
  const occupancy = inService.filter((u) => u.status !== 'free').length / inService.length;
  const roll = Math.random();
  if (roll < 0.1) {
    // A night-shift worker of another VO holds a free noodbed for a placement.
    const unit = pick(all.filter((u) => u.status === 'free' && u.kind === 'noodbed'));
    const other = pick([...workerOf.entries()].filter(([org]) => org !== unit?.organisationId));
    if (!unit || !other) return undefined;
    return { key: 'holds', email: other[1], method: 'POST', path: `/api/units/${unit.id}/hold` };
  }
  if (roll < 0.18) {
    // A hold ends: usually the household arrives (the owner records it), else it is released.
    const unit = pick(all.filter((u) => u.status === 'held'));
    if (!unit) return undefined;
    const owner = workerOf.get(unit.organisationId)!;
    return Math.random() < 0.7
      ? {
          key: 'placements',
          email: owner,
          method: 'PATCH',
          path: `/api/units/${unit.id}`,
          body: {
            version: unit.version,
            status: 'occupied',
            household: household(unit.maxPersons),
          },
        }
      : { key: 'releases', email: owner, method: 'DELETE', path: `/api/units/${unit.id}/hold` };
  }
  if (roll < 0.25) {
    const id = pick(locationIds);
    const unit = all.find((u) => u.locationId === id);
    if (!unit) return undefined;
    return {
      key: 'confirms',
      email: workerOf.get(unit.organisationId)!,
      method: 'POST',
      path: `/api/locations/${id}/confirm`,
    };
  }
  // Arrivals and departures keep occupancy around the target.
  if (Math.random() < 0.5 + (target - occupancy) * 5) {
    const unit = pick(all.filter((u) => u.status === 'free'));
    if (!unit) return undefined;
    return {
      key: 'arrivals',
      email: workerOf.get(unit.organisationId)!,
      method: 'PATCH',
      path: `/api/units/${unit.id}`,
      body: { version: unit.version, status: 'occupied', household: household(unit.maxPersons) },
    };
  }
  const occupied = all.filter((u) => u.status === 'occupied');
  let r = Math.random() * occupied.reduce((sum, u) => sum + departureWeight(u.kind), 0);
  const unit = occupied.find((u) => (r -= departureWeight(u.kind)) < 0);
  if (!unit) return undefined;
  return {
    key: 'departures',
    email: workerOf.get(unit.organisationId)!,
    method: 'PATCH',
    path: `/api/units/${unit.id}`,
    body: { version: unit.version, status: 'free' },
  };
}

async function step(all: Unit[], locationIds: number[]): Promise<void> {
  const action = nextAction(all, locationIds);
  if (!action) return;
  const { status, json } = await api<unknown>(
    action.email,
    action.method,
    action.path,
    action.body,
  );
  if (status === 409) stats.conflicts += 1;
  else if (status !== 200) stats.errors += 1;
  else {
    stats[action.key] += 1;
    const changed = Unit.safeParse(json);
    if (changed.success) {
      const i = all.findIndex((u) => u.id === changed.data.id);
      if (i >= 0) all[i] = changed.data;
    }
  }
}

async function main() {
  const locationIds = await loadWorld();
  console.log(
    `Simulating on ${base}: ${rate}/s, peaks of ${peakRate}/s every ${peakEvery / 1000}s. Ctrl+C stops.`,
  );
  const started = Date.now();
  let all = await units();
  let lastRefresh = Date.now();
  let lastReport = Date.now();
  for (;;) {
    const elapsed = Date.now() - started;
    if (duration > 0 && elapsed > duration) break;
    const inPeak = peakEvery > 0 && elapsed % peakEvery < peakEvery / 5;
    const currentRate = inPeak ? peakRate : rate;
    await step(all, locationIds).catch(() => void (stats.errors += 1));
    if (Date.now() - lastRefresh > 2000) {
      all = await units();
      lastRefresh = Date.now();
    }
    if (Date.now() - lastReport > 10_000) {
      console.log(
        `${Math.round(elapsed / 1000)}s ${inPeak ? '(piek) ' : ''}${JSON.stringify(stats)}`,
      );
      lastReport = Date.now();
    }
    await new Promise((r) => setTimeout(r, (1000 / currentRate) * (0.5 + Math.random())));
  }
  console.log('done', JSON.stringify(stats));
}

void main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
