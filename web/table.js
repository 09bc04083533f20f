// The table view: every district with name, id, value and class, sortable by every column (click or
// Enter on its header; missing values always last, withheld ones before those without data), each
// row with "Show on map", and "Download as CSV" of what the table shows.
//
// Owns the table panel and its CSV download link. Rows come from values.json (features.js); the class
// column uses the current legend's colours and labels (legend.js), so table and map agree. On
// request ("A column per year") an indicator with periods gets one more column per period, from
// series.json.
import * as state from './state.js';
import { featuresOf, isSuppressed, loadFeatures } from './features.js';
import { classIndex, classLabel, SUPPRESSED_FALLBACK } from './legend.js';
import { escapeHtml, formatNumber, isNumber } from './format.js';
import { categoryOf, currentIndicator, titleOf, unitOf } from './catalog.js';
import { t } from './i18n.js';
import { $, showStatus } from './dom.js';
import { openProfile } from './profile.js';
import { fetchSeries } from './api.js';
import { STATIC } from './static-site.js';

let csvUrl = null;
const seriesCache = new Map();

$('table-periods').addEventListener('change', () => renderTable());

/** The indicator's values in every period by district id, when the reader asked for them. */
async function periodColumns(ind) {
  const field = $('table-periods-field');
  field.hidden = (STATIC && !state.atlas().static_periods) || !ind || !Array.isArray(ind.periods) || ind.periods.length < 2;
  if (field.hidden || !$('table-periods').checked) return null;
  const key = state.layerId() + '/' + ind.id;
  if (!seriesCache.has(key)) seriesCache.set(key, fetchSeries(state.layerId(), ind.id).catch(() => null));
  const series = await seriesCache.get(key);
  if (!series) return null;
  const byId = new Map(series.districts.map((d) => [d.id, d]));
  return { periods: series.periods, byId };
}

/** The header cells of the period columns, before the "Show on map" column. */
function periodHeaders(columns) {
  const row = $('district-table').tHead.rows[0];
  for (const th of [...row.querySelectorAll('th.period-col')]) th.remove();
  if (!columns) return;
  const last = row.cells[row.cells.length - 1];
  for (const p of columns.periods) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.className = 'num period-col';
    th.textContent = String(p);
    row.insertBefore(th, last);
  }
}

/** One row's period cells. */
function periodCells(columns, id, decimals) {
  if (!columns) return '';
  const d = columns.byId.get(id);
  return columns.periods.map((p, k) => {
    const withheld = d && Array.isArray(d.suppressed) && d.suppressed.includes(p);
    const v = d ? d.values[k] : null;
    const text = withheld ? t('suppressed') : (isNumber(v) ? formatNumber(v, decimals) : '–');
    return '<td class="num period-col" data-period="' + p + '">' + escapeHtml(text) + '</td>';
  }).join('');
}

export const tableOpen = () => !$('table-view').hidden;

export function toggleTable(open) {
  $('table-view').hidden = !open;
  $('btn-table').setAttribute('aria-pressed', String(open));
  if (open) {
    renderTable();
    $('table-close').focus();
  } else {
    $('btn-table').focus();
  }
}

/** Sorts by a column: the same column again turns the order round. */
export function sortTableBy(key) {
  const s = state.tableSort();
  state.setTableSort(key, s.key === key && s.dir === 'asc' ? 'desc' : 'asc');
  renderTable();
}

/** The rows in the current order: `{item, value, cls, withheld}`. */
function sortedRows(index) {
  const indicatorId = state.indicatorId();
  const rows = index.items.map((item) => {
    const v = item.values[indicatorId];
    const withheld = isSuppressed(item, indicatorId);
    return { item, value: isNumber(v) && !withheld ? v : null, cls: withheld ? -1 : classIndex(v), withheld };
  });
  // Without a value: withheld districts first, then those without data.
  const missingRank = (r) => (r.withheld ? 1 : 2);
  const { key, dir } = state.tableSort();
  const sign = dir === 'asc' ? 1 : -1;
  const collator = new Intl.Collator(state.lang(), { numeric: true, sensitivity: 'base' });
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
  return rows;
}

