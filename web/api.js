// The HTTP client: every request the page makes to the server (docs/api.md), with relative URLs so
// the page also works when a reverse proxy mounts the server below a path such as `/atlas/`.
//
// Owns the count of requests in flight (the tests' `idle()` waits for it to reach zero) and the
// cache of layer details per language. Errors carry the server's own message (`{"error": …}`).
import { lang } from './state.js';
import { STATIC, staticUrl } from './static-site.js';
import { previewHeaders, previewUrl } from './preview.js';

export const enc = encodeURIComponent;

let pending = 0;

/** True while a request is in flight. */
export const busy = () => pending > 0;

/** `?a=1&b=2` from an object, skipping empty values; commas stay readable (`breaks=0,1,5`). */
export function query(params) {
  const parts = [];
  for (const [k, v] of Object.entries(params)) {
    if (v != null && v !== '') parts.push(enc(k) + '=' + enc(String(v)).replace(/%2C/gi, ','));
  }
  return parts.length ? '?' + parts.join('&') : '';
}

async function getJSON(url) {
  pending += 1;
  try {
    // A static site has files for what it can answer; the rest is "not found", as from a server.
    const file = STATIC ? staticUrl(url) : url;
    if (file === null) throw Object.assign(new Error('404 Not Found'), { status: 404 });
    // A preview of a staged version asks for it, with the officer's token (preview.js).
    const res = await fetch(previewUrl(file), { headers: { Accept: 'application/json', ...previewHeaders() } });
    let body = null;
    try {
      body = await res.json();
    } catch (_) {
      body = null;
    }
    if (!res.ok) {
      // The server words its errors in English (`error`) and, for the atlas's, German (`error_de`).
      const own = body && (body['error_' + lang()] || body.error);
      const err = new Error(own || res.status + ' ' + res.statusText);
      err.status = res.status;
      throw err;
    }
    return body;
  } finally {
    pending -= 1;
  }
}

const layerPath = (layerId) => 'api/layers/' + enc(layerId);

/** `/api/atlas` and `/api/layers` in the current language. */
export function fetchCatalog() {
  const q = query({ lang: lang() });
  return Promise.all([getJSON('api/atlas' + q), getJSON('api/layers' + q)]);
}

const details = new Map();

/**
 * The layer with per-indicator `stats` (count, mean, min, max) from `/api/layers/{id}`, cached per
 * language; null when it could not be loaded (the profile then shows no averages).
 */
export function fetchLayerDetail(layerId) {
  const key = lang() + ':' + layerId;
  if (!details.has(key)) details.set(key, getJSON(layerPath(layerId) + query({ lang: lang() })).catch(() => null));
  return details.get(key);
}

/** One indicator in every period per district (`series.json`): the table's column per year. */
export const fetchSeries = (layerId, indicatorId) =>
  getJSON(layerPath(layerId) + '/indicators/' + enc(indicatorId) + '/series.json');

/**
 * One district with every indicator's value, its ranks and what is withheld (`…/districts/{id}`),
 * in the period `periodQuery` names (`?period=2015`, '' for each indicator's latest).
 */
export const fetchDistrict = (layerId, id, periodQuery = '') => getJSON(layerPath(layerId) + '/districts/' + enc(id) + periodQuery);

/** The district at a point (`…/at`); rejects with status 404 where there is none. */
export const fetchAt = (layerId, lon, lat) => getJSON(layerPath(layerId) + '/at' + query({ lon, lat }));

/** All districts with geometry and values (`…/features.geojson`): outlines and the download. */
export const fetchFeatures = (layerId) => getJSON(layerPath(layerId) + '/features.geojson');

/**
 * All districts' ids, names, values, ranks and withheld indicators, no geometry (`…/values.json`),
 * in the period `periodQuery` names (`?period=2015`, or '' for each indicator's latest).
 */
export const fetchValues = (layerId, periodQuery = '') => getJSON(layerPath(layerId) + '/values.json' + periodQuery);

/** The hover grid of one tile (UTFGrid 1.2; keys are positions in values.json). */
export const fetchGrid = (layerId, z, x, y) => getJSON('tiles/' + enc(layerId) + '/' + z + '/' + x + '/' + y + '.grid.json');

/**
 * The legend of an indicator under the style parameters, in the current language (its class
 * labels are text). `lang` goes last so the style part of the URL reads as the tiles' does.
 */
export function fetchLegend(layerId, indicatorId, styleParams) {
  return getJSON(layerPath(layerId) + '/indicators/' + enc(indicatorId) + '/legend.json' +
    query({ ...styleParams, lang: lang() }));
}
