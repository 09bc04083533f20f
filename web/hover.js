// Hover and selection on the map: the hover box (name and value of the district under the mouse)
// with its outline, and opening a district's profile by click or by Enter on the focused map.
//
// Owns the hover box and the throttle of `/at` requests. Districts are found in features.geojson
// once it has arrived (features.js explains why); until then `/at` answers, at most one request in
// flight and one every 100 ms.
import * as state from './state.js';
import { fetchAt } from './api.js';
import { featuresOf, isSuppressed, suppressedSet } from './features.js';
import { hasOutline, setOutline } from './map.js';
import { currentIndicator, layerBounds, titleOf, unitOf } from './catalog.js';
import { escapeHtml, formatNumber, isNumber, suppressionHelp, withUnit } from './format.js';
import { t } from './i18n.js';
import { $ } from './dom.js';
import { closeProfile, openProfile } from './profile.js';

let hoverFrame = 0;
let hoverLatLng = null;
let hoverActive = false;
const at = { busy: false, next: null, last: 0 };

/** The map's mousemove: the district under the mouse, once per animation frame. */
export function onMouseMove(e) {
  hoverActive = true;
  hoverLatLng = e.latlng;
  if (hoverFrame) return;
  hoverFrame = requestAnimationFrame(() => {
    hoverFrame = 0;
    if (!hoverActive || !hoverLatLng) return;
    const index = featuresOf(state.layerId());
    if (index) showHover(index.find(hoverLatLng.lng, hoverLatLng.lat));
    else queryAt(hoverLatLng);
  });
}

/** After features.geojson has arrived: answer the mouse's last position from it. */
export function refreshHover() {
  const index = featuresOf(state.layerId());
  if (hoverActive && hoverLatLng && index) showHover(index.find(hoverLatLng.lng, hoverLatLng.lat));
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
    const layerId = state.layerId();
    const district = await districtAt(layerId, ll);
    at.busy = false;
    if (!hoverActive || layerId !== state.layerId()) return;
    if (at.next) queryAt(at.next);
    else showHover(district);
  }, wait);
}

/** The district at a point: from the local index when loaded, else from `/at`. */
async function districtAt(layerId, latlng) {
  const index = featuresOf(layerId);
  if (index) return index.find(latlng.lng, latlng.lat);
  const b = layerBounds(state.layerById(layerId));
  if (b && !b.contains(latlng)) return null;
  try {
    const d = await fetchAt(layerId, latlng.lng, latlng.lat);
    return d ? {
      id: String(d.id),
      name: d.name != null ? String(d.name) : String(d.id),
      values: d.values || {},
      suppressed: suppressedSet(d.suppressed),
    } : null;
  } catch (_) {
    return null;
  }
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
  if (withheld) text = t('suppressed');
  else if (isNumber(value)) text = withUnit(formatNumber(value, ind && ind.decimals), unitOf(ind));
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
  at.next = null;
  showHover(null);
}

/** Click, or Enter on the focused map (the district at its centre): open that district's profile. */
export async function selectAt(latlng, fromKeyboard) {
  if (state.embed()) return; // map and legend only: the profile belongs to the full page
  const layerId = state.layerId();
  const district = await districtAt(layerId, latlng);
  if (layerId !== state.layerId()) return;
  if (district) openProfile(district.id, { focus: fromKeyboard, fit: 'auto' });
  else closeProfile();
}