/** The class cell: swatch and label of the class, of "suppressed" or of "no data". */
function classCell(cls, withheld) {
  const lg = state.legend();
  if (!lg) return '';
  const swatch = (extra, color) => '<span class="swatch' + extra + '" style="background-color:' + escapeHtml(color) + '" aria-hidden="true"></span>';
  if (withheld) return swatch(' swatch-suppressed', lg.suppressed_color || SUPPRESSED_FALLBACK) + escapeHtml(lg.suppressed_label || '');
  if (cls >= 0) return swatch('', lg.colors[cls]) + escapeHtml((cls + 1) + ': ' + classLabel(cls));
  return swatch(' swatch-nodata', lg.no_data_color || '#ccc') + escapeHtml(lg.no_data_label || '');
}

export async function renderTable() {
  if (!tableOpen()) return;
  const ind = currentIndicator();
  const unit = unitOf(ind);
  $('table-caption-title').textContent = t('table.caption', { indicator: titleOf(ind) });
  $('table-unit').textContent = unit ? '(' + unit + ')' : '';
  const layerId = state.layerId();
  let index = featuresOf(layerId);
  $('table-loading').hidden = !!index;
  if (!index) {
    $('district-table').tBodies[0].replaceChildren();
    try {
      index = await loadFeatures(layerId);
    } catch (err) {
      showStatus(t('error.load', { message: err.message }));
      return;
    }
    if (layerId !== state.layerId()) return;
    $('table-loading').hidden = true;
  }
  const columns = await periodColumns(ind);
  if (layerId !== state.layerId()) return;
  periodHeaders(columns);
  const rows = sortedRows(index);
  const { key, dir } = state.tableSort();
  for (const th of document.querySelectorAll('#district-table th[data-sort]')) {
    th.setAttribute('aria-sort', th.dataset.sort === key ? (dir === 'asc' ? 'ascending' : 'descending') : 'none');
  }
  const html = rows.map(({ item, value, cls, withheld }) => {
    const valueText = withheld ? t('suppressed') : (categoryOf(ind, value) || formatNumber(value, ind && ind.decimals));
    return '<tr data-id="' + escapeHtml(item.id) + '"><td>' + escapeHtml(item.name) + '</td><td>' + escapeHtml(item.id) +
      '</td><td class="num' + (withheld ? ' suppressed-value' : '') + '" data-value="' + (value === null ? '' : value) + '"' +
      (withheld ? ' data-suppressed="true"' : '') + '>' +
      escapeHtml(valueText) + '</td><td>' + classCell(cls, withheld) + '</td>' +
      periodCells(columns, item.id, ind && ind.decimals) + '<td><button type="button" class="link-button" data-show="' + escapeHtml(item.id) + '">' +
      escapeHtml(t('table.open')) + '</button></td></tr>';
  }).join('');
  $('district-table').tBodies[0].innerHTML = html;
  updateCsv(rows, ind, columns);
}

/**
 * The table as CSV: `id,name,<indicator>,status` (and `<indicator>_<year>` per period when the
 * table shows them). A value that is not published is an empty cell with the reason in `status`
 * (`suppressed` or `no data`), so a spreadsheet never reads it as 0.
 */
function updateCsv(rows, ind, columns) {
  const cell = (s) => (/[",\n;]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s);
  const periods = columns ? columns.periods : [];
  const lines = [['id', 'name', cell(state.indicatorId()), 'status', ...periods.map((p) => cell(state.indicatorId() + '_' + p))].join(',')];
  for (const { item, value, withheld } of rows) {
    const status = withheld ? 'suppressed' : (value === null ? 'no data' : '');
    const d = columns && columns.byId.get(item.id);
    const perPeriod = periods.map((_, k) => (d && isNumber(d.values[k]) ? String(d.values[k]) : ''));
    lines.push([cell(item.id), cell(item.name), value === null ? '' : String(value), status, ...perPeriod].join(','));
  }
  if (csvUrl) URL.revokeObjectURL(csvUrl);
  csvUrl = URL.createObjectURL(new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv' }));
  const a = $('table-csv');
  a.href = csvUrl;
  a.download = state.layerId() + '-' + (ind ? ind.id : 'values') + '.csv';
}

/** "Show on map" in a row: close the table, fit the district into view, open its profile. */
export function showDistrictOnMap(id) {
  if (tableOpen()) toggleTable(false);
  openProfile(id, { focus: true, fit: 'force' });
}
