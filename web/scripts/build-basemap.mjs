// Builds the offline basemap: the Netherlands from CBS's generalised provinces (geo/, land
// only, so the IJsselmeer, Markermeer and Waddenzee are water) and its neighbours from Natural
// Earth (world-atlas countries-50m, public domain), so the map needs no tile server, glyphs or
// sprites: a night-shift worker's map must work when nothing but our own origin is reachable.
//
// Output: static/geo/basemap.geojson with
//   - one Polygon/MultiPolygon per neighbouring country, clipped to BBOX, { kind: 'land', name, nl: false }
//   - one per Dutch province, { kind: 'land', name, nl: true }
//   - land borders between countries as LineStrings, { kind: 'border' }
//   - boundaries between provinces, { kind: 'province' }
// Run by `npm run dev` / `npm run build` (see package.json); skipped when already up to date.
import { createRequire } from 'node:module';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import topojson from 'topojson-client';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const source = require.resolve('world-atlas/countries-50m.json');
const provincesSource = join(here, 'geo', 'nl-provinces-2023.topojson');
const target = join(here, '..', 'static', 'geo', 'basemap.geojson');
const municipalitiesSource = join(here, 'geo', 'nl-municipalities-2023.topojson');
/** The 35 regions with their central city's position, as the database is seeded with them. */
const regionsSource = join(here, '..', '..', 'db', 'src', 'seed', 'nl-regions-2023.csv');
const regionsTarget = join(here, '..', 'static', 'geo', 'regions.geojson');

/** [west, south, east, north]: the Netherlands with a margin of its neighbours. Keep in sync with src/lib/map/basemap.ts. */
export const BBOX = [2.2, 49.9, 8.6, 54.2];
const NETHERLANDS_ID = '528';
const PRECISION = 1e4; // ~10 m, far below what the 1:50m source resolves

async function upToDate() {
  try {
    const [out, regionsOut, ...inputs] = await Promise.all(
      [
        target,
        regionsTarget,
        source,
        provincesSource,
        municipalitiesSource,
        regionsSource,
        fileURLToPath(import.meta.url),
      ].map((f) => stat(f)),
    );
    return inputs.every((i) => Math.min(out.mtimeMs, regionsOut.mtimeMs) >= i.mtimeMs);
  } catch {
    return false;
  }
}

const round = (v) => Math.round(v * PRECISION) / PRECISION;

/** Sutherland-Hodgman clipping of one closed ring against the bbox. */
function clipRing(ring) {
  const [w, s, e, n] = BBOX;
  const edges = [
    [(p) => p[0] >= w, (a, b) => at(a, b, 0, w)],
    [(p) => p[0] <= e, (a, b) => at(a, b, 0, e)],
    [(p) => p[1] >= s, (a, b) => at(a, b, 1, s)],
    [(p) => p[1] <= n, (a, b) => at(a, b, 1, n)],
  ];
  let out = ring.slice(0, -1); // open the ring
  for (const [inside, cross] of edges) {
    const input = out;
    out = [];
    for (let i = 0; i < input.length; i++) {
      const cur = input[i];
      const prev = input[(i + input.length - 1) % input.length];
      if (inside(cur)) {
        if (!inside(prev)) out.push(cross(prev, cur));
        out.push(cur);
      } else if (inside(prev)) {
        out.push(cross(prev, cur));
      }
    }
    if (out.length === 0) return null;
  }
  const closed = out.map(([x, y]) => [round(x), round(y)]);
  if (closed.length < 3) return null;
  closed.push(closed[0]);
  return closed;
}

/** Point on segment a-b where coordinate `axis` equals `value`. */
function at(a, b, axis, value) {
  const t = (value - a[axis]) / (b[axis] - a[axis]);
  return axis === 0 ? [value, a[1] + t * (b[1] - a[1])] : [a[0] + t * (b[0] - a[0]), value];
}

