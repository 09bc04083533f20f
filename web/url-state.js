// The view in the address bar: reading the query string on load and writing it back (with
// history.replaceState, so the back button is not flooded) whenever the view changes, so a copied
// address reopens exactly the same view. The parameters are listed in web/README.md.
//
// Owns the mapping between the state (state.js) and URL parameters, and the debounce of writing.
import * as state from './state.js';
import { query } from './api.js';
import { getMap } from './map.js';
import { STATIC } from './static-site.js';
import { PREVIEW } from './preview.js';

/** The view the URL asks for; numbers that do not parse are left out. */
export function readUrl() {
  const q = new URLSearchParams(location.search);
  const num = (k) => {
    const v = q.get(k);
    if (v === null || v.trim() === '') return null;
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  };
  const style = {};
  if (q.get('method')) style.method = q.get('method');
  if (num('classes') !== null) style.classes = Math.round(num('classes'));
  if (q.get('palette')) style.palette = q.get('palette');
  if (q.get('centre')) style.centre = q.get('centre');
  if (num('border') !== null) style.border = num('border');
  if (/^\d{4}$/.test(q.get('period') || '')) style.period = q.get('period');
  // A static site has no change maps (static-site.js): the year alone is shown there.
  if (!STATIC && /^\d{4}$/.test(q.get('compare') || '')) style.compare = q.get('compare');
  if (q.get('breaks')) {
    const breaks = q.get('breaks').split(',').map(Number);
    if (breaks.every(Number.isFinite)) style.breaks = breaks;
  }
  const embed = q.get('embed');
  return {
    layer: q.get('layer'),
    indicator: q.get('indicator'),
    style,
    z: num('z'),
    lat: num('lat'),
    lon: num('lon'),
    lang: q.get('lang'),
    embed: embed === '1' || embed === 'true',
    district: q.get('district'),
  };
}

/** The style query parameters the user chose (the indicator's default fills in the rest). */
export function styleParams() {
  const s = state.style();
  const p = {};
  if (s.method) p.method = s.method;
  if (s.method === 'manual' && Array.isArray(s.breaks)) p.breaks = s.breaks.join(',');
  else if (s.classes) p.classes = s.classes;
  if (s.palette) p.palette = s.palette;
  if (s.centre != null) p.centre = s.centre;
  if (s.border != null) p.border = s.border;
  if (s.period) p.period = s.period;
  if (s.compare) p.compare = s.compare;
  return p;
}

/** Query parameters that reproduce the current view; `extra.embed`, `extra.lang` add those. */
export function viewParams(extra) {
  const p = { layer: state.layerId(), indicator: state.indicatorId(), ...styleParams() };
  const map = getMap();
  if (map) {
    const c = map.getCenter();
    p.z = map.getZoom();
    p.lat = c.lat.toFixed(6);
    p.lon = c.lng.toFixed(6);
  }
  if (state.districtId()) p.district = state.districtId();
  if (state.langExplicit() || (extra && extra.lang)) p.lang = state.lang();
  // A preview stays one across reloads (its address is only useful to the officer).
  if (PREVIEW) p.version = PREVIEW;
  return Object.assign(extra && extra.embed ? { embed: 1 } : {}, p);
}

/** The full page (not embedded) showing the current view: the embed mode's "open" link. */
export function fullPageUrl() {
  return location.pathname + query(viewParams({ lang: true }));
}

let urlTimer = null;

/** Writes the view into the address bar 50 ms after the last change. */
export function writeUrl() {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => {
    const params = viewParams(state.embed() ? { embed: true } : undefined);
    history.replaceState(null, '', location.pathname + query(params) + location.hash);
    const full = document.querySelector('#legend .legend-open a');
    if (full) full.href = fullPageUrl();
  }, 50);
}
