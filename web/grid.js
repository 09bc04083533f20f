// The district under a point of the map from the server's hover grids (UTFGrid 1.2 per tile,
// `/tiles/{layer}/{z}/{x}/{y}.grid.json`): no geometry on the page.
//
// Owns the grids loaded per layer and tile. A grid has one character per 4 × 4 pixel cell of a
// 256 px tile at the map's zoom; its key is the district's position in values.json (features.js),
// and its `data` gives id and name, so the hover box names a district before values.json is in.
// Grids are small (about 1 kB gzipped) and kept by the browser's HTTP cache too (they change only
// with the data); at most MAX_GRIDS are kept here, oldest dropped first.
import { fetchGrid } from './api.js';

const MAX_GRIDS = 512;
/** `layer/z/x/y` -> the grid, or a Promise of it while loading. */
const grids = new Map();

/** The tile, and the cell in it, under `latlng` at zoom `z` (Web Mercator, 256 px tiles). */
function cellOf(latlng, z) {
  const p = L.CRS.EPSG3857.latLngToPoint(latlng, z);
  const n = 2 ** z;
  const tx = Math.floor(p.x / 256);
  const ty = Math.floor(p.y / 256);
  if (tx < 0 || ty < 0 || tx >= n || ty >= n) return null;
  return { tx, ty, col: Math.floor((p.x - tx * 256) / 4), row: Math.floor((p.y - ty * 256) / 4) };
}

/** UTFGrid's character -> key: code minus 32, less one past `"` and one more past `\`. */
function keyOf(grid, row, col) {
  const line = grid.grid && grid.grid[row];
  if (!line) return null;
  let code = line.codePointAt(col);
  if (code == null) return null;
  if (code >= 93) code -= 1;
  if (code >= 35) code -= 1;
  const key = grid.keys[code - 32];
  if (key == null || key === '') return null;
  const position = Number(key);
  if (!Number.isInteger(position)) return null;
  const info = grid.data && grid.data[key];
  return { position, id: info ? String(info.id) : null, name: info ? String(info.name) : null };
}

function remember(id, value) {
  grids.delete(id);
  grids.set(id, value);
  if (grids.size > MAX_GRIDS) grids.delete(grids.keys().next().value);
}

/**
 * The district under `latlng` at zoom `z` as `{position, id, name}` (position in values.json; id
 * and name from the grid's `data`), or null, when the tile's grid is loaded; else a Promise of it
 * (the grid is fetched once).
 */
export function positionAt(layerId, latlng, z) {
  const zoom = Math.max(0, Math.min(22, Math.round(z)));
  const c = cellOf(latlng, zoom);
  if (!c) return null;
  const id = layerId + '/' + zoom + '/' + c.tx + '/' + c.ty;
  const have = grids.get(id);
  if (have && !(have instanceof Promise)) return keyOf(have, c.row, c.col);
  if (have) return have.then((g) => (g ? keyOf(g, c.row, c.col) : null));
  const p = fetchGrid(layerId, zoom, c.tx, c.ty).then((g) => {
    remember(id, g);
    return g;
  }, () => {
    grids.delete(id);
    return null;
  });
  remember(id, p);
  return p.then((g) => (g ? keyOf(g, c.row, c.col) : null));
}
