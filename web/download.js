// The downloads in the sidebar: every indicator of the layer in one CSV, in the dialect German
// Excel opens without an import dialog (`;`, decimal comma) or the international one (`,`, dot);
// a sidecar CSV with each indicator's title, unit, year and source; and the layer's GeoJSON.
//
// Owns the three links of `#downloads` and the CSV text. Why a sidecar and not header rows: with
// one header row the values file opens as a table in Excel, LibreOffice, pandas and R without
// options beyond the separators (pandas: `sep=';', decimal=','`); extra rows of units and sources
// above the data would turn every numeric column into text there. Columns are named by indicator
// id (stable across languages, so scripts keep working), and the sidecar maps each id to its
// words. Values are rounded to the indicator's `decimals` as everywhere on the page, written with
// the ASCII minus spreadsheets parse; a withheld or missing value is an empty cell (never 0), and
// the `suppressed` column names the withheld indicators of the row. Both files: UTF-8 with BOM
// (Excel reads UTF-8 only with it), CRLF line ends.
import * as state from './state.js';
import { enc } from './api.js';
import { featuresOf } from './features.js';
import { indicatorGroups, themeTitleOf, titleOf, unitOf } from './catalog.js';
import { isNumber, localised } from './format.js';
import { t } from './i18n.js';
import { $ } from './dom.js';
import { PREVIEW } from './preview.js';

export const DIALECTS = {
  de: { sep: ';', decimal: ',' },
  intl: { sep: ',', decimal: '.' },
};

let dialect = null;
const urls = [];

/** The dialect chosen with the radio buttons; by default German Excel for the German UI. */
export const csvDialect = () => dialect || (state.lang() === 'de' ? 'de' : 'intl');

function cellOf(d) {
  return (s) => {
    const text = s == null ? '' : String(s);
    return new RegExp('["\\r\\n' + d.sep + ']').test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  };
}

/** A number as a spreadsheet reads it in this dialect: no thousands separator, ASCII minus. */
function numberCell(v, decimals, d) {
  if (!isNumber(v)) return '';
  const text = Number.isInteger(decimals) ? v.toFixed(decimals) : String(v);
  return (text === '-0' || /^-0\.0*$/.test(text) ? text.slice(1) : text).replace('.', d.decimal);
}

function layerIndicators() {
  return indicatorGroups(state.layerById(state.layerId())).flatMap((g) => g.indicators);
}

/** All districts with every indicator: `id, name, <indicator ids…>, suppressed`. */
export function valuesCsv(index, inds, d) {
  const cell = cellOf(d);
  const lines = [['id', 'name', ...inds.map((i) => i.id), 'suppressed'].map(cell).join(d.sep)];
  for (const item of index.items) {
    const withheld = inds.filter((i) => item.suppressed.has(i.id)).map((i) => i.id);
    lines.push([cell(item.id), cell(item.name),
      ...inds.map((i) => (item.suppressed.has(i.id) ? '' : numberCell(item.values[i.id], i.decimals, d))),
      cell(withheld.join(' '))].join(d.sep));
  }
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}

/** The sidecar: one row per indicator with its words in the UI language. */
export function metaCsv(inds, d) {
  const cell = cellOf(d);
  const head = ['id', t('csv.title'), t('csv.unit'), t('csv.year'), t('csv.source'), t('csv.theme'), t('csv.decimals')];
  const lines = [head.map(cell).join(d.sep)];
  for (const i of inds) {
    lines.push([i.id, titleOf(i), unitOf(i), i.year != null ? String(i.year) : '', localised(i.source), themeTitleOf(i),
      Number.isInteger(i.decimals) ? String(i.decimals) : ''].map(cell).join(d.sep));
  }
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}

function blobUrl(text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  urls.push(url);
  return url;
}

/** Points the three links at the current layer (after a change of layer, language or dialect). */
export function updateDownloads() {
  const layerId = state.layerId();
  const index = featuresOf(layerId);
  const key = csvDialect();
  for (const r of document.querySelectorAll('input[name="csv-format"]')) r.checked = r.value === key;
  $('download-geojson').href = 'api/layers/' + enc(layerId) + '/features.geojson';
  $('download-geojson').download = layerId + '.geojson';
  // The server's file is the live one: a preview offers only the tables made here from its values.
  $('download-geojson').closest('li').hidden = !!PREVIEW;
  while (urls.length) URL.revokeObjectURL(urls.pop());
  const suffix = key === 'de' ? '-excel-de.csv' : '.csv';
  const values = $('download-values');
  const meta = $('download-meta');
  if (!index) {
    for (const a of [values, meta]) a.removeAttribute('href');
    return;
  }
  const inds = layerIndicators();
  values.href = blobUrl(valuesCsv(index, inds, DIALECTS[key]));
  values.download = layerId + '-values' + suffix;
  meta.href = blobUrl(metaCsv(inds, DIALECTS[key]));
  meta.download = layerId + '-indicators' + suffix;
}

/** Wires the dialect radio buttons. */
export function bindDownloads() {
  for (const r of document.querySelectorAll('input[name="csv-format"]')) {
    r.addEventListener('change', () => {
      dialect = r.value;
      updateDownloads();
    });
  }
}
