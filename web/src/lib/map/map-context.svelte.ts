import { getContext, setContext } from 'svelte';
import type * as MapLibre from 'maplibre-gl';
import type { Map as MapLibreMap } from 'maplibre-gl';

const KEY = Symbol('map');

/**
 * The map as its children see it (the svelte-maplibre pattern): MapView creates it, loads
 * maplibre into it, and every marker or layer inside reads it from the context instead of
 * taking the map as a prop.
 */
export class MapContext {
  /** The maplibre module, loaded lazily with the map. */
  lib = $state.raw<typeof MapLibre | null>(null);
  map = $state.raw<MapLibreMap | null>(null);
  /**
   * The camera: bumped at most once per frame while the map moves or resizes. Screen
   * positions depend on it, so whatever reads `project()` follows the camera.
   */
  camera = $state(0);

  /** Where a point is on screen now (pixels from the map's top left); null before the map. */
  project(lngLat: [number, number]): { x: number; y: number } | null {
    void this.camera;
    return this.map?.project(lngLat) ?? null;
  }
}

export function setMapContext(context: MapContext): MapContext {
  return setContext(KEY, context);
}

export function getMapContext(): MapContext {
  const context = getContext<MapContext | undefined>(KEY);
  if (!context) throw new Error('getMapContext() used outside MapView');
  return context;
}
