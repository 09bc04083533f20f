// The Quartier map page: a Leaflet choropleth of one indicator of one district layer, drawn from the
// server's PNG tiles, with a legend from legend.json, hover and click on districts, a district profile,
// a sortable table, classification controls, shareable URLs, an embed mode and a German/English UI.
//
// Everything talks to the server's HTTP API (docs/api.md) with relative URLs, so the page also works
// when the server is mounted below a path prefix. No build step: plain ES2020 in one IIFE.
//
// The state that makes a view (layer, indicator, style, zoom, centre, open district, language when
// chosen) lives in `state` and is mirrored into the query string with history.replaceState, so a copied
// address reopens exactly the same view (see web/README.md for the parameters).
'use strict';

(function () {
  const I18N = window.QUARTIER_I18N;

  /** The six themes of a German Sozialraumbericht plus "other", in the order the picker shows them. */
  const THEMES = ['demography', 'work', 'income', 'education', 'housing', 'safety', 'other'];

  /**
   * Colour schemes offered to planners when the server does not list its own (`/api/atlas` has
   * `palettes` with `kind` and `colorblind_safe`). All ColorBrewer sequential schemes are colour-blind
   * safe, of the diverging ones all but CB_UNSAFE; viridis and cividis are designed to be.
   * Qualitative schemes are never offered: they suggest no order, and an indicator is ordered.
   */
  const FALLBACK_PALETTES = {
    sequential: ['YlGnBu', 'YlOrRd', 'YlOrBr', 'YlGn', 'OrRd', 'PuBu', 'PuBuGn', 'PuRd', 'RdPu', 'BuGn',
      'BuPu', 'GnBu', 'Blues', 'Greens', 'Greys', 'Oranges', 'Purples', 'Reds'],
    diverging: ['RdBu', 'RdYlBu', 'BrBG', 'PiYG', 'PRGn', 'PuOr', 'RdGy', 'RdYlGn', 'Spectral'],
    perceptual: ['viridis', 'cividis'],
  };
  const CB_UNSAFE = new Set(['RdGy', 'RdYlGn', 'Spectral']);

  // ---------------------------------------------------------------------------------------------
  // State

  const state = {
    lang: 'en',
    /** True when the language came from the URL or the switch (then it is kept in shared URLs). */
    langExplicit: false,
    embed: false,
    layer: null,
    indicator: null,
    /** Style overrides chosen by the user; empty means the manifest's default style. */
    style: {},
    /** Id of the district whose profile is open. */
    district: null,
    tableSort: { key: 'name', dir: 'asc' },
  };

  const data = {
    atlas: null,
    layers: [],
    layerById: new Map(),
    /** `${lang}:${layer}` -> the detailed layer object with per-indicator statistics. */
    details: new Map(),
    /** layer id -> Promise of its FeatureIndex (features.geojson, parsed once per layer). */
    features: new Map(),
    /** layer id -> the FeatureIndex once loaded (synchronous access for hover). */
    featuresReady: new Map(),
    legend: null,
    /** The last style that the server accepted, to fall back to after a rejected one. */
    goodStyle: {},
  };

  let map = null;
  let tileLayer = null;
  let basemapLayer = null;
  let legendControl = null;
  let hoverControl = null;
  let hoverOutline = null;
  let selectedOutline = null;
  let suppressedLayer = null;
  let pending = 0;
  let tilesLoading = false;
  let styleSeq = 0;
  let csvUrl = null;

  const $ = (id) => document.getElementById(id);
  const enc = encodeURIComponent;

  // ---------------------------------------------------------------------------------------------
  // Small helpers: text, numbers, HTTP

  function t(key, params) {
    const table = I18N[state.lang] || I18N.en;
    let s = key in table ? table[key] : (I18N.en[key] || key);
    if (params) {
      for (const [k, v] of Object.entries(params)) s = s.split('{' + k + '}').join(String(v));
    }
    return s;
  }

  /** Text in the UI language from a value that is either plain text or `{de, en}`. */
  function localised(v) {
    if (v == null) return '';
    if (typeof v === 'object') return v[state.lang] || v.en || v.de || Object.values(v)[0] || '';
    return String(v);
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }

  const formats = new Map();
  function numberFormat(decimals) {
    const key = state.lang + decimals;
    if (!formats.has(key)) {
      formats.set(key, new Intl.NumberFormat(state.lang === 'de' ? 'de-DE' : 'en-GB', {
        minimumFractionDigits: decimals, maximumFractionDigits: decimals,
      }));
    }
    return formats.get(key);
  }

  /** Decimals for a number when the manifest gives none: about three significant digits. */
  function autoDecimals(magnitude) {
    const a = Math.abs(magnitude);
    if (a === 0 || a >= 100) return 0;
    if (a >= 10) return 1;
    if (a >= 1) return 2;
    return 3;
  }

  function isNumber(v) {
    return typeof v === 'number' && Number.isFinite(v);
  }

  // ---------------------------------------------------------------------------------------------
  // Small-number suppression
  //
  // A layer with a `suppress_below` threshold withholds small counts (and what is computed from
  // them). The server never sends such a value: it is `null`, and the district names the indicator
  // in `suppressed` (features.geojson, /at). The page shows it as its own state, never as "no data":
  // the word "suppressed" in hover, profile and table, a labelled legend class, and a hatch over the
  // districts on the map, so the state is not told by colour alone.

  /** Fill of withheld districts when legend.json does not name one (`suppressed_color`). */
  const SUPPRESSED_FALLBACK = '#333333';

  /** True when the value of `indicatorId` is withheld for this district. */
  function isSuppressed(item, indicatorId) {
    return !!(item && item.suppressed && item.suppressed.has(indicatorId));
  }

  /** "Suppressed (fewer than 3)" for a threshold, or just "Suppressed" without one. */
  function suppressedLabel(threshold) {
    return isNumber(threshold)
      ? t('legend.suppressed', { n: formatNumber(threshold, Number.isInteger(threshold) ? 0 : null) })
      : t('legend.suppressed0');
  }

  /** The explanation of suppression under a threshold, for tooltips. */
  function suppressedHelp(key, threshold) {
    return isNumber(threshold) ? t(key, { n: formatNumber(threshold, Number.isInteger(threshold) ? 0 : null) }) : '';
  }

  function formatNumber(v, decimals) {
    if (!isNumber(v)) return t('nodata');
    const d = Number.isInteger(decimals) ? decimals : autoDecimals(v);
    return numberFormat(d).format(v);
  }

  /** A number with its unit, joined by a no-break space ("12,3 %", "1,234 persons"). */
  function withUnit(text, unit) {
    return unit ? text + '\u00a0' + unit : text;
  }

  async function getJSON(url) {
    pending += 1;
    try {
      const res = await fetch(url, { headers: { Accept: 'application/json' } });
      let body = null;
      try {
        body = await res.json();
      } catch (_) {
        body = null;
      }
      if (!res.ok) {
        const err = new Error(body && body.error ? body.error : res.status + ' ' + res.statusText);
        err.status = res.status;
        throw err;
      }
      return body;
    } finally {
      pending -= 1;
    }
  }

  /** `?a=1&b=2` from an object, skipping empty values; commas stay readable (`breaks=0,1,5`). */
  function query(params) {
    const parts = [];
    for (const [k, v] of Object.entries(params)) {
      if (v != null && v !== '') parts.push(enc(k) + '=' + enc(String(v)).replace(/%2C/gi, ','));
    }
    return parts.length ? '?' + parts.join('&') : '';
  }

  function showStatus(message) {
    const el = $('status');
    el.textContent = message || '';
    el.hidden = !message;
  }

  // ---------------------------------------------------------------------------------------------
  // Atlas, layers and indicators

  function currentLayer() {
    return data.layerById.get(state.layer) || null;
  }

  function indicatorsOf(layer) {
    return (layer && Array.isArray(layer.indicators)) ? layer.indicators : [];
  }

  function currentIndicator() {
    return indicatorsOf(currentLayer()).find((i) => i.id === state.indicator) || null;
  }

  function titleOf(obj) {
    if (!obj) return '';
    if (obj.titles && typeof obj.titles === 'object') return localised(obj.titles);
    return localised(obj.title) || obj.id || '';
  }

  function unitOf(ind) {
    if (!ind) return '';
    if (ind.units && typeof ind.units === 'object') return localised(ind.units);
    return localised(ind.unit);
  }

  function themeOf(ind) {
    return THEMES.includes(ind.theme) ? ind.theme : 'other';
  }

  function themeTitle(id) {
    const themes = data.atlas && data.atlas.themes;
    let entry = null;
    if (Array.isArray(themes)) entry = themes.find((th) => th && th.id === id);
    else if (themes && typeof themes === 'object') entry = themes[id];
    if (entry) {
      const title = typeof entry === 'object' && !('de' in entry) && !('en' in entry)
        ? (entry.titles || entry.title) : entry;
      const text = localised(title);
      if (text) return text;
    }
    return t('theme.' + id);
  }

  function layerBounds(layer) {
    const b = layer && layer.bounds;
    if (!Array.isArray(b) || b.length !== 4 || !b.every(isNumber)) return null;
    return L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
  }

  async function loadAtlas() {
    const lang = state.lang;
    const [atlas, layers] = await Promise.all([
      getJSON('api/atlas' + query({ lang })),
      getJSON('api/layers' + query({ lang })),
    ]);
    data.atlas = atlas || {};
    data.layers = Array.isArray(layers) ? layers : [];
    data.layerById = new Map(data.layers.map((l) => [l.id, l]));
  }

  /** The layer with per-indicator mean/min/max (`/api/layers/{id}`), cached per language. */
  function loadDetail(layerId) {
    const key = state.lang + ':' + layerId;
    if (!data.details.has(key)) {
      const p = getJSON('api/layers/' + enc(layerId) + query({ lang: state.lang })).catch(() => null);
      data.details.set(key, p);
    }
    return data.details.get(key);
  }

  // ---------------------------------------------------------------------------------------------
  // Districts on the client: features.geojson with a grid index
  //
  // Hover strategy. Hover uses a client-side point-in-polygon test on features.geojson, with the `/at`
  // endpoint (throttled, one request in flight) only until that file has arrived. Why: the page needs
  // features.geojson anyway, for the ranks in the profile, the table view and the outline of the
  // hovered district, so after one download every mouse move is answered locally with no request at
  // all. A uniform grid over the layer's bounds (about 2 cells per district) reduces each lookup to
  // the few districts whose bounding box covers the cell; the even-odd ray test on their rings then
  // costs a few hundred vertex comparisons. For the 3,233 US counties (about a million vertices) a
  // lookup stays well under a millisecond, while `/at` would cost a network round trip per move (and
  // a 404 logged by the browser for every move over a gap between districts).

  class FeatureIndex {
    constructor(geojson) {
      const features = (geojson && Array.isArray(geojson.features)) ? geojson.features : [];
      this.items = [];
      this.byId = new Map();
      this.stats = new Map();
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
        const suppressed = new Set(Array.isArray(props.suppressed) ? props.suppressed.map(String) : []);
        const item = { id, name, values, suppressed, polys, bbox, feature: f };
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

    /** Sorted values (descending), mean, min and max of one indicator over all districts. */
    statsOf(indicatorId) {
      if (!this.stats.has(indicatorId)) {
        const vals = [];
        for (const item of this.items) {
          const v = item.values[indicatorId];
          if (isNumber(v)) vals.push(v);
        }
        vals.sort((a, b) => b - a);
        const sum = vals.reduce((acc, v) => acc + v, 0);
        this.stats.set(indicatorId, {
          desc: vals,
          n: vals.length,
          mean: vals.length ? sum / vals.length : null,
          min: vals.length ? vals[vals.length - 1] : null,
          max: vals.length ? vals[0] : null,
        });
      }
      return this.stats.get(indicatorId);
    }

    /** Rank of a value among all districts: 1 for the highest; ties share the better rank. */
    rankOf(indicatorId, v) {
      if (!isNumber(v)) return null;
      const desc = this.statsOf(indicatorId).desc;
      let lo = 0;
      let hi = desc.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (desc[mid] > v) lo = mid + 1; else hi = mid;
      }
      return lo + 1;
    }
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

  function loadFeatures(layerId) {
    if (!data.features.has(layerId)) {
      const p = getJSON('api/layers/' + enc(layerId) + '/features.geojson').then((gj) => {
        const index = new FeatureIndex(gj);
        data.featuresReady.set(layerId, index);
        return index;
      });
      p.catch(() => data.features.delete(layerId));
      data.features.set(layerId, p);
    }
    return data.features.get(layerId);
  }

  // ---------------------------------------------------------------------------------------------
  // URL state

  function readUrl() {
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

  /** The style query parameters the user chose (the manifest default fills in the rest). */
  function styleParams() {
    const s = state.style;
    const p = {};
    if (s.method) p.method = s.method;
    if (s.method === 'manual' && Array.isArray(s.breaks)) p.breaks = s.breaks.join(',');
    else if (s.classes) p.classes = s.classes;
    if (s.palette) p.palette = s.palette;
    if (s.centre != null) p.centre = s.centre;
    if (s.border != null) p.border = s.border;
    return p;
  }

  /** Query parameters that reproduce the current view. */
  function viewParams(extra) {
    const p = { layer: state.layer, indicator: state.indicator, ...styleParams() };
    if (map) {
      const c = map.getCenter();
      p.z = map.getZoom();
      p.lat = c.lat.toFixed(6);
      p.lon = c.lng.toFixed(6);
    }
    if (state.district && !(extra && extra.embed)) p.district = state.district;
    if (state.langExplicit || (extra && extra.lang)) p.lang = state.lang;
    return Object.assign(extra && extra.embed ? { embed: 1 } : {}, p);
  }

  /** The full page (not embedded) showing the current view: the embed mode's "open" link. */
  function fullPageUrl() {
    return location.pathname + query(viewParams({ lang: true }));
  }

  let urlTimer = null;
  function writeUrl() {
    clearTimeout(urlTimer);
    urlTimer = setTimeout(() => {
      const params = viewParams(state.embed ? { embed: true } : undefined);
      history.replaceState(null, '', location.pathname + query(params) + location.hash);
      const full = document.querySelector('#legend .legend-open a');
      if (full) full.href = fullPageUrl();
    }, 50);
  }

  // ---------------------------------------------------------------------------------------------
  // Static texts and pickers

  function applyI18n() {
    document.documentElement.lang = state.lang;
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll('[data-i18n-attr]')) {
      for (const pair of el.dataset.i18nAttr.split(';')) {
        const [attr, key] = pair.split(':');
        el.setAttribute(attr, t(key));
      }
    }
    for (const b of document.querySelectorAll('.lang-switch button')) {
      b.setAttribute('aria-pressed', String(b.dataset.lang === state.lang));
    }
    const atlasTitle = localised(data.atlas && (data.atlas.titles || data.atlas.title)) || 'Quartier';
    $('atlas-title').textContent = atlasTitle;
    $('atlas-description').textContent = localised(data.atlas && (data.atlas.descriptions || data.atlas.description));
    document.title = atlasTitle;
    renderPaletteOptions();
  }

  function renderLayerSelect() {
    const sel = $('layer-select');
    sel.replaceChildren(...data.layers.map((l) => new Option(titleOf(l), l.id)));
    sel.value = state.layer;
  }

  function renderIndicatorSelect() {
    const sel = $('indicator-select');
    const groups = [];
    for (const theme of THEMES) {
      const inds = indicatorsOf(currentLayer()).filter((i) => themeOf(i) === theme);
      if (!inds.length) continue;
      const og = document.createElement('optgroup');
      og.label = themeTitle(theme);
      for (const ind of inds) og.append(new Option(titleOf(ind), ind.id));
      groups.push(og);
    }
    sel.replaceChildren(...groups);
    sel.value = state.indicator;
  }

  function renderIndicatorInfo() {
    const ind = currentIndicator();
    const layer = currentLayer();
    if (!ind) return;
    $('info-theme').textContent = themeTitle(themeOf(ind));
    $('info-title').textContent = titleOf(ind);
    $('info-unit').textContent = unitOf(ind) || '–';
    $('info-year').textContent = ind.year != null ? String(ind.year) : '–';
    $('info-source').textContent = localised(ind.source) || '–';
    $('info-count').textContent = layer && isNumber(layer.features) ? formatNumber(layer.features, 0) : '–';
    const desc = localised(ind.descriptions || ind.description);
    $('info-description').textContent = desc;
    $('info-description').hidden = !desc;
    $('map').setAttribute('aria-label', t('map.label', { title: titleOf(ind) + ' – ' + titleOf(layer) }));
  }

  /** `[{name, group, safe, max}]`: the server's schemes (without qualitative ones) or the fallback. */
  function paletteList() {
    const listed = data.atlas && Array.isArray(data.atlas.palettes) ? data.atlas.palettes : null;
    if (listed && listed.length) {
      return listed.filter((p) => p && p.name && p.kind !== 'qualitative').map((p) => ({
        name: p.name,
        group: /^(viridis|cividis|magma|inferno|plasma)$/i.test(p.name) ? 'perceptual' : (p.kind || 'sequential'),
        safe: !!p.colorblind_safe,
        max: isNumber(p.max_classes) ? p.max_classes : 9,
      }));
    }
    return Object.entries(FALLBACK_PALETTES).flatMap(([group, names]) =>
      names.map((name) => ({ name, group, safe: !CB_UNSAFE.has(name), max: 9 })));
  }

  function renderPaletteOptions() {
    const sel = $('palette-select');
    const current = sel.value;
    const groups = new Map();
    for (const p of paletteList()) {
      if (!groups.has(p.group)) {
        const og = document.createElement('optgroup');
        og.label = t('palette.' + p.group) !== 'palette.' + p.group ? t('palette.' + p.group) : p.group;
        groups.set(p.group, og);
      }
      const option = new Option(p.safe ? p.name + ' (' + t('palette.cbsafe') + ')' : p.name, p.name);
      option.dataset.group = p.group;
      option.dataset.max = String(p.max);
      groups.get(p.group).append(option);
    }
    sel.replaceChildren(...groups.values());
    if (current) setPaletteValue(current);
  }

  function paletteGroup(name) {
    const p = paletteList().find((x) => x.name === name);
    return p ? p.group : null;
  }

  function setPaletteValue(name) {
    const sel = $('palette-select');
    if (![...sel.options].some((o) => o.value === name)) sel.append(new Option(name, name));
    sel.value = name;
  }

  /** Shows the effective style (from legend.json) in the planner controls. */
  function syncStyleControls() {
    const lg = data.legend;
    if (!lg) return;
    if (lg.method) $('method-select').value = lg.method;
    const classes = state.style.classes || lg.requested_classes || lg.classes ||
      (Array.isArray(lg.colors) ? lg.colors.length : null);
    if (classes) $('classes-select').value = String(classes);
    if (lg.palette) setPaletteValue(lg.palette);
    // The server's default border (0.5 px) is left out of the style string; other widths are in it.
    const border = /(?:^|&)border=([^&]*)/.exec(lg.style || '');
    $('border-select').value = border ? String(Number(border[1])) : '0.5';
    const diverging = paletteGroup(lg.palette) === 'diverging';
    $('centre-field').hidden = !diverging;
    $('centre-mean').checked = diverging && (state.style.centre === 'mean' ||
      (state.style.centre == null && isNumber(lg.centre) && isNumber(lg.mean) && lg.centre === lg.mean));
    const manual = $('method-select').value === 'manual';
    $('breaks-form').hidden = !manual;
    $('classes-select').disabled = manual;
    if (manual && Array.isArray(lg.breaks)) $('breaks-input').value = breaksText(lg.breaks);
  }

  /**
   * The `breaks` parameter of `method=manual` is the list of class upper bounds `b1, …, bk`
   * (mapclassify's UserDefined; values above the last bound would form one more class). As a
   * starting point for editing, the current legend's upper bounds are rounded for display, the
   * last one upwards so that the largest value stays in the last class.
   */
  function breaksText(breaks) {
    const d = legendDecimals(breaks, currentIndicator() && currentIndicator().decimals);
    const f = 10 ** d;
    const upper = breaks.slice(1).map((b, i, all) =>
      (i === all.length - 1 ? Math.ceil(b * f - 1e-9) / f : Number(b.toFixed(d))));
    return upper.map(String).join(', ');
  }

  function parseBreaks(text) {
    const semi = text.includes(';');
    const parts = text.split(semi ? ';' : ',').map((p) => p.trim()).filter(Boolean);
    const nums = parts.map((p) => Number(semi ? p.replace(',', '.') : p));
    return nums.length >= 1 && nums.every(Number.isFinite) ? nums : null;
  }

  // ---------------------------------------------------------------------------------------------
  // Legend

  /**
   * Decimals for the legend: the indicator's own, raised until no two different breaks print the
   * same (a quantile break of 0.8433 and one of 0.8471 would both read "0.8" with one decimal).
   */
  function legendDecimals(breaks, decimals) {
    const finite = breaks.filter(isNumber);
    const span = finite.length ? Math.max(...finite) - Math.min(...finite) : 0;
    let d = Number.isInteger(decimals) ? decimals : autoDecimals(span);
    for (; d < 8; d++) {
      let distinct = true;
      for (let i = 1; i < finite.length; i++) {
        if (finite[i] !== finite[i - 1] && finite[i].toFixed(d) === finite[i - 1].toFixed(d)) distinct = false;
      }
      if (distinct) break;
    }
    return d;
  }

  function countText(n) {
    return n === 1 ? t('legend.count1') : t('legend.count', { n: formatNumber(n, 0) });
  }

  /** Index of the legend class a value falls into (upper bounds inclusive), or -1 for no data. */
  function classIndex(v) {
    const lg = data.legend;
    if (!lg || !isNumber(v) || !Array.isArray(lg.breaks) || !Array.isArray(lg.colors)) return -1;
    const k = lg.colors.length;
    for (let i = 0; i < k; i++) if (v <= lg.breaks[i + 1]) return i;
    return k - 1;
  }

  /**
   * How the legend prints breaks. With the manifest's decimals (raised where needed, see
   * legendDecimals). Without them and with numbers of a million or more, compactly ("996M", "1.4B";
   * "996 Mio.", "1,4 Mrd.") with as few significant digits (at least 3) as keep different breaks
   * different: nine-digit ranges are unreadable and overflow the legend.
   */
  function legendFormatter(breaks, decimals) {
    const finite = breaks.filter(isNumber);
    const keepsDistinct = (fmt) => finite.every((b, i) => i === 0 || b === finite[i - 1] || fmt(b) !== fmt(finite[i - 1]));
    if (!Number.isInteger(decimals) && finite.length && Math.max(...finite.map(Math.abs)) >= 1e6) {
      for (let digits = 3; digits <= 9; digits++) {
        const nf = new Intl.NumberFormat(state.lang === 'de' ? 'de-DE' : 'en-US', {
          notation: 'compact', maximumSignificantDigits: digits,
        });
        const fmt = (v) => nf.format(v);
        if (keepsDistinct(fmt)) return fmt;
      }
    }
    const d = legendDecimals(breaks, decimals);
    return (v) => formatNumber(v, d);
  }

  let legendFmt = { legend: null, key: '', fmt: null };

  function classRange(i) {
    const lg = data.legend;
    const ind = currentIndicator();
    const key = state.lang + ':' + (ind ? ind.decimals : '');
    if (legendFmt.legend !== lg || legendFmt.key !== key) {
      legendFmt = { legend: lg, key, fmt: legendFormatter(lg.breaks, ind && ind.decimals) };
    }
    return legendFmt.fmt(lg.breaks[i]) + '\u2009–\u2009' + legendFmt.fmt(lg.breaks[i + 1]);
  }

  function renderLegend() {
    const box = legendControl && legendControl.getContainer();
    const lg = data.legend;
    if (!box || !lg) return;
    const ind = currentIndicator();
    const unit = unitOf(ind) || localised(lg.unit);
    const colors = Array.isArray(lg.colors) ? lg.colors : [];
    const breaks = Array.isArray(lg.breaks) ? lg.breaks : [];
    const counts = Array.isArray(lg.counts) ? lg.counts : [];
    const parts = [];
    parts.push('<h2 class="legend-title" id="legend-title">' + escapeHtml(titleOf(ind)) + '</h2>');
    parts.push('<p class="legend-unit">' + escapeHtml(unit ? t('unit') + ': ' + unit : '') + '</p>');
    parts.push('<ul class="legend-classes" aria-labelledby="legend-title">');
    colors.forEach((color, i) => {
      const lower = breaks[i];
      const upper = breaks[i + 1];
      const count = isNumber(counts[i]) ? counts[i] : null;
      const exact = (i === 0 ? '[' : '(') + lower + ', ' + upper + ']';
      parts.push(
        '<li class="legend-class' + (count === 0 ? ' legend-empty' : '') + '" data-class="' + i + '" data-color="' + escapeHtml(color) +
        '" data-lower="' + lower + '" data-upper="' + upper + '" data-count="' + (count == null ? '' : count) +
        '" title="' + escapeHtml(exact) + '">' +
        '<span class="swatch" style="background-color:' + escapeHtml(color) + '" aria-hidden="true"></span>' +
        '<span class="range">' + escapeHtml(classRange(i)) + '</span>' +
        '<span class="count">' + (count == null ? '' : escapeHtml(countText(count))) + '</span></li>',
      );
    });
    const missing = isNumber(lg.missing) ? lg.missing : 0;
    const noData = lg.no_data_color || '#cccccc';
    parts.push(
      '<li class="legend-class legend-nodata" data-class="nodata" data-color="' + escapeHtml(noData) +
      '" data-count="' + missing + '">' +
      '<span class="swatch swatch-nodata" style="background-color:' + escapeHtml(noData) + '" aria-hidden="true"></span>' +
      '<span class="range">' + escapeHtml(t('legend.nodata')) + '</span>' +
      '<span class="count">' + escapeHtml(countText(missing)) + '</span></li>',
    );
    const withheld = isNumber(lg.suppressed) ? lg.suppressed : 0;
    if (isNumber(lg.suppress_below) || withheld > 0) {
      // Its own class, labelled and hatched (as on the map), whenever the layer suppresses.
      const color = lg.suppressed_color || SUPPRESSED_FALLBACK;
      parts.push(
        '<li class="legend-class legend-suppressed' + (withheld === 0 ? ' legend-empty' : '') + '" data-class="suppressed" data-color="' +
        escapeHtml(color) + '" data-count="' + withheld + '" title="' + escapeHtml(suppressedHelp('legend.suppressed.help', lg.suppress_below)) + '">' +
        '<span class="swatch swatch-suppressed" style="background-color:' + escapeHtml(color) + '" aria-hidden="true"></span>' +
        '<span class="range">' + escapeHtml(suppressedLabel(lg.suppress_below)) + '</span>' +
        '<span class="count">' + escapeHtml(countText(withheld)) + '</span></li>',
      );
    }
    parts.push('</ul>');
    const methodName = t('method.' + lg.method);
    parts.push('<p class="legend-summary">' + escapeHtml(t('legend.summary', {
      method: methodName.replace(/\s*\(.*\)$/, ''), classes: colors.length,
    })) + (lg.palette ? ' · ' + escapeHtml(lg.palette) : '') + '</p>');
    const notes = [].concat(lg.note || [], lg.notes || [], lg.warning || [], lg.warnings || []);
    for (const note of notes) parts.push('<p class="legend-note">' + escapeHtml(localised(note)) + '</p>');
    if (state.embed) {
      parts.push('<p class="legend-open"><a href="' + escapeHtml(fullPageUrl()) + '" target="_blank" rel="noopener">' +
        escapeHtml(t('legend.open')) + ' ↗</a></p>');
    }
    box.innerHTML = parts.join('');
    box.setAttribute('aria-label', t('legend'));
  }

  // ---------------------------------------------------------------------------------------------
  // Map, tiles, style

  /**
   * The tile URL template for the current legend. legend.json names the canonical style it was
   * classified with (`style`: method, classes, palette, ...), and the tiles ask for exactly that, so
   * tiles and legend cannot disagree, and the default style and the same style spelled out share
   * one cache entry on the server. `{r}` becomes `@2x` on high-density screens.
   */
  function tileUrl() {
    const lg = data.legend;
    const style = lg && typeof lg.style === 'string' ? (lg.style ? '?' + lg.style : '') : query(styleParams());
    return 'tiles/' + enc(state.layer) + '/' + enc(state.indicator) + '/{z}/{x}/{y}{r}.png' + style;
  }

  /**
   * A hatch over the districts whose value of the mapped indicator is withheld (the tiles fill them
   * with `suppressed_color`), from features.geojson once it is loaded. Non-interactive, so hover and
   * click go to the map underneath. The pattern `#quartier-hatch` is defined in index.html.
   */
  function updateSuppressedOverlay() {
    if (suppressedLayer) {
      map.removeLayer(suppressedLayer);
      suppressedLayer = null;
    }
    const index = data.featuresReady.get(state.layer);
    if (!map || !index) return;
    const features = index.items.filter((it) => isSuppressed(it, state.indicator)).map((it) => it.feature);
    if (!features.length) return;
    suppressedLayer = L.geoJSON(features, {
      pane: 'suppressed',
      interactive: false,
      style: { stroke: false, fill: true, fillColor: 'url(#quartier-hatch)', fillOpacity: 1 },
    }).addTo(map);
  }

  function updateTiles() {
    const url = tileUrl();
    if (tileLayer && tileLayer.quartierLayer === state.layer) {
      if (tileLayer._url !== url) tileLayer.setUrl(url);
      return;
    }
    if (tileLayer) map.removeLayer(tileLayer);
    const layer = currentLayer();
    const bounds = layerBounds(layer);
    tileLayer = L.tileLayer(url, {
      pane: 'choropleth',
      bounds: bounds ? bounds.pad(0.05) : undefined,
      maxZoom: 19,
      opacity: basemapLayer ? 0.8 : 1,
      className: 'choropleth-tiles',
      attribution: layer && layer.attribution ? escapeHtml(localised(layer.attribution)) : '',
    });
    tileLayer.quartierLayer = state.layer;
    tileLayer.on('loading', () => { tilesLoading = true; });
    tileLayer.on('load', () => { tilesLoading = false; });
    tileLayer.on('tileerror', () => showStatus(t('error.tiles')));
    tileLayer.addTo(map);
  }

  /** Fetches legend.json for the current style, then (only then) points the tiles at the same style. */
  async function refreshStyle(keepStatus) {
    const seq = ++styleSeq;
    let legend;
    try {
      legend = await getJSON('api/layers/' + enc(state.layer) + '/indicators/' + enc(state.indicator) +
        '/legend.json' + query(styleParams()));
    } catch (err) {
      if (seq !== styleSeq) return;
      showStatus(t('error.style', { message: err.message }));
      // Keep map and legend consistent: go back to the last style the server accepted (or the
      // manifest default), and say why in the status line.
      const fallback = { ...data.goodStyle };
      if (JSON.stringify(fallback) !== JSON.stringify(state.style)) {
        state.style = fallback;
        await refreshStyle(true);
      }
      return;
    }
    if (seq !== styleSeq) return;
    if (!keepStatus) showStatus('');
    data.legend = legend;
    data.goodStyle = { ...state.style };
    renderLegend();
    updateTiles();
    updateSuppressedOverlay();
    syncStyleControls();
    renderTable();
    writeUrl();
  }

  function setStyle(patch) {
    state.style = { ...state.style, ...patch };
    for (const k of Object.keys(state.style)) if (state.style[k] == null) delete state.style[k];
    refreshStyle();
  }

  function createMap(initial) {
    map = L.map('map', {
      zoomControl: true,
      zoomSnap: 1,
      minZoom: 1,
      maxZoom: 19,
      worldCopyJump: false,
    });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    map.createPane('choropleth').style.zIndex = 250;
    map.createPane('suppressed').style.zIndex = 260;

    const basemap = data.atlas && data.atlas.basemap;
    if (basemap && basemap.url) {
      basemapLayer = L.tileLayer(basemap.url, {
        maxZoom: 19,
        attribution: escapeHtml(localised(basemap.attribution) || ''),
      }).addTo(map);
      document.body.classList.add('has-basemap');
    }

    const HoverInfo = L.Control.extend({
      options: { position: 'topright' },
      onAdd() {
        const div = L.DomUtil.create('div', 'hover-info');
        div.id = 'hover-info';
        return div;
      },
    });
    hoverControl = new HoverInfo().addTo(map);
    const Legend = L.Control.extend({
      options: { position: 'bottomright' },
      onAdd() {
        const div = L.DomUtil.create('section', 'legend');
        div.id = 'legend';
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      },
    });
    legendControl = new Legend().addTo(map);
    clearHover();

    if (initial.z !== null && initial.lat !== null && initial.lon !== null) {
      map.setView([initial.lat, initial.lon], initial.z);
    } else {
      fitLayer();
    }
    map.on('moveend', writeUrl);
    map.on('mousemove', onMouseMove);
    map.on('mouseout', clearHover);
    map.on('click', (e) => selectAt(e.latlng, false));
    L.DomEvent.on(map.getContainer(), 'keydown', (e) => {
      if (e.key === 'Enter' && e.target === map.getContainer()) selectAt(map.getCenter(), true);
    });
  }

  function fitLayer() {
    const b = layerBounds(currentLayer());
    if (b) map.fitBounds(b, { padding: [10, 10] });
    else map.setView([0, 0], 2);
  }

  // ---------------------------------------------------------------------------------------------
  // Hover and selection

  let hoverFrame = 0;
  let hoverLatLng = null;
  let hoverActive = false;
  const at = { busy: false, next: null, last: 0 };

  function onMouseMove(e) {
    hoverActive = true;
    hoverLatLng = e.latlng;
    if (hoverFrame) return;
    hoverFrame = requestAnimationFrame(() => {
      hoverFrame = 0;
      if (!hoverActive || !hoverLatLng) return;
      const index = data.featuresReady.get(state.layer);
      if (index) showHover(index.find(hoverLatLng.lng, hoverLatLng.lat));
      else queryAt(hoverLatLng);
    });
  }

  /** `/at` while features.geojson is still loading: at most one request in flight, every 100 ms. */
  function queryAt(latlng) {
    at.next = latlng;
    if (at.busy) return;
    at.busy = true;
    const wait = Math.max(0, at.last + 100 - performance.now());
    setTimeout(async () => {
      const ll = at.next;
      at.next = null;
      at.last = performance.now();
      const layerId = state.layer;
      const district = await districtAt(layerId, ll);
      at.busy = false;
      if (!hoverActive || layerId !== state.layer) return;
      if (at.next) queryAt(at.next);
      else showHover(district);
    }, wait);
  }

  /** The district at a point: from the local index when loaded, else from `/at`. */
  async function districtAt(layerId, latlng) {
    const index = data.featuresReady.get(layerId);
    if (index) return index.find(latlng.lng, latlng.lat);
    const b = layerBounds(data.layerById.get(layerId));
    if (b && !b.contains(latlng)) return null;
    try {
      const d = await getJSON('api/layers/' + enc(layerId) + '/at' + query({ lon: latlng.lng, lat: latlng.lat }));
      return d ? {
        id: String(d.id),
        name: d.name != null ? String(d.name) : String(d.id),
        values: d.values || {},
        suppressed: new Set(Array.isArray(d.suppressed) ? d.suppressed.map(String) : []),
      } : null;
    } catch (_) {
      return null;
    }
  }

  function outline(item, selected) {
    if (!item || !item.feature) return null;
    const weight = selected ? 3 : 2;
    const group = L.layerGroup();
    const opts = { interactive: false, fill: false };
    if (selected) group.addLayer(L.geoJSON(item.feature, { style: { ...opts, color: '#ffffff', weight: weight + 3, opacity: 0.9 } }));
    group.addLayer(L.geoJSON(item.feature, { style: { ...opts, color: '#111111', weight } }));
    return group;
  }

  function showHover(district) {
    const box = $('hover-info');
    if (!box) return;
    const current = box.dataset.district || '';
    const id = district ? district.id : '';
    if (hoverOutline && current !== id) {
      map.removeLayer(hoverOutline);
      hoverOutline = null;
    }
    if (!district) {
      box.dataset.district = '';
      box.innerHTML = '<span class="hover-prompt">' + escapeHtml(hoverActive ? t('hover.none') : t('hover.prompt')) + '</span>';
      return;
    }
    const ind = currentIndicator();
    const value = district.values ? district.values[state.indicator] : null;
    const withheld = isSuppressed(district, state.indicator);
    let text = t('nodata');
    if (withheld) text = t('suppressed');
    else if (isNumber(value)) text = withUnit(formatNumber(value, ind && ind.decimals), unitOf(ind));
    box.dataset.district = id;
    box.innerHTML = '<strong class="hover-name">' + escapeHtml(district.name) + '</strong>' +
      '<span class="hover-value' + (withheld ? ' suppressed-value' : '') + '">' + escapeHtml(text) + '</span>' +
      (withheld ? '<span class="hover-indicator">' + escapeHtml(suppressedHelp('suppressed.help', ind && ind.suppress_below)) + '</span>' : '') +
      '<span class="hover-indicator">' + escapeHtml(titleOf(ind)) + '</span>';
    if (!hoverOutline && district.feature && district.id !== state.district) {
      hoverOutline = outline(district, false);
      if (hoverOutline) hoverOutline.addTo(map);
    }
  }

  function clearHover() {
    hoverActive = false;
    hoverLatLng = null;
    at.next = null;
    showHover(null);
  }

  async function selectAt(latlng, fromKeyboard) {
    if (state.embed) return; // map and legend only: the profile belongs to the full page
    const layerId = state.layer;
    const district = await districtAt(layerId, latlng);
    if (layerId !== state.layer) return;
    if (district) openProfile(district.id, { focus: fromKeyboard, latlng });
    else closeProfile();
  }

  // ---------------------------------------------------------------------------------------------
  // District profile

  async function openProfile(id, opts) {
    state.district = id;
    writeUrl();
    const layerId = state.layer;
    let index;
    try {
      index = await loadFeatures(layerId);
    } catch (err) {
      showStatus(t('error.load', { message: err.message }));
      return;
    }
    const detail = await loadDetail(layerId);
    if (state.layer !== layerId || state.district !== id) return;
    const item = index.byId.get(id);
    if (!item) {
      closeProfile();
      return;
    }
    renderProfile(item, index, detail);
    if (selectedOutline) map.removeLayer(selectedOutline);
    selectedOutline = outline(item, true);
    if (selectedOutline) selectedOutline.addTo(map);
    if (hoverOutline) {
      map.removeLayer(hoverOutline);
      hoverOutline = null;
    }
    const panel = $('profile');
    if (panel.hidden) {
      panel.hidden = false;
      resizeMapKeepingCentre();
    }
    if (opts && opts.latlng && !map.getBounds().contains(opts.latlng)) map.panTo(opts.latlng, { animate: false });
    if (opts && opts.focus) panel.focus();
  }

  /** After the profile column opens or closes: same centre and zoom, so the URL stays the same. */
  function resizeMapKeepingCentre() {
    const centre = map.getCenter();
    map.invalidateSize({ pan: false });
    map.setView(centre, map.getZoom(), { animate: false });
  }

  function renderProfile(item, index, detail) {
    $('profile-name').textContent = item.name;
    $('profile-id').textContent = t('profile.id', { id: item.id });
    const layer = currentLayer();
    const detailInds = new Map(indicatorsOf(detail).map((i) => [i.id, i]));
    const rows = [];
    rows.push('<p class="profile-layer">' + escapeHtml(titleOf(layer)) + '</p>');
    rows.push('<table class="data-table profile-table"><caption class="visually-hidden">' +
      escapeHtml(t('profile.caption', { name: item.name })) + '</caption><thead><tr>' +
      '<th scope="col">' + escapeHtml(t('profile.indicator')) + '</th>' +
      '<th scope="col" class="num">' + escapeHtml(t('profile.value')) + '</th>' +
      '<th scope="col" class="num">' + escapeHtml(t('profile.average')) + '</th>' +
      '<th scope="col" class="num">' + escapeHtml(t('profile.rank')) + '</th></tr></thead>');
    for (const theme of THEMES) {
      const inds = indicatorsOf(layer).filter((i) => themeOf(i) === theme);
      if (!inds.length) continue;
      rows.push('<tbody><tr class="theme-row"><th colspan="4" scope="rowgroup">' + escapeHtml(themeTitle(theme)) + '</th></tr>');
      for (const ind of inds) {
        const v = item.values[ind.id];
        const stats = index.statsOf(ind.id);
        const d = detailInds.get(ind.id) || {};
        const dstats = d.stats || d;
        const mean = isNumber(dstats.mean) ? dstats.mean : stats.mean;
        const min = isNumber(dstats.min) ? dstats.min : stats.min;
        const max = isNumber(dstats.max) ? dstats.max : stats.max;
        const rank = index.rankOf(ind.id, v);
        const unit = unitOf(ind);
        let cmp = '';
        if (isNumber(v) && isNumber(mean)) {
          const key = v > mean ? 'above' : (v < mean ? 'below' : 'equal');
          const sym = { above: '▲', below: '▼', equal: '=' }[key];
          cmp = ' <span class="cmp cmp-' + key + '" title="' + escapeHtml(t('profile.' + key)) + '"><span aria-hidden="true">' +
            sym + '</span><span class="visually-hidden">' + escapeHtml(t('profile.' + key)) + '</span></span>';
        }
        let bar = '';
        if (isNumber(v) && isNumber(min) && isNumber(max) && max > min) {
          const pos = (x) => Math.max(0, Math.min(100, ((x - min) / (max - min)) * 100)).toFixed(1);
          bar = '<span class="position-bar" aria-hidden="true"><span class="position-mean" style="left:' + pos(mean) +
            '%"></span><span class="position-value" style="left:' + pos(v) + '%"></span></span>';
        }
        const current = ind.id === state.indicator;
        const withheld = isSuppressed(item, ind.id);
        const valueText = withheld
          ? '<span class="suppressed-value" title="' + escapeHtml(suppressedHelp('suppressed.help', ind.suppress_below)) + '">' +
            escapeHtml(t('suppressed')) + '</span>'
          : escapeHtml(formatNumber(v, ind.decimals));
        rows.push('<tr data-indicator="' + escapeHtml(ind.id) + '"' + (current ? ' class="current" aria-current="true"' : '') + '>' +
          '<th scope="row"><button type="button" class="link-button" data-indicator="' + escapeHtml(ind.id) + '">' +
          escapeHtml(titleOf(ind)) + '</button>' + (unit ? '<span class="unit">' + escapeHtml(unit) + '</span>' : '') + bar + '</th>' +
          '<td class="num value">' + valueText + cmp + '</td>' +
          '<td class="num average">' + escapeHtml(formatNumber(mean, ind.decimals)) + '</td>' +
          '<td class="num rank">' + (rank ? escapeHtml(t('profile.rankof', { rank, n: stats.n })) : '–') + '</td></tr>');
      }
      rows.push('</tbody>');
    }
    rows.push('</table><p class="hint">' + escapeHtml(t('profile.rank.help')) + '</p>');
    $('profile-body').innerHTML = rows.join('');
  }

  function closeProfile() {
    const wasOpen = !$('profile').hidden;
    state.district = null;
    $('profile').hidden = true;
    if (wasOpen) resizeMapKeepingCentre();
    if (selectedOutline) {
      map.removeLayer(selectedOutline);
      selectedOutline = null;
    }
    writeUrl();
    if (wasOpen && $('profile').contains(document.activeElement)) $('map').focus();
  }

  function refreshProfile() {
    if (state.district && !$('profile').hidden) openProfile(state.district);
  }

  // ---------------------------------------------------------------------------------------------
  // Table view

  function tableOpen() {
    return !$('table-view').hidden;
  }

  function toggleTable(open) {
    $('table-view').hidden = !open;
    $('btn-table').setAttribute('aria-pressed', String(open));
    if (open) {
      renderTable();
      $('table-close').focus();
    } else {
      $('btn-table').focus();
    }
  }

  async function renderTable() {
    if (!tableOpen()) return;
    const ind = currentIndicator();
    const unit = unitOf(ind);
    $('table-caption-title').textContent = t('table.caption', { indicator: titleOf(ind) });
    $('table-unit').textContent = unit ? '(' + unit + ')' : '';
    const layerId = state.layer;
    let index = data.featuresReady.get(layerId);
    $('table-loading').hidden = !!index;
    if (!index) {
      $('district-table').tBodies[0].replaceChildren();
      try {
        index = await loadFeatures(layerId);
      } catch (err) {
        showStatus(t('error.load', { message: err.message }));
        return;
      }
      if (layerId !== state.layer) return;
      $('table-loading').hidden = true;
    }
    const rows = index.items.map((item) => {
      const v = item.values[state.indicator];
      const withheld = isSuppressed(item, state.indicator);
      return { item, value: isNumber(v) && !withheld ? v : null, cls: withheld ? -1 : classIndex(v), withheld };
    });
    // Without a value: withheld districts first, then those without data.
    const missingRank = (r) => (r.withheld ? 1 : 2);
    const { key, dir } = state.tableSort;
    const sign = dir === 'asc' ? 1 : -1;
    const collator = new Intl.Collator(state.lang, { numeric: true, sensitivity: 'base' });
    rows.sort((a, b) => {
      if (key === 'value' || key === 'class') {
        const av = key === 'value' ? a.value : (a.cls < 0 ? null : a.cls);
        const bv = key === 'value' ? b.value : (b.cls < 0 ? null : b.cls);
        if (av === null && bv === null) return missingRank(a) - missingRank(b) || collator.compare(a.item.name, b.item.name);
        if (av === null) return 1; // missing values always last
        if (bv === null) return -1;
        return (av - bv) * sign || collator.compare(a.item.name, b.item.name);
      }
      return collator.compare(a.item[key], b.item[key]) * sign;
    });
    for (const th of document.querySelectorAll('#district-table th[data-sort]')) {
      th.setAttribute('aria-sort', th.dataset.sort === key ? (dir === 'asc' ? 'ascending' : 'descending') : 'none');
    }
    const lg = data.legend;
    const html = rows.map(({ item, value, cls, withheld }) => {
      let clsCell;
      if (withheld) {
        clsCell = '<span class="swatch swatch-suppressed" style="background-color:' +
          escapeHtml(lg ? lg.suppressed_color || SUPPRESSED_FALLBACK : SUPPRESSED_FALLBACK) + '" aria-hidden="true"></span>' +
          escapeHtml(suppressedLabel(lg ? lg.suppress_below : null));
      } else if (cls >= 0) {
        clsCell = '<span class="swatch" style="background-color:' + escapeHtml(lg.colors[cls]) + '" aria-hidden="true"></span>' +
          escapeHtml((cls + 1) + ': ' + classRange(cls));
      } else {
        clsCell = '<span class="swatch swatch-nodata" style="background-color:' + escapeHtml(lg ? lg.no_data_color || '#ccc' : '#ccc') +
          '" aria-hidden="true"></span>' + escapeHtml(t('legend.nodata'));
      }
      const valueText = withheld ? t('suppressed') : formatNumber(value, ind && ind.decimals);
      return '<tr data-id="' + escapeHtml(item.id) + '"><td>' + escapeHtml(item.name) + '</td><td>' + escapeHtml(item.id) +
        '</td><td class="num' + (withheld ? ' suppressed-value' : '') + '" data-value="' + (value === null ? '' : value) + '"' +
        (withheld ? ' data-suppressed="true"' : '') + '>' +
        escapeHtml(valueText) + '</td><td>' + (lg ? clsCell : '') +
        '</td><td><button type="button" class="link-button" data-show="' + escapeHtml(item.id) + '">' +
        escapeHtml(t('table.open')) + '</button></td></tr>';
    }).join('');
    $('district-table').tBodies[0].innerHTML = html;
    updateCsv(rows, ind);
  }

  /**
   * The table as CSV: `id,name,<indicator>,status`. A value that is not published is an empty cell
   * with the reason in `status` (`suppressed` or `no data`), so a spreadsheet never reads it as 0.
   */
  function updateCsv(rows, ind) {
    const cell = (s) => (/[",\n;]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s);
    const lines = ['id,name,' + cell(state.indicator) + ',status'];
    for (const { item, value, withheld } of rows) {
      const status = withheld ? 'suppressed' : (value === null ? 'no data' : '');
      lines.push([cell(item.id), cell(item.name), value === null ? '' : String(value), status].join(','));
    }
    if (csvUrl) URL.revokeObjectURL(csvUrl);
    csvUrl = URL.createObjectURL(new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv' }));
    const a = $('table-csv');
    a.href = csvUrl;
    a.download = state.layer + '-' + (ind ? ind.id : 'values') + '.csv';
  }

  async function showDistrictOnMap(id) {
    const index = await loadFeatures(state.layer);
    const item = index.byId.get(id);
    if (!item) return;
    toggleTable(false);
    if (item.polys.length) {
      map.fitBounds(L.latLngBounds([item.bbox[1], item.bbox[0]], [item.bbox[3], item.bbox[2]]), {
        padding: [40, 40], maxZoom: Math.max(map.getZoom(), 12),
      });
    }
    openProfile(id, { focus: true });
  }

  // ---------------------------------------------------------------------------------------------
  // Embed

  function embedSnippet() {
    const w = Math.max(200, Math.min(4000, Number($('embed-width').value) || 800));
    const h = Math.max(200, Math.min(4000, Number($('embed-height').value) || 500));
    const src = location.origin + location.pathname + query(viewParams({ embed: true, lang: true }));
    const title = titleOf(currentIndicator()) + ' – ' + titleOf(currentLayer());
    return '<iframe src="' + escapeHtml(src) + '" title="' + escapeHtml(title) + '" width="' + w + '" height="' + h +
      '" style="border:0" loading="lazy"></iframe>';
  }

  function openEmbedDialog() {
    $('embed-code').value = embedSnippet();
    $('embed-copied').textContent = '';
    $('embed-dialog').showModal();
    $('embed-code').focus();
    $('embed-code').select();
  }

  async function copyEmbed() {
    const text = $('embed-code').value;
    let ok = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        ok = true;
      }
    } catch (_) {
      ok = false;
    }
    if (!ok) {
      $('embed-code').select();
      ok = document.execCommand && document.execCommand('copy');
    }
    $('embed-copied').textContent = ok ? t('embed.copied') : '';
  }

  // ---------------------------------------------------------------------------------------------
  // Changing layer, indicator, language

  function pickIndicator(layer, wanted) {
    const inds = indicatorsOf(layer);
    if (wanted && inds.some((i) => i.id === wanted)) return wanted;
    for (const theme of THEMES) {
      const first = inds.find((i) => themeOf(i) === theme);
      if (first) return first.id;
    }
    return inds.length ? inds[0].id : null;
  }

  function setLayer(id) {
    if (id === state.layer || !data.layerById.has(id)) return;
    state.layer = id;
    state.indicator = pickIndicator(currentLayer(), state.indicator);
    state.style = {};
    data.goodStyle = {};
    data.legend = null;
    closeProfile();
    clearHover();
    renderIndicatorSelect();
    renderIndicatorInfo();
    fitLayer();
    refreshStyle();
    loadFeatures(id).then(() => {
      renderTable();
      if (id === state.layer) updateSuppressedOverlay();
    }, () => {});
  }

  function setIndicator(id) {
    if (id === state.indicator) return;
    state.indicator = id;
    // Every indicator keeps the style its manifest gives it (a palette chosen for "crime" should not
    // spill over to "income"); planners' overrides apply to the indicator they were made for.
    state.style = {};
    data.goodStyle = {};
    $('indicator-select').value = id;
    renderIndicatorInfo();
    refreshStyle();
    refreshProfile();
  }

  async function setLang(lang, explicit) {
    if (!I18N[lang]) return;
    state.lang = lang;
    if (explicit) state.langExplicit = true;
    try {
      await loadAtlas();
    } catch (err) {
      showStatus(t('error.load', { message: err.message }));
    }
    applyI18n();
    renderLayerSelect();
    renderIndicatorSelect();
    renderIndicatorInfo();
    renderLegend();
    renderTable();
    refreshProfile();
    clearHover();
    writeUrl();
  }

  function detectLang() {
    for (const l of navigator.languages || [navigator.language || 'en']) {
      const code = String(l).slice(0, 2).toLowerCase();
      if (I18N[code]) return code;
    }
    return 'en';
  }

  // ---------------------------------------------------------------------------------------------
  // Wiring

  function bindControls() {
    $('layer-select').addEventListener('change', (e) => setLayer(e.target.value));
    $('indicator-select').addEventListener('change', (e) => setIndicator(e.target.value));
    $('method-select').addEventListener('change', (e) => {
      const method = e.target.value;
      if (method === 'manual') {
        const breaks = data.legend && Array.isArray(data.legend.breaks)
          ? parseBreaks(breaksText(data.legend.breaks)) : null;
        $('breaks-form').hidden = false;
        if (breaks) setStyle({ method, breaks, classes: null });
      } else {
        setStyle({ method, breaks: null });
      }
    });
    $('classes-select').addEventListener('change', (e) => setStyle({ classes: Number(e.target.value) }));
    $('palette-select').addEventListener('change', (e) => {
      const palette = e.target.value;
      setStyle(paletteGroup(palette) === 'diverging' ? { palette } : { palette, centre: null });
    });
    $('border-select').addEventListener('change', (e) => {
      const border = Number(e.target.value);
      setStyle({ border: border === 0.5 ? null : border });
    });
    $('centre-mean').addEventListener('change', (e) => setStyle({ centre: e.target.checked ? 'mean' : null }));
    $('breaks-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const breaks = parseBreaks($('breaks-input').value);
      if (!breaks) {
        showStatus(t('error.style', { message: t('style.breaks.hint') }));
        return;
      }
      setStyle({ method: 'manual', breaks, classes: null });
    });
    $('style-reset').addEventListener('click', () => {
      state.style = {};
      refreshStyle();
    });
    for (const b of document.querySelectorAll('.lang-switch button')) {
      b.addEventListener('click', () => setLang(b.dataset.lang, true));
    }
    $('btn-table').addEventListener('click', () => toggleTable(!tableOpen()));
    $('table-close').addEventListener('click', () => toggleTable(false));
    $('district-table').tHead.addEventListener('click', (e) => {
      const th = e.target.closest('th[data-sort]');
      if (!th) return;
      const key = th.dataset.sort;
      const s = state.tableSort;
      state.tableSort = { key, dir: s.key === key && s.dir === 'asc' ? 'desc' : 'asc' };
      renderTable();
    });
    $('district-table').tBodies[0].addEventListener('click', (e) => {
      const b = e.target.closest('button[data-show]');
      if (b) showDistrictOnMap(b.dataset.show);
    });
    $('profile-close').addEventListener('click', closeProfile);
    $('profile-body').addEventListener('click', (e) => {
      const b = e.target.closest('button[data-indicator]');
      if (b) setIndicator(b.dataset.indicator);
    });
    $('btn-embed').addEventListener('click', openEmbedDialog);
    $('embed-copy').addEventListener('click', copyEmbed);
    for (const id of ['embed-width', 'embed-height']) {
      $(id).addEventListener('input', () => { $('embed-code').value = embedSnippet(); });
    }
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || $('embed-dialog').open) return;
      if (tableOpen()) toggleTable(false);
      else if (!$('profile').hidden) closeProfile();
    });
  }

  /** A hook for the browser tests and for debugging in the console; not an API. */
  function exposeHook() {
    window.quartier = {
      get map() { return map; },
      get state() { return JSON.parse(JSON.stringify(state)); },
      get legend() { return data.legend; },
      tileLayer: () => tileLayer,
      features: () => data.featuresReady.get(state.layer) || null,
      idle: () => pending === 0 && !tilesLoading && !!data.legend && data.featuresReady.has(state.layer),
    };
  }

  async function init() {
    const initial = readUrl();
    state.embed = initial.embed;
    document.body.classList.toggle('embed', state.embed);
    if (state.embed) {
      for (const id of ['topbar', 'sidebar']) $(id).hidden = true;
    }
    state.langExplicit = !!(initial.lang && I18N[initial.lang]);
    state.lang = state.langExplicit ? initial.lang : detectLang();
    exposeHook();
    bindControls();
    applyI18n();
    try {
      await loadAtlas();
    } catch (err) {
      showStatus(t('error.load', { message: err.message }));
      return;
    }
    if (!data.layers.length) {
      showStatus(t('error.load', { message: 'no layers' }));
      return;
    }
    state.layer = data.layerById.has(initial.layer) ? initial.layer : data.layers[0].id;
    state.indicator = pickIndicator(currentLayer(), initial.indicator);
    state.style = initial.style;
    applyI18n();
    renderLayerSelect();
    renderIndicatorSelect();
    renderIndicatorInfo();
    createMap(initial);
    await refreshStyle();
    loadFeatures(state.layer).then(() => {
      updateSuppressedOverlay();
      if (hoverActive && hoverLatLng) showHover(data.featuresReady.get(state.layer).find(hoverLatLng.lng, hoverLatLng.lat));
    }, (err) => showStatus(t('error.load', { message: err.message })));
    if (initial.district && !state.embed) openProfile(initial.district);
  }

  init();
})();
