// The atlas as the server describes it: layers, indicators, themes and colour schemes from
// `/api/atlas` and `/api/layers`, in the UI language.
//
// Owns loading that catalogue and the lookups on it. Theme order and titles, palette kinds and
// colour-blind safety are the server's (`themes`, `palettes`); the page keeps no lists of its own.
import * as state from './state.js';
import { fetchCatalog } from './api.js';
import { isNumber, localised } from './format.js';

/** Loads `/api/atlas` and `/api/layers` in the current language into the state. */
export async function loadCatalog() {
  const [atlas, layers] = await fetchCatalog();
  state.setCatalog(atlas, layers);
}

export function indicatorsOf(layer) {
  return (layer && Array.isArray(layer.indicators)) ? layer.indicators : [];
}

export const currentLayer = () => state.layerById(state.layerId());

export function currentIndicator() {
  return indicatorsOf(currentLayer()).find((i) => i.id === state.indicatorId()) || null;
}

export function titleOf(obj) {
  if (!obj) return '';
  if (obj.titles && typeof obj.titles === 'object') return localised(obj.titles);
  return localised(obj.title) || obj.id || '';
}

/** For a categorical indicator (a typology), the name of the category whose code `v` is. */
export function categoryOf(ind, v) {
  if (!ind || !Array.isArray(ind.categories) || !ind.categories.length) return null;
  const c = ind.categories.find((k) => k.code === v);
  return c ? localised(c.title) : null;
}

export function unitOf(ind) {
  if (!ind) return '';
  if (ind.units && typeof ind.units === 'object') return localised(ind.units);
  return localised(ind.unit);
}

/** The themes in the server's report order: `[{id, title}]`. */
function themes() {
  const listed = state.atlas().themes;
  return (Array.isArray(listed) ? listed : []).filter((th) => th && th.id)
    .map((th) => ({ id: th.id, title: localised(th.titles || th.title) || th.id }));
}

/** The theme an indicator is listed under: its own when the server knows it, else `other`. */
function themeOf(ind, known) {
  return known.some((th) => th.id === ind.theme) ? ind.theme : 'other';
}

/** The title of the theme an indicator belongs to. */
export function themeTitleOf(ind) {
  const known = themes();
  const id = themeOf(ind, known);
  const th = known.find((x) => x.id === id);
  return th ? th.title : id;
}

/** A layer's indicators grouped by theme, in report order, empty themes left out. */
export function indicatorGroups(layer) {
  const known = themes();
  const inds = indicatorsOf(layer);
  return known.map((th) => ({ ...th, indicators: inds.filter((i) => themeOf(i, known) === th.id) }))
    .filter((g) => g.indicators.length);
}

/**
 * The report's themes (all but "other") for which the layer has no indicator: a report says where
 * its data is silent instead of leaving the theme out unnoticed.
 */
export function themesWithoutData(layer) {
  const known = themes();
  const inds = indicatorsOf(layer);
  return known.filter((th) => th.id !== 'other' && !inds.some((i) => themeOf(i, known) === th.id))
    .map((th) => th.title);
}

/** `wanted` when the layer has it, else the first indicator in report order. */
export function pickIndicator(layer, wanted) {
  const inds = indicatorsOf(layer);
  if (wanted && inds.some((i) => i.id === wanted)) return wanted;
  const groups = indicatorGroups(layer);
  if (groups.length) return groups[0].indicators[0].id;
  return inds.length ? inds[0].id : null;
}

/** The layer's extent as Leaflet bounds, or null without geometry. */
export function layerBounds(layer) {
  const b = layer && layer.bounds;
  if (!Array.isArray(b) || b.length !== 4 || !b.every(isNumber)) return null;
  return L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
}

/**
 * The colour schemes planners may choose, `[{name, group, safe, max}]`: the server's sequential and
 * diverging ones. Qualitative schemes are left out: they suggest no order, and an indicator is
 * ordered. viridis and its kin form their own group, "perceptually uniform".
 */
export function paletteList() {
  const listed = Array.isArray(state.atlas().palettes) ? state.atlas().palettes : [];
  return listed.filter((p) => p && p.name && p.kind !== 'qualitative').map((p) => ({
    name: p.name,
    group: /^(viridis|cividis|magma|inferno|plasma)$/i.test(p.name) ? 'perceptual' : (p.kind || 'sequential'),
    safe: !!p.colorblind_safe,
    max: isNumber(p.max_classes) ? p.max_classes : 9,
  }));
}

export function paletteGroup(name) {
  const p = paletteList().find((x) => x.name === name);
  return p ? p.group : null;
}
