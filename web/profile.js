// The district profile beside the map: every indicator of the layer grouped by theme, with the
// district's value (▲/▼ against the average, also spelled out for screen readers), the layer
// average, the rank and a bar between minimum and maximum. Clicking an indicator maps it (main.js).
//
// Owns the profile column and the last district answer it showed. Values, ranks and what is
// withheld come from `/api/layers/{layer}/districts/{id}`, averages, extremes and the number of
// ranked districts from the indicator `stats` of `/api/layers/{layer}`: the page computes none.
import * as state from './state.js';
import { fetchDistrict, fetchLayerDetail } from './api.js';
import { loadFeatures, periodQuery, suppressedSet } from './features.js';
import { resizeKeepingCentre, setOutline, showBox } from './map.js';
import { categoryOf, currentLayer, indicatorGroups, indicatorsOf, themesWithoutData, titleOf, unitOf } from './catalog.js';
import { escapeHtml, formatNumber, isNumber, localised, suppressionHelp } from './format.js';
import { t } from './i18n.js';
import { $, showStatus } from './dom.js';
import { writeUrl } from './url-state.js';

/** The last `/districts/{id}` answer, so that changing indicator or language asks no more. */
let shown = { layer: null, id: null, period: null, district: null };

export const profileOpen = () => !$('profile').hidden;

async function districtData(layerId, id) {
  const period = periodQuery();
  if (shown.layer !== layerId || shown.id !== id || shown.period !== period) {
    const district = await fetchDistrict(layerId, id, period);
    shown = { layer: layerId, id, period, district };
  }
  return shown.district;
}

/**
 * Opens (or refreshes) the profile of district `id`. `opts.focus` moves focus to it; `opts.fit`
 * brings the district into view: `'force'` always fits it (search, table), `'auto'` only when part
 * of it is hidden (a click); without it the view stays (a URL that names both view and district).
 */
export async function openProfile(id, opts) {
  state.setDistrictId(id);
  writeUrl();
  const layerId = state.layerId();
  let index;
  let district;
  let detail;
  try {
    // values.json knows whether the district exists (its outline follows on small layers).
    index = await loadFeatures(layerId);
    if (!index.byId.has(id)) {
      if (state.layerId() === layerId && state.districtId() === id) closeProfile();
      return;
    }
    [district, detail] = await Promise.all([districtData(layerId, id), fetchLayerDetail(layerId)]);
  } catch (err) {
    showStatus(t('error.load', { message: err.message }));
    return;
  }
  if (state.layerId() !== layerId || state.districtId() !== id) return;
  renderProfile(district, detail, periodQuery() ? index.stats : null);
  setOutline('selected', index.byId.get(id));
  setOutline('hover', null);
  const panel = $('profile');
  if (panel.hidden) {
    panel.hidden = false;
    resizeKeepingCentre();
  }
  const item = index.byId.get(id);
  if (opts && opts.fit && item.polys.length) {
    // A panel over the map (mid-sized screens) hides its right part; beside or below it hides none.
    const overlay = getComputedStyle(panel).position === 'absolute' ? panel.getBoundingClientRect().width : 0;
    showBox(item.bbox, opts.fit === 'force', overlay);
  }
  // No scrolling: on phones the profile lies below the map, which should keep showing the district.
  if (opts && opts.focus) panel.focus({ preventScroll: true });
}

export function closeProfile() {
  const wasOpen = profileOpen();
  state.setDistrictId(null);
  $('profile').hidden = true;
  if (wasOpen) resizeKeepingCentre();
  setOutline('selected', null);
  writeUrl();
  if (wasOpen && $('profile').contains(document.activeElement)) $('map').focus();
}

/** Draws the profile again (after a change of indicator or language). */
export function refreshProfile() {
  if (state.districtId() && profileOpen()) openProfile(state.districtId());
}

/**
 * What a district is compared with: the server's reference (for rates and densities the ratio of
 * the totals, the layer as a whole; else the mean of the districts), the mean for older servers.
 */
function referenceOf(stats) {
  return isNumber(stats.reference) ? stats.reference : stats.mean;
}

