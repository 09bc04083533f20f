// The print downloads: the map of the current view and style as PNG (300 dpi), SVG or PDF
// (`/static/{layer}/{indicator}.{ext}`), and the open district's profile as a PDF page
// (`/report/{layer}/{district}.pdf`), drawn by the server with the legend of the live map.
//
// Owns the four links. Their addresses are set when they are clicked, from the map's bounds, the
// legend's canonical style (method, classes, palette, breaks, period, scope, …) and the language
// at that moment, so no other module has to keep them up to date. A static site has no server
// to draw pages: the links are hidden there.
import * as state from './state.js';
import { enc } from './api.js';
import { getMap } from './map.js';
import { STATIC } from './static-site.js';
import { PREVIEW } from './preview.js';
import { $ } from './dom.js';

const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));

/** The legend's canonical style (`method=…&classes=…&period=…`), without the data version. */
function styleParams() {
  const lg = state.legend();
  const params = new URLSearchParams(lg && lg.style ? lg.style : '');
  params.delete('v');
  return params;
}

/** `static/{layer}/{indicator}.{ext}?…` for the map as it is on screen. */
export function mapHref(ext) {
  const params = styleParams();
  params.set('lang', state.lang());
  const map = getMap();
  if (map) {
    const b = map.getBounds();
    const bbox = [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -85.05, 85.05),
      clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -85.05, 85.05)];
    if (bbox[0] < bbox[2] && bbox[1] < bbox[3]) params.set('bbox', bbox.map((v) => v.toFixed(5)).join(','));
    const size = map.getSize();
    if (size.x > size.y) params.set('landscape', '1');
  }
  if (ext === 'png') params.set('dpi', '300');
  return 'static/' + enc(state.layerId()) + '/' + enc(state.indicatorId()) + '.' + ext + '?' +
    params.toString().replace(/%2C/gi, ',');
}

/** `report/{layer}/{district}.pdf?…`: the profile in the period (or change) shown. */
export function profileHref(districtId) {
  const style = styleParams();
  const params = new URLSearchParams({ lang: state.lang() });
  for (const key of ['period', 'compare', 'change']) {
    if (style.has(key)) params.set(key, style.get(key));
  }
  return 'report/' + enc(state.layerId()) + '/' + enc(districtId) + '.pdf?' + params.toString();
}

/**
 * Wires the links (once), or hides them on a static site and in a preview (they would show the
 * live data: the server's print pages take no admin token).
 */
export function bindPrintLinks() {
  const links = [['download-map-png', 'png'], ['download-map-svg', 'svg'], ['download-map-pdf', 'pdf']];
  if (STATIC || PREVIEW) {
    for (const id of ['map-downloads', 'profile-pdf']) {
      const el = $(id);
      if (el) el.hidden = true;
    }
    return;
  }
  for (const [id, ext] of links) {
    const a = $(id);
    if (!a) continue;
    a.addEventListener('click', () => {
      a.href = mapHref(ext);
      a.download = state.layerId() + '-' + state.indicatorId() + '.' + ext;
    });
  }
  const profile = $('profile-pdf');
  if (profile) {
    profile.addEventListener('click', () => {
      const id = state.districtId();
      if (!id) return;
      profile.href = profileHref(id);
      profile.download = state.layerId() + '-' + id + '.pdf';
    });
  }
}
