// The page as a static site: the files `quartier export` writes (docs/deploy.md), served by any web
// host or CDN with no Quartier process. `index.html` of such a site carries
// `data-quartier-static="1"` on <html> and loads the vendored `pmtiles` bundle (global `pmtiles`).
//
// Owns the mapping from API URLs to the files of the site (a static host ignores query strings, so
// the language becomes part of the file name), the tile layer over the PMTiles archives (one per
// indicator, in its default style), and greying out the style controls that need a server.
import { $ } from './dom.js';

/** True when the page runs from a static export. */
export const STATIC = document.documentElement.dataset.quartierStatic === '1';

/**
 * The file of the static site holding what `url` (relative, as api.js builds it) would answer, or
 * null when only a server can answer it (the district at a point: the page's local index of
 * features.geojson answers that instead). Style parameters are dropped: the site holds the
 * default style only, which is why the style controls are disabled.
 */
export function staticUrl(url) {
  const [path, queryString] = url.split('?');
  const lang = new URLSearchParams(queryString || '').get('lang') || 'en';
  if (path === 'api/atlas' || path === 'api/layers' || /^api\/layers\/[^/]+$/.test(path)) {
    return path + '.' + lang + '.json';
  }
  if (path.endsWith('/legend.json')) return path.replace(/legend\.json$/, 'legend.' + lang + '.json');
  if (path.endsWith('/features.geojson')) return path;
  if (/^api\/layers\/[^/]+\/districts\/[^/]+$/.test(path)) return path + '.json';
  return null;
}

/** The archive of an indicator: `tiles/{layer}/{indicator}.pmtiles`. */
export function archiveUrl(layerId, indicatorId) {
  return 'tiles/' + encodeURIComponent(layerId) + '/' + encodeURIComponent(indicatorId) + '.pmtiles';
}

/**
 * A Leaflet layer drawing the archive's PNG tiles (read by HTTP range requests); beyond the
 * archive's deepest zoom Leaflet scales its tiles up. `options` are Leaflet GridLayer options.
 */
export function archiveLayer(url, maxNativeZoom, options) {
  const source = new globalThis.pmtiles.PMTiles(url);
  return globalThis.pmtiles.leafletRasterLayer(source, { ...options, maxNativeZoom });
}

/** Disables the classification controls and shows the note saying why. */
export function disableStyleControls() {
  const panel = $('style-panel');
  if (!panel) return;
  for (const el of panel.querySelectorAll('select, input, button')) el.disabled = true;
  const note = $('static-note');
  if (note) note.hidden = false;
}
