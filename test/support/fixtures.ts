import type { SessionUser, Unit } from '@opvangatlas/shared';
import type { App } from '../../server/src/app';
import { demoEmail, login } from './instance';

/** Logged-in cookies for the demo roles, and helpers to find units through the API. */
export async function demoSessions(app: App) {
  const [worker, planner, coordinator, municipality, admin] = await Promise.all(
    ['vo_worker', 'vo_planner', 'coordinator', 'municipality', 'admin'].map((r) =>
      login(app, demoEmail(r)),
    ),
  );
  return {
    worker: worker!,
    planner: planner!,
    coordinator: coordinator!,
    municipality: municipality!,
    admin: admin!,
  };
}

/** The user a session cookie belongs to. */
export async function sessionUser(app: App, cookie: string): Promise<SessionUser> {
  const res = await app.inject({ url: '/api/session', headers: { cookie } });
  return res.json<{ user: SessionUser }>().user;
}

export async function getUnits(app: App, cookie: string, query = ''): Promise<Unit[]> {
  const res = await app.inject({ method: 'GET', url: `/api/units${query}`, headers: { cookie } });
  if (res.statusCode !== 200) throw new Error(`units: ${res.statusCode} ${res.body}`);
  return res.json<Unit[]>();
}

export async function patchUnit(
  app: App,
  cookie: string,
  unit: Pick<Unit, 'id' | 'version'>,
  body: object,
) {
  return app.inject({
    method: 'PATCH',
    url: `/api/units/${unit.id}`,
    headers: { cookie },
    payload: { version: unit.version, ...body },
  });
}

/** Toggles a unit between free and occupied `times` times, as its own organisation. */
export async function churn(app: App, cookie: string, unit: Unit, times: number): Promise<Unit> {
  let current = unit;
  for (let i = 0; i < times; i++) {
    const body =
      current.status === 'free'
        ? { status: 'occupied', household: { adults: 1, children: 0 } }
        : { status: 'free' };
    const res = await patchUnit(app, cookie, current, body);
    if (res.statusCode !== 200) throw new Error(`churn: ${res.statusCode} ${res.body}`);
    current = res.json<Unit>();
  }
  return current;
}
