// The legend box on the map: one row per class (colour swatch, range as text, number of
// districts), a hatched "no data" row and, on layers with small-number suppression, a
// "suppressed" row; the method, number of classes and scheme under it.
//
// Owns the legend's markup and the question "which class holds this value". The texts of the rows
// (class ranges rounded to the indicator's decimals, "No data", "Suppressed (fewer than N)") are
// the server's (`labels`, `no_data_label`, `suppressed_label` in legend.json, in the page's
// language), so the page and the server's own outputs print the same numbers.
import * as state from './state.js';
import { t } from './i18n.js';
import { countText, escapeHtml, isNumber, localised, suppressionHelp } from './format.js';
import { currentIndicator, titleOf, unitOf } from './catalog.js';
import { fullPageUrl } from './url-state.js';
import { legendBox } from './map.js';
import { updateLabels } from './labels.js';

const STORE = 'quartier.legend';

/**
 * Whether the legend is open: the reader's last choice (kept across reloads), else open on screens
 * wide enough for it and closed on phones, where it would cover half the map.
 */
let expanded = (() => {
  try {
    const kept = localStorage.getItem(STORE);
    if (kept) return kept === 'open';
  } catch (_) { /* no storage: fall through to the screen width */ }
  return !window.matchMedia('(max-width: 600px)').matches;
})();

export const legendExpanded = () => expanded;

/** Opens or closes the legend (the button in its title); `keep` stores the reader's choice. */
function setExpanded(on, keep) {
  expanded = on;
  if (keep) {
    try {
      localStorage.setItem(STORE, on ? 'open' : 'closed');
    } catch (_) { /* private mode: the choice lasts for this page only */ }
  }
  const box = legendBox();
  if (!box) return;
  const button = box.querySelector('.legend-toggle');
  button.setAttribute('aria-expanded', String(on));
  button.setAttribute('aria-label', titleOf(currentIndicator()) + ': ' + t(on ? 'legend.hide' : 'legend.show'));
  box.querySelector('#legend-body').hidden = !on;
  box.classList.toggle('legend-collapsed', !on);
  updateLabels(); // names keep clear of the legend's new size
}

/** Fill of withheld districts when legend.json does not name one (`suppressed_color`). */
export const SUPPRESSED_FALLBACK = '#333333';

/** Index of the legend class a value falls into (upper bounds inclusive), or -1 for no data. */
export function classIndex(v) {
  const lg = state.legend();
  if (!lg || !isNumber(v) || !Array.isArray(lg.breaks) || !Array.isArray(lg.colors)) return -1;
  const k = lg.colors.length;
  for (let i = 0; i < k; i++) if (v <= lg.breaks[i + 1]) return i;
  return k - 1;
}

/** The server's text for class `i` ("0.86 – 1.54"). */
export function classLabel(i) {
  const lg = state.legend();
  return lg && Array.isArray(lg.labels) && lg.labels[i] != null ? lg.labels[i] : '';
}

/**
 * One legend row: swatch, text, count. `className` names the row's kind, `empty` greys its text
 * (a class no district falls into), `attrs` are its data attributes and title.
 */
function row(className, empty, swatchClass, color, label, count, attrs) {
  const classes = ['legend-class', className, empty ? 'legend-empty' : ''].filter(Boolean).join(' ');
  return '<li class="' + classes + '" data-color="' + escapeHtml(color) + '"' + attrs + '>' +
    '<span class="swatch' + swatchClass + '" style="background-color:' + escapeHtml(color) + '" aria-hidden="true"></span>' +
    '<span class="range">' + escapeHtml(label == null ? '' : label) + '</span>' +
    '<span class="count">' + (count == null ? '' : escapeHtml(countText(count))) + '</span></li>';
}

