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

/** [west, south, east, north]: the Netherlands with a margin of its neighbours. Keep in sync with src/lib/map/basemap.ts. */
export const BBOX = [2.2, 49.9, 8.6, 54.2];
const NETHERLANDS_ID = '528';
const PRECISION = 1e4; // ~10 m, far below what the 1:50m source resolves

async function upToDate() {
  try {
    const [out, ...inputs] = await Promise.all(
      [target, source, provincesSource, fileURLToPath(import.meta.url)].map((f) => stat(f)),
    );
    return inputs.every((i) => out.mtimeMs >= i.mtimeMs);
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
}

await main();