function clipPolygons(geometry) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const out = [];
  for (const polygon of polygons) {
    const [outer, ...holes] = polygon.map(clipRing);
    if (!outer) continue;
    out.push([outer, ...holes.filter(Boolean)]);
  }
  if (out.length === 0) return null;
  return out.length === 1
    ? { type: 'Polygon', coordinates: out[0] }
    : { type: 'MultiPolygon', coordinates: out };
}

/** Liang-Barsky clipping of a line into the parts that lie inside the bbox. */
function clipLine(line) {
  const [w, s, e, n] = BBOX;
  const parts = [];
  let current = [];
  const flush = () => {
    if (current.length >= 2) parts.push(current.map(([x, y]) => [round(x), round(y)]));
    current = [];
  };
  for (let i = 1; i < line.length; i++) {
    const [x0, y0] = line[i - 1];
    const [x1, y1] = line[i];
    const dx = x1 - x0;
    const dy = y1 - y0;
    let t0 = 0;
    let t1 = 1;
    let visible = true;
    for (const [p, q] of [
      [-dx, x0 - w],
      [dx, e - x0],
      [-dy, y0 - s],
      [dy, n - y0],
    ]) {
      if (p === 0) {
        if (q < 0) visible = false;
      } else {
        const r = q / p;
        if (p < 0) t0 = Math.max(t0, r);
        else t1 = Math.min(t1, r);
      }
    }
    if (!visible || t0 > t1) {
      flush();
      continue;
    }
    const a = [x0 + t0 * dx, y0 + t0 * dy];
    const b = [x0 + t1 * dx, y0 + t1 * dy];
    if (current.length === 0) current.push(a);
    current.push(b);
    if (t1 < 1) flush();
  }
  flush();
  return parts;
}

function roundGeometry(geometry) {
  const visit = (c) => (typeof c[0] === 'number' ? [round(c[0]), round(c[1])] : c.map(visit));
  return { ...geometry, coordinates: visit(geometry.coordinates) };
}

function intersectsBbox(geometry) {
  const [w, s, e, n] = BBOX;
  let hit = false;
  const visit = (c) => {
    if (hit) return;
    if (typeof c[0] === 'number') {
      if (c[0] >= w && c[0] <= e && c[1] >= s && c[1] <= n) hit = true;
    } else c.forEach(visit);
  };
  visit(geometry.coordinates);
  return hit;
}

/** Signed area of a closed ring, square degrees. */
function ringArea(ring) {
  let area = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    area += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  }
  return area / 2;
}

/** Area-weighted centre of a (multi)polygon's outer rings, in degrees (planar: small areas). */
function centroid(geometry) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let area = 0;
  let x = 0;
  let y = 0;
  for (const [ring] of polygons) {
    for (let i = 0; i < ring.length - 1; i++) {
      const [x0, y0] = ring[i];
      const [x1, y1] = ring[i + 1];
      const cross = x0 * y1 - x1 * y0;
      area += cross;
      x += (x0 + x1) * cross;
      y += (y0 + y1) * cross;
    }
  }
  return [x / (3 * area), y / (3 * area)];
}

/**
 * Areas of the 35 regions, for the coordinators' pressure map: the data has no region
 * boundaries, only each region's central city. Every CBS municipality joins the region whose
 * central city is nearest to its centre, and a region's municipalities are merged into one
 * area. An approximation of the real regions (centrumgemeente plus regiogemeenten), drawn
 * as an overview, never used to decide where a place belongs.
 */