export function renderLegend() {
  const box = legendBox();
  const lg = state.legend();
  if (!box || !lg) return;
  const ind = currentIndicator();
  const unit = unitOf(ind) || localised(lg.unit);
  const colors = Array.isArray(lg.colors) ? lg.colors : [];
  const breaks = Array.isArray(lg.breaks) ? lg.breaks : [];
  const counts = Array.isArray(lg.counts) ? lg.counts : [];
  const parts = [];
  // The title is the toggle; closed, it keeps a strip of the class colours beside the title.
  parts.push('<h2 class="legend-title" id="legend-title"><button type="button" class="legend-toggle" aria-controls="legend-body">' +
    '<span class="legend-ramp" aria-hidden="true">' + colors.map((c) => '<span style="background-color:' + escapeHtml(c) + '"></span>').join('') +
    '</span><span class="legend-name">' + escapeHtml(titleOf(ind)) + '</span><span class="legend-chevron" aria-hidden="true"></span></button></h2>');
  parts.push('<div id="legend-body">');
  // Which period the colours show: a change map says from when to when, a chosen year says which.
  const when = lg.compare != null ? t('legend.change', { from: lg.compare, to: lg.period })
    : (lg.period != null && state.style().period ? String(lg.period) : '');
  if (when) parts.push('<p class="legend-period">' + escapeHtml(when) + '</p>');
  // Breaks over every period (scope=all): a colour means the same in every year; say so.
  const spans = Array.isArray(lg.break_periods) ? lg.break_periods : [];
  if (lg.compare == null && spans.length > 1) {
    parts.push('<p class="legend-scope">' + escapeHtml(t('legend.breaks', { from: Math.min(...spans), to: Math.max(...spans) })) + '</p>');
  }
  parts.push('<p class="legend-unit">' + escapeHtml(unit ? t('unit') + ': ' + unit : '') + '</p>');
  parts.push('<ul class="legend-classes" aria-labelledby="legend-title">');
  colors.forEach((color, i) => {
    const lower = breaks[i];
    const upper = breaks[i + 1];
    const count = isNumber(counts[i]) ? counts[i] : null;
    const exact = (i === 0 ? '[' : '(') + lower + ', ' + upper + ']';
    parts.push(row('', count === 0, '', color, classLabel(i), count, ' data-class="' + i + '" data-lower="' + lower + '" data-upper="' + upper +
      '" data-count="' + (count == null ? '' : count) + '" title="' + escapeHtml(exact) + '"'));
  });
  const missing = isNumber(lg.missing) ? lg.missing : 0;
  parts.push(row('legend-nodata', false, ' swatch-nodata', lg.no_data_color || '#cccccc', lg.no_data_label, missing,
    ' data-class="nodata" data-count="' + missing + '"'));
  const withheld = isNumber(lg.suppressed) ? lg.suppressed : 0;
  if (isNumber(lg.suppress_below) || withheld > 0) {
    // Its own class, labelled and hatched (as on the map), whenever the layer suppresses.
    parts.push(row('legend-suppressed', withheld === 0, ' swatch-suppressed', lg.suppressed_color || SUPPRESSED_FALLBACK, lg.suppressed_label, withheld,
      ' data-class="suppressed" data-count="' + withheld + '" title="' +
      escapeHtml(suppressionHelp('legend.suppressed.help', lg.suppress_below)) + '"'));
  }
  parts.push('</ul>');
  const methodName = t('method.' + lg.method);
  const summary = lg.method === 'categories' ? t('legend.categories', { n: colors.length })
    : t('legend.summary', { method: methodName.replace(/\s*\(.*\)$/, ''), classes: colors.length });
  parts.push('<p class="legend-summary">' + escapeHtml(summary) + (lg.palette ? ' · ' + escapeHtml(lg.palette) : '') + '</p>');
  const notes = [].concat(lg.note || [], lg.notes || [], lg.warning || [], lg.warnings || []);
  for (const note of notes) parts.push('<p class="legend-note">' + escapeHtml(localised(note)) + '</p>');
  parts.push('</div>');
  if (state.embed()) {
    parts.push('<p class="legend-open"><a href="' + escapeHtml(fullPageUrl()) + '" target="_blank" rel="noopener">' +
      escapeHtml(t('legend.open')) + ' ↗</a></p>');
  }
  box.innerHTML = parts.join('');
  box.setAttribute('aria-label', t('legend'));
  box.querySelector('.legend-toggle').addEventListener('click', () => setExpanded(!expanded, true));
  setExpanded(expanded);
}