/** ▲/▼/= against the reference, with the words for screen readers. */
function comparison(v, mean) {
  if (!isNumber(v) || !isNumber(mean)) return '';
  const key = v > mean ? 'above' : (v < mean ? 'below' : 'equal');
  const sym = { above: '▲', below: '▼', equal: '=' }[key];
  return ' <span class="cmp cmp-' + key + '" title="' + escapeHtml(t('profile.' + key)) + '"><span aria-hidden="true">' +
    sym + '</span><span class="visually-hidden">' + escapeHtml(t('profile.' + key)) + '</span></span>';
}

/** Where the value (and the average) lie between minimum and maximum. */
function positionBar(v, stats) {
  const { min, max } = stats;
  const mean = referenceOf(stats);
  if (!isNumber(v) || !isNumber(min) || !isNumber(max) || !(max > min)) return '';
  const pos = (x) => Math.max(0, Math.min(100, ((x - min) / (max - min)) * 100)).toFixed(1);
  return '<span class="position-bar" aria-hidden="true"><span class="position-mean" style="left:' + pos(mean) +
    '%"></span><span class="position-value" style="left:' + pos(v) + '%"></span></span>';
}

/** A small line of the district's values over the periods (`series` of the district answer). */
function sparkline(series, decimals) {
  const pts = Object.entries(series || {}).map(([p, v]) => [Number(p), v])
    .filter(([p, v]) => Number.isFinite(p) && isNumber(v)).sort((a, b) => a[0] - b[0]);
  if (pts.length < 2) return '';
  const [w, h] = [90, 20];
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const X = (x) => (x1 > x0 ? ((x - x0) / (x1 - x0)) * (w - 4) + 2 : w / 2);
  const Y = (y) => (y1 > y0 ? h - 2 - ((y - y0) / (y1 - y0)) * (h - 4) : h / 2);
  const d = pts.map(([x, y], i) => (i ? 'L' : 'M') + X(x).toFixed(1) + ' ' + Y(y).toFixed(1)).join(' ');
  const last = pts[pts.length - 1];
  const label = t('profile.series', { first: pts[0][0], from: formatNumber(pts[0][1], decimals), last: last[0],
    to: formatNumber(last[1], decimals) });
  return '<svg class="sparkline" viewBox="0 0 ' + w + ' ' + h + '" width="' + w + '" height="' + h + '" role="img" aria-label="' +
    escapeHtml(label) + '"><title>' + escapeHtml(label) + '</title><path d="' + d + '"/><circle cx="' + X(last[0]).toFixed(1) +
    '" cy="' + Y(last[1]).toFixed(1) + '" r="2"/></svg>';
}

/**
 * A composite index's parts for this district: each component's weight·direction·z (the server's
 * `indices` of the district answer), largest first, and its class by standard deviations.
 */
function contributions(ind, district, layer) {
  const detail = district.indices && district.indices[ind.id];
  if (!detail || !detail.contributions) return '';
  const names = new Map(indicatorsOf(layer).map((i) => [i.id, titleOf(i)]));
  const parts = Object.entries(detail.contributions).filter(([, v]) => isNumber(v))
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .map(([id, v]) => '<span class="part"><b>' + escapeHtml((v > 0 ? '+' : '') + formatNumber(v, 2)) + '</b> ' +
      escapeHtml(names.get(id) || id) + '</span>');
  const missing = (detail.missing || []).map((id) => '<span class="part">' + escapeHtml(names.get(id) || id) + ' ' +
    escapeHtml(t('index.missing')) + '</span>');
  const cls = detail.class ? ' · ' + escapeHtml(t('index.class.' + detail.class)) : '';
  return '<span class="contributions"><span class="head">' + escapeHtml(t('index.parts')) + cls + ': </span>' +
    parts.join('') + missing.join('') + '</span>';
}

/**
 * A number of the table, or a dash that screen readers read as "no data": the words would widen
 * the narrow columns past a phone's screen (an indicator without the year shown has none).
 */
function numberCell(v, decimals) {
  if (isNumber(v)) return escapeHtml(formatNumber(v, decimals));
  return '<span aria-hidden="true" title="' + escapeHtml(t('nodata')) + '">–</span><span class="visually-hidden">' +
    escapeHtml(t('nodata')) + '</span>';
}

/** What the reference column compares with: a named row (Germany), all districts, or their mean. */
function referenceText(stats) {
  if (stats.reference_kind === 'external') return t('profile.ref.external', { name: localised(stats.reference_title) });
  return t(stats.reference_kind === 'ratio_of_totals' ? 'profile.ref.total' : 'profile.ref.mean');
}

