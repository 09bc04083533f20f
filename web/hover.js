// Hover and selection on the map: the hover box (name and value of the district under the mouse)
// with its outline, and opening a district's profile by click or by Enter on the focused map.
//
// Owns the hover box. The district under the mouse comes from the server's hover grid of the tile
// there (grid.js) and its values from values.json (features.js): no geometry and no `/at` request
// per move. A move over a tile whose grid is still loading is answered when it arrives, if the
// mouse has not moved on.
import * as state from './state.js';
import { STATIC } from './static-site.js';
import { featuresOf, isSuppressed, loadFeatures } from './features.js';
import { positionAt } from './grid.js';
import { getMap, hasOutline, setOutline } from './map.js';
import { categoryOf, currentIndicator, titleOf, unitOf } from './catalog.js';
import { escapeHtml, formatNumber, isNumber, suppressionHelp, withUnit } from './format.js';
import { t } from './i18n.js';
import { $ } from './dom.js';
import { closeProfile, openProfile } from './profile.js';

let hoverFrame = 0;
let hoverLatLng = null;
let hoverActive = false;

/** The map's mousemove: the district under the mouse, once per animation frame. */
export function onMouseMove(e) {
  hoverActive = true;
  hoverLatLng = e.latlng;
  if (hoverFrame) return;
  hoverFrame = requestAnimationFrame(() => {
    hoverFrame = 0;
    refreshHover();
  });
}

/** Answers the mouse's last position (again after values.json or a grid has arrived). */
export function refreshHover() {
  if (!hoverActive || !hoverLatLng) return;
  const ll = hoverLatLng;
  const layerId = state.layerId();
  const found = districtAt(layerId, ll);
  if (!(found instanceof Promise)) {
    showHover(found);
    return;
  }
  found.then((district) => {
    if (hoverActive && hoverLatLng === ll && layerId === state.layerId()) showHover(district);
  });
}

/**
 * The district from a grid cell: values.json's item once loaded, before that id and name from the
 * grid with the value still to come (`pending`).
 */
function districtOf(layerId, found) {
  if (!found) return null;
  const index = featuresOf(layerId);
  if (index) return index.at(found.position);
  return found.name != null ? { id: found.id, name: found.name, values: {}, suppressed: new Set(), pending: true } : null;
}

/** The district at a point: the item, null, or a Promise of either while its grid loads. */
function districtAt(layerId, latlng) {
  const map = getMap();
  if (!map) return null;
  if (STATIC) {
    // No server for hover grids: the outlines the static site carries.
    const index = featuresOf(layerId);
    return index && index.hasGeometry ? index.locate(latlng.lng, latlng.lat) : null;
  }
  const found = positionAt(layerId, latlng, map.getZoom());
  if (found instanceof Promise) return found.then((f) => districtOf(layerId, f), () => null);
  return districtOf(layerId, found);
}

/** The district at a point with its values (click): waits for values.json. */
async function districtWithValues(layerId, latlng) {
  const district = await districtAt(layerId, latlng);
  if (!district || !district.pending) return district;
  const index = await loadFeatures(layerId).catch(() => null);
  return index ? index.byId.get(district.id) || null : null;
}

function showHover(district) {
  const box = $('hover-info');
  if (!box) return;
  const current = box.dataset.district || '';
  const id = district ? district.id : '';
  if (current !== id) setOutline('hover', null);
  if (!district && state.embed() && state.districtId()) {
    // An embedded map names the district it was shared with while the mouse is elsewhere.
    const index = featuresOf(state.layerId());
    district = index && index.byId.get(state.districtId());
  }
  if (!district) {
    box.dataset.district = '';
    box.innerHTML = '<span class="hover-prompt">' + escapeHtml(hoverActive ? t('hover.none') : t('hover.prompt')) + '</span>';
    return;
  }
  const ind = currentIndicator();
  const value = district.values ? district.values[state.indicatorId()] : null;
  const withheld = isSuppressed(district, state.indicatorId());
  let text = t('nodata');
  if (district.pending) text = '…';
  else if (withheld) text = t('suppressed');
  else if (isNumber(value)) text = categoryOf(ind, value) || withUnit(formatNumber(value, ind && ind.decimals), unitOf(ind));
  box.dataset.district = id;
  box.innerHTML = '<strong class="hover-name">' + escapeHtml(district.name) + '</strong>' +
    '<span class="hover-value' + (withheld ? ' suppressed-value' : '') + '">' + escapeHtml(text) + '</span>' +
    (withheld ? '<span class="hover-indicator">' + escapeHtml(suppressionHelp('suppressed.help', ind && ind.suppress_below)) + '</span>' : '') +
    '<span class="hover-indicator">' + escapeHtml(titleOf(ind)) + '</span>';
  if (!hasOutline('hover') && district.feature && district.id !== state.districtId()) setOutline('hover', district);
}

/** Mouse out (or a new layer or language): the prompt instead of a district. */
export function clearHover() {
  hoverActive = false;
  hoverLatLng = null;
  showHover(null);
}

/** Click, or Enter on the focused map (the district at its centre): open that district's profile. */
export async function selectAt(latlng, fromKeyboard) {
  if (state.embed()) return; // map and legend only: the profile belongs to the full page
  const layerId = state.layerId();
  const district = await districtWithValues(layerId, latlng);
  if (layerId !== state.layerId()) return;
  if (district) openProfile(district.id, { focus: fromKeyboard, fit: 'auto' });
  else closeProfile();
}

