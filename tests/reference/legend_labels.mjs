#!/usr/bin/env node
// Reference legend labels: what the map page printed for a legend's class ranges before the server
// took that over (issue 9). The functions below are copied unchanged from `web/app.js` of that time
// (`numberFormat`, `autoDecimals`, `formatNumber`, `legendDecimals`, `legendFormatter`,
// `classRange`, `suppressedLabel` and the i18n strings they use), run by Node's own `Intl`.
//
// Writes `tests/fixtures/reference/legend_labels.json`: for every break list of
// `classify_mapclassify.json` (mapclassify's bins with the data minimum in front, as legend.json
// has them), with the manifest decimals unset, 0 and 2, and for break lists of a million and more
// (the compact notation), the labels in German and English; plus the suppressed row for a few
// thresholds. `crates/quartier-server` compares its labels against it.
//
// Run from the repository root: `node tests/reference/legend_labels.mjs` (Node 20 with full ICU).
import { readFileSync, writeFileSync } from 'node:fs';

const I18N = {
  de: { 'nodata': 'keine Daten', 'legend.nodata': 'Keine Daten', 'legend.suppressed': 'Gesperrt (weniger als {n})', 'legend.suppressed0': 'Gesperrt' },
  en: { 'nodata': 'no data', 'legend.nodata': 'No data', 'legend.suppressed': 'Suppressed (fewer than {n})', 'legend.suppressed0': 'Suppressed' },
};
const state = { lang: 'en' };

function t(key, params) {
  const table = I18N[state.lang] || I18N.en;
  let s = key in table ? table[key] : (I18N.en[key] || key);
  if (params) {
    for (const [k, v] of Object.entries(params)) s = s.split('{' + k + '}').join(String(v));
  }
  return s;
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

function suppressedLabel(threshold) {
  return isNumber(threshold)
    ? t('legend.suppressed', { n: formatNumber(threshold, Number.isInteger(threshold) ? 0 : null) })
    : t('legend.suppressed0');
}

function formatNumber(v, decimals) {
  if (!isNumber(v)) return t('nodata');
  const d = Number.isInteger(decimals) ? decimals : autoDecimals(v);
  return numberFormat(d).format(v);
}

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

/** `classRange(i)` of the page for every class of a legend. */
function classRanges(breaks, decimals) {
  const fmt = legendFormatter(breaks, decimals);
  return breaks.slice(1).map((b, i) => fmt(breaks[i]) + '\u2009–\u2009' + fmt(b));
}

const mapclassify = JSON.parse(readFileSync('tests/fixtures/reference/classify_mapclassify.json', 'utf8'));
const breakLists = [];
for (const [cases, datasets] of [[mapclassify.cases, mapclassify.datasets], [mapclassify.synthetic_cases, mapclassify.synthetic]]) {
  for (const c of cases.filter((c) => Array.isArray(c.bins))) {
    const ds = datasets[c.dataset];
    const min = Array.isArray(ds) ? Math.min(...ds) : (ds.min ?? Math.min(...ds.values));
    breakLists.push({ name: `${c.dataset} ${c.method} k=${c.k}`, breaks: [min, ...c.bins] });
  }
}
// Populations and money: the compact notation of numbers of a million and more.
breakLists.push(
  { name: 'millions', breaks: [0, 12345, 996123456, 1400000000, 1412345678] },
  { name: 'close millions', breaks: [1000000, 1000400, 1000900, 2500000] },
  { name: 'negative millions', breaks: [-2500000, -999999, 0, 999500, 3e12] },
  { name: 'big and small', breaks: [0.125, 2.5, 1005, 1e6] },
);

const cases = [];
const seen = new Set();
for (const { name, breaks } of breakLists) {
  if (seen.has(JSON.stringify(breaks))) continue;
  seen.add(JSON.stringify(breaks));
  for (const decimals of [null, 0, 2]) {
    const entry = { name, breaks, decimals };
    for (const lang of ['de', 'en']) {
      state.lang = lang;
      entry[lang] = classRanges(breaks, decimals);
    }
    cases.push(entry);
  }
}
const suppressed = [];
for (const threshold of [null, 3, 40, 2.5, 1000]) {
  const entry = { threshold };
  for (const lang of ['de', 'en']) {
    state.lang = lang;
    entry[lang] = suppressedLabel(threshold);
  }
  suppressed.push(entry);
}
const noData = {};
for (const lang of ['de', 'en']) {
  state.lang = lang;
  noData[lang] = t('legend.nodata');
}

const out = {
  generator: 'tests/reference/legend_labels.mjs',
  versions: { node: process.version, icu: process.versions.icu, cldr: process.versions.cldr },
  cases,
  suppressed,
  no_data: noData,
};
// One case per line: small enough to review, easy to diff.
const lines = (list) => '[\n' + list.map((e) => '  ' + JSON.stringify(e)).join(',\n') + '\n ]';
const text = '{\n' + Object.entries(out).map(([k, v]) =>
  ' ' + JSON.stringify(k) + ': ' + (Array.isArray(v) ? lines(v) : JSON.stringify(v))).join(',\n') + '\n}\n';
JSON.parse(text);
writeFileSync('tests/fixtures/reference/legend_labels.json', text);
console.log(`${cases.length} legends, ${suppressed.length} suppressed rows`);