function indicatorRow(ind, district, withheld, stats) {
  const v = district.values ? district.values[ind.id] : null;
  const category = categoryOf(ind, v);
  const rank = district.ranks ? district.ranks[ind.id] : null;
  const unit = unitOf(ind);
  const current = ind.id === state.indicatorId();
  const valueText = withheld
    ? '<span class="suppressed-value" title="' + escapeHtml(suppressionHelp('suppressed.help', ind.suppress_below)) + '">' +
      escapeHtml(t('suppressed')) + '</span>'
    : (category ? '<span class="category-value">' + escapeHtml(category) + '</span>' : numberCell(v, ind.decimals));
  const rankText = isNumber(rank) && isNumber(stats.count) ? t('profile.rankof', { rank, n: stats.count }) : '–';
  return '<tr data-indicator="' + escapeHtml(ind.id) + '"' + (current ? ' class="current" aria-current="true"' : '') + '>' +
    '<th scope="row"><button type="button" class="link-button" data-indicator="' + escapeHtml(ind.id) + '">' +
    escapeHtml(titleOf(ind)) + '</button>' + (unit ? '<span class="unit">' + escapeHtml(unit) + '</span>' : '') +
    positionBar(v, stats) + sparkline(district.series && district.series[ind.id], ind.decimals) +
    contributions(ind, district, currentLayer()) + '</th>' +
    '<td class="num value">' + valueText + (withheld ? '' : comparison(v, referenceOf(stats))) + '</td>' +
    '<td class="num average" data-reference="' + escapeHtml(stats.reference_kind || 'mean') + '" title="' +
    escapeHtml(referenceText(stats)) + '">' +
    numberCell(referenceOf(stats), ind.decimals) + '</td>' +
    '<td class="num rank">' + escapeHtml(rankText) + '</td></tr>';
}

/**
 * `periodStats`: for another year or a change, the statistics of the values shown (values.json
 * of that period), so that averages and ranks compare within that year.
 */
function renderProfile(district, detail, periodStats) {
  const name = district.name != null ? String(district.name) : String(district.id);
  $('profile-name').textContent = name;
  $('profile-id').textContent = t('profile.id', { id: district.id });
  const layer = currentLayer();
  const statsById = new Map(indicatorsOf(detail).map((i) => [i.id, (periodStats && periodStats.get(i.id)) || i.stats || i]));
  const withheld = suppressedSet(district.suppressed);
  const rows = [];
  rows.push('<p class="profile-layer">' + escapeHtml(titleOf(layer)) + '</p>');
  rows.push('<table class="data-table profile-table"><caption class="visually-hidden">' +
    escapeHtml(t('profile.caption', { name })) + '</caption>' +
    '<thead><tr>' +
    '<th scope="col">' + escapeHtml(t('profile.indicator')) + '</th>' +
    '<th scope="col" class="num">' + escapeHtml(t('profile.value')) + '</th>' +
    '<th scope="col" class="num"><abbr title="' + escapeHtml(t('profile.average')) + '">' + escapeHtml(t('profile.average.abbr')) + '</abbr></th>' +
    '<th scope="col" class="num">' + escapeHtml(t('profile.rank')) + '</th></tr></thead>');
  const external = [];
  for (const group of indicatorGroups(layer)) {
    rows.push('<tbody><tr class="theme-row"><th colspan="4" scope="rowgroup">' + escapeHtml(group.title) + '</th></tr>');
    for (const ind of group.indicators) {
      const stats = statsById.get(ind.id) || {};
      if (stats.reference_kind === 'external') external.push(titleOf(ind) + ': ' + localised(stats.reference_title));
      rows.push(indicatorRow(ind, district, withheld.has(ind.id), stats));
    }
    rows.push('</tbody>');
  }
  const named = external.length ? ' ' + t('profile.ref.named', { list: external.join('; ') }) : '';
  rows.push('</table><p class="hint">' + escapeHtml(t('profile.ref.help') + named) + ' ' + escapeHtml(t('profile.rank.help')) + '</p>');
  const silent = themesWithoutData(layer);
  if (silent.length) rows.push('<p class="hint profile-silent">' + escapeHtml(t('profile.nodata.themes', { list: silent.join(', ') })) + '</p>');
  $('profile-body').innerHTML = rows.join('');
}
