// The districts of a layer on the client: ids, names, values and withheld indicators from
// `values.json` (no geometry), and the outlines from features.geojson where the layer is small.
//
// Owns the FeatureIndex per layer. Why two files: hover and click find the district under the
// mouse in the server's hover grids (grid.js), and the table, profile, search, hover box and CSV
// need only values, so the page works as soon as `values.json` has arrived (for the 3,233 US
// counties a few hundred kB instead of the 24.6 MB of features.geojson). Geometry is only needed
// for drawing on the map: the outlines of the hovered and the selected district, the hatch over
// withheld districts and the names (labels.js). It is loaded in the background, and attached to
// the same items, for layers of at most GEOMETRY_MAX districts; larger layers show no outlines,
// hatch or names (features.geojson stays a download). Ranks and averages are not computed here:
// the server sends them.
import * as state from './state.js';
import { fetchFeatures, fetchValues } from './api.js';

/** Layers with more districts than this load no geometry (see above). */
export const GEOMETRY_MAX = 2000;

/** True when the value of `indicatorId` is withheld (small-number suppression) for this district. */
export function isSuppressed(item, indicatorId) {
  return !!(item && item.suppressed && item.suppressed.has(indicatorId));
}

/** `suppressed` of a district or an `/at` answer as a Set of indicator ids. */
export function suppressedSet(list) {
  return new Set(Array.isArray(list) ? list.map(String) : []);
}

function polygonsOf(geometry) {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return [geometry.coordinates];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates;
  if (geometry.type === 'GeometryCollection') return (geometry.geometries || []).flatMap(polygonsOf);
  return [];
}

function bboxOf(polys) {
  const bbox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const poly of polys) {
    for (const ring of poly) {
      for (const c of ring) {
        if (c[0] < bbox[0]) bbox[0] = c[0];
        if (c[1] < bbox[1]) bbox[1] = c[1];
        if (c[0] > bbox[2]) bbox[2] = c[0];
        if (c[1] > bbox[3]) bbox[3] = c[1];
      }
    }
  }
  return bbox;
}

export class FeatureIndex {
  /** From `values.json`: items in layer order (hover grid keys are positions in `items`). */
  constructor(values) {
    const inds = (values && Array.isArray(values.indicators)) ? values.indicators : [];
    const rows = (values && Array.isArray(values.districts)) ? values.districts : [];
    this.items = rows.map((row) => {
      const id = String(row.id);
      const v = {};
      inds.forEach((ind, i) => { v[ind] = row.values ? row.values[i] : null; });
      return {
        id,
        name: row.name != null ? String(row.name) : id,
        values: v,
        suppressed: suppressedSet(row.suppressed),
        polys: [],
        bbox: null,
        feature: null,
      };
    });
    /** indicator id -> the statistics of the values shown (count, mean, reference, …). */
    this.stats = new Map(inds.map((ind, i) => [ind, (values.stats && values.stats[i]) || null]));
    this.byId = new Map();
    // The first district of an id wins, as on the server.
    for (const item of this.items) if (!this.byId.has(item.id)) this.byId.set(item.id, item);
    this.hasGeometry = false;
  }

  /** The district at a position of the layer (a hover grid key), or null. */
  at(position) {
    return this.items[position] || null;
  }

  /**
   * The district containing `[lon, lat]` by its outlines (even-odd over every ring), or null.
   * Only the static site needs it: it has no server for the hover grids, and its layers are small
   * enough to carry their outlines.
   */
  locate(lon, lat) {
    for (const item of this.items) {
      const b = item.bbox;
      if (!b || lon < b[0] || lon > b[2] || lat < b[1] || lat > b[3]) continue;
      for (const poly of item.polys) {
        let inside = false;
        for (const ring of poly) {
          for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
            const [xi, yi] = ring[i];
            const [xj, yj] = ring[j];
            if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
          }
        }
        if (inside) return item;
      }
    }
    return null;
  }

  /** Outlines from features.geojson, attached to the items of the same ids. */
  attachGeometry(geojson) {
    const features = (geojson && Array.isArray(geojson.features)) ? geojson.features : [];
    features.forEach((f, i) => {
      const props = f.properties || {};
      const item = this.items[i] && this.items[i].id === String(props.id) ? this.items[i] : this.byId.get(String(props.id));
      if (!item) return;
      item.polys = polygonsOf(f.geometry);
      item.bbox = bboxOf(item.polys);
      item.feature = f;
    });
    this.hasGeometry = true;
  }
}

/** `layer?period` -> Promise of its FeatureIndex. */
const loading = new Map();
/** `layer?period` -> the FeatureIndex once loaded (synchronous access for hover). */
const ready = new Map();
/** layer id -> Promise of features.geojson (the outlines are the same in every period). */
const outlines = new Map();
let geometryListener = () => {};

/**
 * The values.json query of the period the page shows (`?period=2015&compare=2010`), '' for each
 * indicator's latest: an index is kept per layer and period, so the table, hover box, search and
 * downloads show the values of the map.
 */
export function periodQuery() {
  const s = state.style();
  const q = new URLSearchParams();
  for (const key of ['period', 'compare', 'change']) if (s[key] != null && s[key] !== '') q.set(key, s[key]);
  const text = q.toString();
  return text ? '?' + text : '';
}

/** Calls `fn(layerId)` whenever a layer's geometry has been attached. */
export function onGeometry(fn) {
  geometryListener = fn;
}

/**
 * The FeatureIndex of a layer in the period shown, loading values.json the first time (again
 * after a failure); the geometry follows in the background when the layer has at most
 * GEOMETRY_MAX districts (fetched once per layer).
 */
export function loadFeatures(layerId) {
  const key = layerId + periodQuery();
  if (!loading.has(key)) {
    const p = fetchValues(layerId, periodQuery()).then((values) => {
      const index = new FeatureIndex(values);
      ready.set(key, index);
      if (index.items.length <= GEOMETRY_MAX) {
        if (!outlines.has(layerId)) {
          const geo = fetchFeatures(layerId);
          geo.catch(() => outlines.delete(layerId));
          outlines.set(layerId, geo);
        }
        outlines.get(layerId).then((gj) => {
          index.attachGeometry(gj);
          geometryListener(layerId);
        }, () => {});
      }
      return index;
    });
    p.catch(() => loading.delete(key));
    loading.set(key, p);
  }
  return loading.get(key);
}

/** The FeatureIndex of a layer in the period shown if it has arrived, else null. */
export const featuresOf = (layerId) => ready.get(layerId + periodQuery()) || null;
