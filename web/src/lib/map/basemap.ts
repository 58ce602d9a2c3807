import type { MapOptions } from 'maplibre-gl';

export type StyleSpecification = Exclude<MapOptions['style'], string | undefined>;
type Bounds = [[number, number], [number, number]];

/** The European Netherlands, for the first view. */
export const NL_BOUNDS: Bounds = [
  [3.35, 50.74],
  [7.23, 53.56],
];

/** Zoom of a map opened on one region: the central city and its regiogemeenten. */
export const FOCUS_ZOOM = 8.5;

/** Extent of the generated basemap (BBOX in scripts/build-basemap.mjs): panning stops here. */
export const BASEMAP_BOUNDS: Bounds = [
  [2.2, 49.9],
  [8.6, 54.2],
];

/**
 * Served from static/geo, generated at build time (scripts/build-basemap.mjs) from CBS's
 * provinces and Natural Earth's neighbours: no network needed.
 */
export const BASEMAP_PATH = '/geo/basemap.geojson';

/**
 * Offline style: background (water), land and borders from our own GeoJSON. No glyphs,
 * sprites, tile servers or web fonts, so no symbol layers: labels are HTML markers.
 */
export function offlineStyle(dataUrl: string): StyleSpecification {
  return {
    version: 8,
    name: 'opvangatlas-offline',
    sources: {
      basemap: { type: 'geojson', data: dataUrl, attribution: 'Bron: CBS, PDOK; Natural Earth' },
    },
    layers: [
      { id: 'water', type: 'background', paint: { 'background-color': '#d7e6ee' } },
      {
        id: 'land',
        type: 'fill',
        source: 'basemap',
        filter: ['==', ['get', 'kind'], 'land'],
        paint: {
          'fill-color': ['case', ['==', ['get', 'nl'], true], '#fbfbf8', '#e9ebe6'],
          'fill-outline-color': '#9aa5b1',
        },
      },
      {
        id: 'provinces',
        type: 'line',
        source: 'basemap',
        filter: ['==', ['get', 'kind'], 'province'],
        paint: { 'line-color': '#b4bcc6', 'line-width': 0.8 },
      },
      {
        id: 'borders',
        type: 'line',
        source: 'basemap',
        filter: ['==', ['get', 'kind'], 'border'],
        paint: { 'line-color': '#6b7785', 'line-width': 1.2, 'line-dasharray': [3, 2] },
      },
    ],
  };
}
