// The page's shared state: the one module other modules read it from and change it through.
//
// Owns the view (layer, indicator, style overrides, open district, language, table order, embed
// mode), which url-state.js mirrors into the address bar, and the server's answers the view is
// drawn from (atlas, layers, the current legend, the last style the server accepted). No DOM and
// no network here: only values and their accessors, so that who changes what stays visible.

const view = {
  lang: 'en',
  /** True when the language came from the URL or the switch (then it is kept in shared URLs). */
  langExplicit: false,
  embed: false,
  layer: null,
  indicator: null,
  /** Style overrides chosen by the user; empty means the indicator's default style. */
  style: {},
  /** Id of the district whose profile is open. */
  district: null,
  tableSort: { key: 'name', dir: 'asc' },
};

const server = {
  atlas: {},
  layers: [],
  layerById: new Map(),
  legend: null,
  /** The last style that the server accepted, to fall back to after a rejected one. */
  goodStyle: {},
};

/** A copy of `s` without empty entries (null or undefined mean "the default"). */
function compact(s) {
  const out = {};
  for (const [k, v] of Object.entries(s || {})) if (v != null) out[k] = v;
  return out;
}

export const lang = () => view.lang;
export const langExplicit = () => view.langExplicit;
/** Sets the UI language; `explicit` when the reader chose it (URL or switch), so links keep it. */
export function setLang(code, explicit) {
  view.lang = code;
  if (explicit) view.langExplicit = true;
}

export const embed = () => view.embed;
export function setEmbed(on) {
  view.embed = !!on;
}

export const layerId = () => view.layer;
export function setLayerId(id) {
  view.layer = id;
}

export const indicatorId = () => view.indicator;
export function setIndicatorId(id) {
  view.indicator = id;
}

/** The user's style overrides (a copy). */
export const style = () => ({ ...view.style });
export function setStyle(s) {
  view.style = compact(s);
}

export const districtId = () => view.district;
export function setDistrictId(id) {
  view.district = id;
}

export const tableSort = () => ({ ...view.tableSort });
export function setTableSort(key, dir) {
  view.tableSort = { key, dir };
}

export const atlas = () => server.atlas;
export const layers = () => server.layers;
export const layerById = (id) => server.layerById.get(id) || null;
/** Stores `/api/atlas` and `/api/layers` as answered in the current language. */
export function setCatalog(atlasJson, layersJson) {
  server.atlas = atlasJson || {};
  server.layers = Array.isArray(layersJson) ? layersJson : [];
  server.layerById = new Map(server.layers.map((l) => [l.id, l]));
}

export const legend = () => server.legend;
export function setLegend(lg) {
  server.legend = lg;
}

export const goodStyle = () => ({ ...server.goodStyle });
export function setGoodStyle(s) {
  server.goodStyle = compact(s);
}

/** The view as plain data, for the test hook and for comparing styles. */
export const snapshot = () => JSON.parse(JSON.stringify(view));
