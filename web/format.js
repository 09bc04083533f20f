// Numbers and text as the page prints them outside the legend: values in hover, profile and table,
// counts, units, and the text helpers every view uses (HTML escaping, `{de, en}` texts).
//
// Owns the page's number formats per language. The legend's class labels are not made here: the
// server sends them (`labels` in legend.json), formatted the same way for the page and for reports.
import { lang } from './state.js';
import { t } from './i18n.js';

export function isNumber(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

/** Text in the UI language from a value that is either plain text or `{de, en}`. */
export function localised(v) {
  if (v == null) return '';
  if (typeof v === 'object') return v[lang()] || v.en || v.de || Object.values(v)[0] || '';
  return String(v);
}

const formats = new Map();
function numberFormat(decimals) {
  const key = lang() + decimals;
  if (!formats.has(key)) {
    formats.set(key, new Intl.NumberFormat(lang() === 'de' ? 'de-DE' : 'en-GB', {
      minimumFractionDigits: decimals, maximumFractionDigits: decimals, signDisplay: 'negative',
    }));
  }
  return formats.get(key);
}

/** Decimals for a number when the manifest gives none: about three significant digits. */
export function autoDecimals(magnitude) {
  const a = Math.abs(magnitude);
  if (a === 0 || a >= 100) return 0;
  if (a >= 10) return 1;
  if (a >= 1) return 2;
  return 3;
}

/**
 * A value with the given decimals (or about three significant digits), "no data" for none.
 * Negative numbers get the real minus sign (U+2212): Intl writes the hyphen-minus, which reads as
 * a dash in ranges ("-8,3 – -5,0") and is shorter than the digits it stands before.
 */
export function formatNumber(v, decimals) {
  if (!isNumber(v)) return t('nodata');
  const d = Number.isInteger(decimals) ? decimals : autoDecimals(v);
  return numberFormat(d).format(v).replace('-', '\u2212');
}

/** A number with its unit, joined by a no-break space ("12,3 %", "1,234 persons"). */
export function withUnit(text, unit) {
  return unit ? text + '\u00a0' + unit : text;
}

/** "12 districts", "1 district". */
export function countText(n) {
  return n === 1 ? t('legend.count1') : t('legend.count', { n: formatNumber(n, 0) });
}

/**
 * The explanation of small-number suppression under a threshold (`key` is a text with `{n}`),
 * for tooltips; empty when the layer has no threshold.
 */
export function suppressionHelp(key, threshold) {
  return isNumber(threshold) ? t(key, { n: formatNumber(threshold, Number.isInteger(threshold) ? 0 : null) }) : '';
}