async function regionAreas() {
  const rows = (await readFile(regionsSource, 'utf8')).trim().split('\n').slice(1);
  const centres = rows.map((line) => {
    const [name, lat, lon] = line.split(',');
    return { name, lat: Number(lat), lon: Number(lon) };
  });
  const topology = JSON.parse(await readFile(municipalitiesSource, 'utf8'));
  const object = topology.objects.gemeente_2023;
  const members = new Map(centres.map((c) => [c.name, []]));
  for (const [i, f] of topojson.feature(topology, object).features.entries()) {
    const [lon, lat] = centroid(f.geometry);
    const k = Math.cos((lat * Math.PI) / 180);
    let best = centres[0];
    let bestDistance = Infinity;
    for (const c of centres) {
      const d = ((c.lon - lon) * k) ** 2 + (c.lat - lat) ** 2;
      if (d < bestDistance) [best, bestDistance] = [c, d];
    }
    members.get(best.name).push(object.geometries[i]);
  }
  const features = [...members].map(([name, geometries]) => {
    const merged = roundGeometry(topojson.merge(topology, geometries));
    // Merging leaves slivers where two municipalities' generalised borders do not quite meet.
    merged.coordinates = merged.coordinates.map(([outer, ...holes]) => [
      outer,
      ...holes.filter((ring) => Math.abs(ringArea(ring)) > 1e-5),
    ]);
    return { type: 'Feature', properties: { kind: 'region', name }, geometry: merged };
  });
  const lines = topojson.mesh(topology, object, (a, b) => {
    const region = (g) => [...members].find(([, list]) => list.includes(g))?.[0];
    return a !== b && region(a) !== region(b);
  });
  for (const line of lines.coordinates) {
    features.push({
      type: 'Feature',
      properties: { kind: 'region-border' },
      geometry: { type: 'LineString', coordinates: line.map(([x, y]) => [round(x), round(y)]) },
    });
  }
  return { type: 'FeatureCollection', features };
}

async function main() {
  if (await upToDate()) {
    console.log(`basemap: ${target} is up to date`);
    return;
  }
  const topology = JSON.parse(await readFile(source, 'utf8'));
  const countries = topojson.feature(topology, topology.objects.countries);
  const features = [];
  for (const f of countries.features) {
    // Natural Earth's Netherlands has the lakes as land: CBS's provinces stand in below.
    if (f.id === NETHERLANDS_ID) continue;
    if (!f.geometry || !intersectsBbox(f.geometry)) continue;
    const geometry = clipPolygons(f.geometry);
    if (!geometry) continue;
    features.push({
      type: 'Feature',
      properties: { kind: 'land', name: f.properties.name, nl: f.id === NETHERLANDS_ID },
      geometry,
    });
  }
  // Shared arcs only: borders between two countries, not the coastline.
  const borders = topojson.mesh(topology, topology.objects.countries, (a, b) => a !== b);
  for (const line of borders.coordinates) {
    for (const part of clipLine(line)) {
      features.push({
        type: 'Feature',
        properties: { kind: 'border' },
        geometry: { type: 'LineString', coordinates: part },
      });
    }
  }
  const provinces = JSON.parse(await readFile(provincesSource, 'utf8'));
  const object = provinces.objects.provincie_2023;
  for (const f of topojson.feature(provinces, object).features) {
    features.push({
      type: 'Feature',
      properties: { kind: 'land', name: f.properties.statnaam, nl: true },
      geometry: roundGeometry(f.geometry),
    });
  }
  for (const line of topojson.mesh(provinces, object, (a, b) => a !== b).coordinates) {
    features.push({
      type: 'Feature',
      properties: { kind: 'province' },
      geometry: { type: 'LineString', coordinates: line.map(([x, y]) => [round(x), round(y)]) },
    });
  }
  await mkdir(dirname(target), { recursive: true });
  const body = JSON.stringify({ type: 'FeatureCollection', bbox: BBOX, features });
  await writeFile(target, body);
  const names = features.filter((f) => f.properties.kind === 'land').map((f) => f.properties.name);
  console.log(
    `basemap: wrote ${target} (${(body.length / 1024).toFixed(0)} kB: ${names.join(', ')})`,
  );
  const regions = JSON.stringify(await regionAreas());
  await writeFile(regionsTarget, regions);
  console.log(`basemap: wrote ${regionsTarget} (${(regions.length / 1024).toFixed(0)} kB)`);
}

await main();
