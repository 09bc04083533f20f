// District names on the map: placed on the client, at zooms where they fit, never overlapping.
//
// Owns the label pane, the "Names" toggle on the map and the label anchors per layer. Why on the
// client and not in the tiles: a name drawn into tiles is cut at tile edges or must be placed with
// knowledge of neighbouring tiles, it changes with the language and would multiply the tile cache
// by the label setting; here one pass over the districts in view places them (measured in
// web/README.md) and the tiles stay shareable.
//
// How: a district's anchor lies inside its largest polygon, on the widest horizontal run of nine
// scan lines, with the room around it (run width and the vertical run through it); it is computed
// the first time the district is wide enough on screen to hold a name. On every move the districts
// in view are taken from the largest down; a name is placed when its text box fits the room at
// this zoom, stays inside the map, clears the boxes on the map (legend, hover box, buttons) and
// overlaps no name placed before it (greedy by area, boxes checked pairwise).
import * as state from './state.js';
import { featuresOf } from './features.js';
import { getMap } from './map.js';
import { escapeHtml } from './format.js';
import { t } from './i18n.js';

const FONT = '600 12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const LINE = 15;
/** Free pixels kept around each label, so neighbouring names stay readable. */
const GAP = 3;
const STORE = 'quartier.labels';
/** How far apart two districts of the same name must lie for both to be named. */
const SAME_NAME_PX = 250;
/** Narrower on screen than this, a district holds no name (a short one is about 30 px wide). */
const MIN_WIDTH = 24;

let visible = readPreference();
let pane = null;
let button = null;
let lastStats = { layer: null, prepareMs: 0, placeMs: 0, candidates: 0, placed: 0 };

function readPreference() {
  try {
    return localStorage.getItem(STORE) !== 'off';
  } catch (_) {
    return true;
  }
}

/** The crossings of a horizontal (axis 1) or vertical (axis 0) line with the rings, sorted. */
function crossings(rings, axis, at) {
  const other = 1 - axis;
  const xs = [];
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[j]; const b = ring[i];
      if ((a[axis] > at) !== (b[axis] > at)) {
        xs.push(a[other] + ((at - a[axis]) * (b[other] - a[other])) / (b[axis] - a[axis]));
      }
    }
  }
  return xs.sort((p, q) => p - q);
}

/** The run `[lo, hi]` of the even-odd pairs that holds `v`, or null. */
function runAround(xs, v) {
  for (let k = 0; k + 1 < xs.length; k += 2) if (xs[k] <= v && v <= xs[k + 1]) return [xs[k], xs[k + 1]];
  return null;
}

function ringArea(ring) {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1]);
  return Math.abs(a / 2);
}

/** The area of a district in square degrees, shrunk by cos(lat) (the order names are placed in). */
function areaOf(item) {
  let total = 0;
  for (const poly of item.polys) if (poly.length) total += ringArea(poly[0]);
  return total * Math.cos((((item.bbox[1] + item.bbox[3]) / 2) * Math.PI) / 180);
}

/**
 * The label anchor of one district: `{lon, lat, w, h}`, with `w` and `h` the free room in degrees
 * (h stretched by 1/cos(lat), so both scale alike on the Web Mercator map); null without one.
 */
export function anchorOf(item) {
  let best = null;
  for (const poly of item.polys) {
    if (!poly.length) continue;
    const area = ringArea(poly[0]);
    if (!best || area > best.area) best = { poly, area };
  }
  if (!best) return null;
  const ys = best.poly[0].map((c) => c[1]);
  const s = Math.min(...ys); const n = Math.max(...ys);
  let anchor = null;
  for (let k = 0; k < 9; k++) {
    const y = s + ((n - s) * (k + 0.5)) / 9;
    const xs = crossings(best.poly, 1, y);
    for (let i = 0; i + 1 < xs.length; i += 2) {
      const x = (xs[i] + xs[i + 1]) / 2;
      const v = runAround(crossings(best.poly, 0, x), y);
      if (!v) continue;
      const stretch = 1 / Math.cos((y * Math.PI) / 180);
      const w = xs[i + 1] - xs[i];
      const h = 2 * Math.min(y - v[0], v[1] - y) * stretch;
      // Names are about five times as wide as tall: prefer the run that best holds such a box.
      const score = Math.min(w, 5 * h);
      if (!anchor || score > anchor.score) anchor = { lon: x, lat: y, w, h, score };
    }
  }
  return anchor;
}

/**
 * FeatureIndex -> its districts as `{item, area, anchor}`, largest first. The area is computed for
 * all at once (one pass over the vertices); the anchor (eighteen passes) only when a district is
 * first wide enough on screen to hold a name, so zoomed-out views of thousands of districts cost
 * nothing (the 3,233 US counties: 658 ms for all anchors at once, see web/README.md).
 */
const candidates = new WeakMap();

function candidatesOf(index) {
  // No outlines yet (they follow values.json, features.js): nothing to place, nothing to keep.
  if (!index.hasGeometry) return [];
  if (!candidates.has(index)) {
    const t0 = performance.now();
    const list = index.items.filter((it) => it.polys.length).map((item) => ({ item, area: areaOf(item), anchor: undefined }))
      .sort((a, b) => b.area - a.area);
    lastStats.prepareMs = performance.now() - t0;
    candidates.set(index, list);
  }
  return candidates.get(index);
}

