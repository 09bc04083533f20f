// The districts of a layer on the client: features.geojson, loaded once per layer in the
// background, with a grid index for "which district is under the mouse".
//
// Owns the loaded FeatureIndex per layer. Hover strategy: a client-side point-in-polygon test on
// features.geojson, with `/at` (throttled, one request in flight; hover.js) only until the file
// has arrived. Why: the page needs features.geojson anyway for the table view, the hatch over
// withheld districts and the outlines of the hovered and the selected district, so after one
// download every mouse move is answered locally with no request at all. A uniform grid over the
// layer's bounds (about 2 cells per district) reduces each lookup to the few districts whose
// bounding box covers the cell; the even-odd ray test on their rings then costs a few hundred
// vertex comparisons. For the 3,233 US counties (about a million vertices) a lookup stays well
// under a millisecond, while `/at` would cost a network round trip per move (and a 404 logged by
// the browser for every move over a gap between districts). Ranks and averages are not computed
// here: the server sends them (`/districts/{id}`, `/api/layers/{layer}`).
import { fetchFeatures } from './api.js';

/** True when the value of `indicatorId` is withheld (small-number suppression) for this district. */
export function isSuppressed(item, indicatorId) {
  return !!(item && item.suppressed && item.suppressed.has(indicatorId));
}

/** `suppressed` of a feature or an `/at` answer as a Set of indicator ids. */
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

/** Even-odd ray test over all rings of one polygon, so holes count as outside. */
function polygonContains(rings, x, y) {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const xi = ring[i][0]; const yi = ring[i][1];
      const xj = ring[j][0]; const yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
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
  constructor(geojson) {
    const features = (geojson && Array.isArray(geojson.features)) ? geojson.features : [];
    this.items = [];
    this.byId = new Map();
    let w = Infinity; let s = Infinity; let e = -Infinity; let n = -Infinity;
    for (const f of features) {
      const props = f.properties || {};
      const id = String(props.id != null ? props.id : (f.id != null ? f.id : ''));
      const name = props.name != null ? String(props.name) : id;
      let values = props.values;
      if (!values || typeof values !== 'object') {
        values = {};
        for (const [k, v] of Object.entries(props)) if (k !== 'id' && k !== 'name') values[k] = v;
      }
      const polys = polygonsOf(f.geometry);
      const bbox = bboxOf(polys);
      const item = { id, name, values, suppressed: suppressedSet(props.suppressed), polys, bbox, feature: f };
      this.items.push(item);
      this.byId.set(id, item);
      if (polys.length) {
        w = Math.min(w, bbox[0]); s = Math.min(s, bbox[1]);
        e = Math.max(e, bbox[2]); n = Math.max(n, bbox[3]);
      }
    }
    this.buildGrid(w, s, e, n);
  }

  buildGrid(w, s, e, n) {
    const count = this.items.length;
    const size = Math.max(1, Math.min(256, Math.ceil(Math.sqrt(count * 2))));
    this.grid = { w, s, e, n, size, cells: new Array(size * size) };
    if (!(e > w) || !(n > s)) return;
    const cw = (e - w) / size;
    const ch = (n - s) / size;
    this.grid.cw = cw;
    this.grid.ch = ch;
    this.items.forEach((item, i) => {
      if (!item.polys.length) return;
      const x0 = Math.max(0, Math.floor((item.bbox[0] - w) / cw));
      const x1 = Math.min(size - 1, Math.floor((item.bbox[2] - w) / cw));
      const y0 = Math.max(0, Math.floor((item.bbox[1] - s) / ch));
      const y1 = Math.min(size - 1, Math.floor((item.bbox[3] - s) / ch));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const k = y * size + x;
          (this.grid.cells[k] || (this.grid.cells[k] = [])).push(i);
        }
      }
    });
  }

  /** The district containing (lon, lat), or null. */
  find(lon, lat) {
    const g = this.grid;
    if (!g.cw || lon < g.w || lon > g.e || lat < g.s || lat > g.n) return null;
    const x = Math.min(g.size - 1, Math.floor((lon - g.w) / g.cw));
    const y = Math.min(g.size - 1, Math.floor((lat - g.s) / g.ch));
    const cell = g.cells[y * g.size + x];
    if (!cell) return null;
    for (const i of cell) {
      const item = this.items[i];
      const b = item.bbox;
      if (lon < b[0] || lon > b[2] || lat < b[1] || lat > b[3]) continue;
      for (const poly of item.polys) if (polygonContains(poly, lon, lat)) return item;
    }
    return null;
  }
}

/** layer id -> Promise of its FeatureIndex. */
const loading = new Map();
/** layer id -> the FeatureIndex once loaded (synchronous access for hover). */
const ready = new Map();

/** The FeatureIndex of a layer, loading features.geojson the first time (again after a failure). */
export function loadFeatures(layerId) {
  if (!loading.has(layerId)) {
    const p = fetchFeatures(layerId).then((gj) => {
      const index = new FeatureIndex(gj);
      ready.set(layerId, index);
      return index;
    });
    p.catch(() => loading.delete(layerId));
    loading.set(layerId, p);
  }
  return loading.get(layerId);
}

/** The FeatureIndex of a layer if it has arrived, else null. */
export const featuresOf = (layerId) => ready.get(layerId) || null;
