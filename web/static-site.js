// The page as a static site: the files `quartier export` writes (docs/deploy.md), served by any web
// host or CDN with no Quartier process. `index.html` of such a site carries
// `data-quartier-static="1"` on <html> and loads the vendored `pmtiles` bundle (global `pmtiles`).
//
// Owns the mapping from API URLs to the files of the site (a static host ignores query strings, so
// the language becomes part of the file name and a year a folder, `p/{year}/`), the tile layer over
// the PMTiles archives (one per indicator and year, in its default style), and greying out the
// style controls that need a server. Change maps (`compare`) need one too.
import { $ } from './dom.js';

/** True when the page runs from a static export. */
export const STATIC = document.documentElement.dataset.quartierStatic === '1';

/** The folder of a year's files (`p/2015/`), '' for the default (each indicator's latest year). */
const periodDir = (period) => (period == null || period === '' ? '' : 'p/' + encodeURIComponent(period) + '/');

/**
 * The file of the static site holding what `url` (relative, as api.js builds it) would answer, or
 * null when only a server can answer it (the district at a point and the hover grids: the page's
 * local index of features.geojson answers those instead, see FeatureIndex.locate; change maps).
 * Other style parameters are dropped: the site holds the default style only, which is why the
 * style controls are disabled. A year (`period`) selects the folder `p/{year}/` that
 * `quartier export` writes for every year.
 */
export function staticUrl(url) {
  const [path, queryString] = url.split('?');
  const q = new URLSearchParams(queryString || '');
  const lang = q.get('lang') || 'en';
  if (path === 'api/atlas' || path === 'api/layers' || /^api\/layers\/[^/]+$/.test(path)) {
    return path + '.' + lang + '.json';
  }
  if (path.endsWith('/features.geojson') || path.endsWith('/series.json')) return path;
  if (q.get('compare')) return null;
  const dir = periodDir(q.get('period'));
  if (path.endsWith('/legend.json')) return dir + path.replace(/legend\.json$/, 'legend.' + lang + '.json');
  if (path.endsWith('/values.json')) return dir + path;
  if (/^api\/layers\/[^/]+\/districts\/[^/]+$/.test(path)) return dir + path + '.json';
  return null;
}

/**
 * The archive of an indicator in a year: `tiles/{layer}/{indicator}.pmtiles` for its latest year
 * (`period` null or the last of `periods`), else `p/{year}/tiles/{layer}/{indicator}.pmtiles`.
 */
export function archiveUrl(layerId, indicatorId, period = null, periods = []) {
  const latest = periods.length ? String(periods[periods.length - 1]) : null;
  const dir = period == null || String(period) === latest ? '' : periodDir(period);
  return dir + 'tiles/' + encodeURIComponent(layerId) + '/' + encodeURIComponent(indicatorId) + '.pmtiles';
}

/**
 * A `pmtiles` Source reading byte ranges over HTTP, and the whole archive once when the host
 * ignores `Range` (answers 200: `python3 -m http.server`, some intranet hosts). Hosts with byte
 * serving (nginx, object storage, CDNs) are read by range as usual; docs/deploy.md says so.
 */
class RangeOrWholeSource {
  constructor(url) {
    this.url = url;
    this.whole = null;
  }

  getKey() {
    return this.url;
  }

  async getBytes(offset, length) {
    if (!this.whole) {
      const res = await fetch(this.url, { headers: { Range: 'bytes=' + offset + '-' + (offset + length - 1) } });
      if (res.status === 206) return { data: await res.arrayBuffer() };
      if (!res.ok) throw new Error('HTTP ' + res.status + ' for ' + this.url);
      if (this.whole) {
        if (res.body) res.body.cancel();
      } else {
        this.whole = res.arrayBuffer();
      }
    }
    const all = await this.whole;
    return { data: all.slice(offset, offset + length) };
  }
}

/**
 * A Leaflet layer drawing the archive's PNG tiles (read by HTTP range requests); beyond the
 * archive's deepest zoom Leaflet scales its tiles up. `options` are Leaflet GridLayer options.
 */
export function archiveLayer(url, maxNativeZoom, options) {
  const source = new globalThis.pmtiles.PMTiles(new RangeOrWholeSource(url));
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
