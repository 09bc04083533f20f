// The classification a planner chooses (method, classes, scheme, border width, centre, own breaks)
// and keeping legend and tiles on it: legend.json is asked first and the tiles follow the style it
// names, so both always show the same classification.
//
// Owns the planner controls in the sidebar and the sequence of legend requests (only the newest
// answer counts). A style the server rejects (400) leaves map and legend as they were, falls back
// to the last accepted style and shows the server's message in the status line.
import * as state from './state.js';
import { fetchLegend } from './api.js';
import { currentIndicator, paletteGroup, paletteList } from './catalog.js';
import { isNumber } from './format.js';
import { t } from './i18n.js';
import { $, showStatus } from './dom.js';
import { renderLegend } from './legend.js';
import { updateSuppressedOverlay, updateTiles } from './map.js';
import { renderTable } from './table.js';
import { styleParams, writeUrl } from './url-state.js';
import { breaksText, parseBreaks } from './breaks.js';
import { STATIC } from './static-site.js';

let styleSeq = 0;

/** Fetches legend.json for the current style, then (only then) points the tiles at the same style. */
export async function refreshStyle(keepStatus) {
  const seq = ++styleSeq;
  if (!state.indicatorId()) {
    // A layer without indicators (a boundary file without numeric fields): say so, draw nothing.
    showStatus(t('error.noindicators'));
    return;
  }
  let legend;
  try {
    legend = await fetchLegend(state.layerId(), state.indicatorId(), styleParams());
  } catch (err) {
    if (seq !== styleSeq) return;
    showStatus(t('error.style', { message: err.message }));
    // Keep map and legend consistent: go back to the last style the server accepted (or the
    // indicator's default), and say why in the status line.
    const fallback = state.goodStyle();
    if (JSON.stringify(fallback) !== JSON.stringify(state.style())) {
      state.setStyle(fallback);
      await refreshStyle(true);
    }
    return;
  }
  if (seq !== styleSeq) return;
  if (!keepStatus) showStatus('');
  state.setLegend(legend);
  state.setGoodStyle(state.style());
  renderLegend();
  updateTiles();
  updateSuppressedOverlay();
  syncStyleControls();
  renderTable();
  writeUrl();
}

/** Changes part of the style (`null` drops an override) and restyles. */
function changeStyle(patch) {
  state.setStyle({ ...state.style(), ...patch });
  refreshStyle();
}

/** The palette picker: the server's schemes grouped by kind, colour-blind-safe ones marked. */
export function renderPaletteOptions() {
  const sel = $('palette-select');
  const current = sel.value;
  const groups = new Map();
  for (const p of paletteList()) {
    if (!groups.has(p.group)) {
      const og = document.createElement('optgroup');
      og.label = t('palette.' + p.group) !== 'palette.' + p.group ? t('palette.' + p.group) : p.group;
      groups.set(p.group, og);
    }
    const option = new Option(p.safe ? p.name + ' (' + t('palette.cbsafe') + ')' : p.name, p.name);
    option.dataset.group = p.group;
    option.dataset.max = String(p.max);
    groups.get(p.group).append(option);
  }
  sel.replaceChildren(...groups.values());
  if (current) setPaletteValue(current);
}

function setPaletteValue(name) {
  const sel = $('palette-select');
  if (![...sel.options].some((o) => o.value === name)) sel.append(new Option(name, name));
  sel.value = name;
}

const decimals = () => (currentIndicator() ? currentIndicator().decimals : null);

/** Shows the effective style (from legend.json) in the planner controls. */
function syncStyleControls() {
  const lg = state.legend();
  if (!lg) return;
  if (lg.method) $('method-select').value = lg.method;
  const classes = state.style().classes || lg.requested_classes || lg.classes ||
    (Array.isArray(lg.colors) ? lg.colors.length : null);
  if (classes) $('classes-select').value = String(classes);
  if (lg.palette) setPaletteValue(lg.palette);
  // The server's default border (0.5 px) is left out of the style string; other widths are in it.
  const border = /(?:^|&)border=([^&]*)/.exec(lg.style || '');
  $('border-select').value = border ? String(Number(border[1])) : '0.5';
  const diverging = paletteGroup(lg.palette) === 'diverging';
  const centre = state.style().centre;
  $('centre-field').hidden = !diverging;
  $('centre-mean').checked = diverging && (centre === 'mean' ||
    (centre == null && isNumber(lg.centre) && lg.centre === (isNumber(lg.reference) ? lg.reference : lg.mean)));
  // A typology's classes are its categories: nothing to classify.
  const ind = currentIndicator();
  const categorical = !!(ind && Array.isArray(ind.categories) && ind.categories.length);
  $('style-panel').hidden = categorical;
  const manual = $('method-select').value === 'manual';
  $('breaks-form').hidden = !manual || categorical;
  $('classes-select').disabled = manual || STATIC;
  if (manual && Array.isArray(lg.breaks)) $('breaks-input').value = breaksText(lg.breaks, decimals());
}

/** Wires the planner controls of the sidebar. */
export function bindStyleControls() {
  $('method-select').addEventListener('change', (e) => {
    const method = e.target.value;
    if (method === 'manual') {
      const lg = state.legend();
      const breaks = lg && Array.isArray(lg.breaks) ? parseBreaks(breaksText(lg.breaks, decimals())) : null;
      $('breaks-form').hidden = false;
      if (breaks) changeStyle({ method, breaks, classes: null });
    } else {
      changeStyle({ method, breaks: null });
    }
  });
  $('classes-select').addEventListener('change', (e) => changeStyle({ classes: Number(e.target.value) }));
  $('palette-select').addEventListener('change', (e) => {
    const palette = e.target.value;
    changeStyle(paletteGroup(palette) === 'diverging' ? { palette } : { palette, centre: null });
  });
  $('border-select').addEventListener('change', (e) => {
    const border = Number(e.target.value);
    changeStyle({ border: border === 0.5 ? null : border });
  });
  $('centre-mean').addEventListener('change', (e) => changeStyle({ centre: e.target.checked ? 'mean' : null }));
  $('breaks-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const breaks = parseBreaks($('breaks-input').value);
    if (!breaks) {
      showStatus(t('error.style', { message: t('style.breaks.hint') }));
      return;
    }
    changeStyle({ method: 'manual', breaks, classes: null });
  });
  $('style-reset').addEventListener('click', () => {
    state.setStyle({});
    refreshStyle();
  });
}