let ctx = null;
const widths = new Map();
function textWidth(s) {
  if (!widths.has(s)) {
    if (!ctx) {
      ctx = document.createElement('canvas').getContext('2d');
      ctx.font = FONT;
    }
    widths.set(s, Math.ceil(ctx.measureText(s).width) + 2);
  }
  return widths.get(s);
}

const overlaps = (a, b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

/**
 * The labels to draw at the current view: `[{id, name, x, y, box}]` in layer pixels, placed
 * greedily from the largest district, each fitting its district's room and overlapping none.
 */
export function placeLabels(map, list) {
  const z = map.getZoom();
  const pxPerDeg = (256 * 2 ** z) / 360;
  const view = map.getBounds();
  const size = map.getSize();
  const origin = map.containerPointToLayerPoint([0, 0]);
  const frame = [origin.x, origin.y, origin.x + size.x, origin.y + size.y];
  // The boxes on the map (zoom buttons, hover box, legend, the toggle) are taken before any name.
  const mapRect = map.getContainer().getBoundingClientRect();
  const taken = [...map.getContainer().querySelectorAll('.leaflet-control')].map((el) => {
    const r = el.getBoundingClientRect();
    return { box: [origin.x + r.left - mapRect.left, origin.y + r.top - mapRect.top, origin.x + r.right - mapRect.left, origin.y + r.bottom - mapRect.top] };
  }).filter((c) => c.box[2] > c.box[0]);
  const placed = [];
  let inView = 0;
  for (const c of list) {
    const b = c.item.bbox;
    if (b[2] < view.getWest() || b[0] > view.getEast() || b[3] < view.getSouth() || b[1] > view.getNorth()) continue;
    inView += 1;
    // Too narrow on screen for even a short name: no anchor needed.
    if ((b[2] - b[0]) * pxPerDeg < MIN_WIDTH) continue;
    if (c.anchor === undefined) c.anchor = anchorOf(c.item);
    const a = c.anchor;
    if (!a || !view.contains([a.lat, a.lon])) continue;
    const name = c.item.name;
    const tw = textWidth(name);
    if (tw > a.w * pxPerDeg || LINE > a.h * pxPerDeg) continue;
    const p = map.latLngToLayerPoint([a.lat, a.lon]);
    const box = [p.x - tw / 2 - GAP, p.y - LINE / 2 - GAP, p.x + tw / 2 + GAP, p.y + LINE / 2 + GAP];
    if (box[0] < frame[0] || box[1] < frame[1] || box[2] > frame[2] || box[3] > frame[3]) continue;
    if (taken.some((q) => overlaps(box, q.box)) || placed.some((q) => overlaps(box, q.box))) continue;
    // Districts sharing a name (tracts of one town): one name per neighbourhood is enough.
    if (placed.some((q) => q.name === name && Math.hypot(q.x - p.x, q.y - p.y) < SAME_NAME_PX)) continue;
    placed.push({ id: c.item.id, name, x: p.x, y: p.y, box });
  }
  lastStats.candidates = inView;
  return placed;
}

/** Places and draws the names of the current layer (or clears them when hidden). */
export function updateLabels() {
  const map = getMap();
  if (!map || !pane) return;
  const index = featuresOf(state.layerId());
  if (!visible || !index) {
    pane.replaceChildren();
    return;
  }
  const list = candidatesOf(index);
  const t0 = performance.now();
  const placed = placeLabels(map, list);
  pane.innerHTML = placed.map((l) => '<span class="district-label" data-id="' + escapeHtml(l.id) + '" style="left:' +
    Math.round(l.x) + 'px;top:' + Math.round(l.y) + 'px">' + escapeHtml(l.name) + '</span>').join('');
  lastStats = { ...lastStats, layer: state.layerId(), placeMs: performance.now() - t0, placed: placed.length };
}

function setVisible(on) {
  visible = on;
  try {
    localStorage.setItem(STORE, on ? 'on' : 'off');
  } catch (_) { /* private mode: the choice lasts for this page only */ }
  if (button) button.setAttribute('aria-pressed', String(on));
  updateLabels();
}

/** The toggle's words in the current language. */
export function labelTexts() {
  if (!button) return;
  button.textContent = t('labels.toggle');
  button.title = t('labels.help');
}

/** Creates the label pane and the "Names" toggle on the map; labels follow every move. */
export function createLabels() {
  const map = getMap();
  pane = map.createPane('labels');
  pane.style.zIndex = 450;
  pane.setAttribute('aria-hidden', 'true');
  const Toggle = L.Control.extend({
    options: { position: 'topleft' },
    onAdd() {
      const el = L.DomUtil.create('div', 'leaflet-bar labels-control');
      button = L.DomUtil.create('button', 'labels-toggle', el);
      button.type = 'button';
      button.setAttribute('aria-pressed', String(visible));
      L.DomEvent.disableClickPropagation(el);
      L.DomEvent.on(button, 'click', () => setVisible(!visible));
      return el;
    },
  });
  new Toggle().addTo(map);
  labelTexts();
  map.on('zoomend moveend', updateLabels);
}

/** Timings and counts of the last placement (for the test hook and the measurement). */
export const labelStats = () => ({ ...lastStats, visible });
