// The Quartier map page: a Leaflet choropleth of one indicator of one district layer, drawn from the
// server's PNG tiles, with a legend from legend.json, hover and click on districts, a district
// profile, a sortable table, classification controls, shareable URLs, an embed mode and a
// German/English UI. Native ES modules, no build step; Leaflet is the global `L` (vendored).
//
// Owns start-up and the three changes that touch every part of the page: another layer, another
// indicator, another language. The modules it calls own their parts (see web/README.md).
import * as state from './state.js';
import { busy } from './api.js';
import { t, hasLang } from './i18n.js';
import { $, showStatus } from './dom.js';
import { currentLayer, loadCatalog, pickIndicator } from './catalog.js';
import { featuresOf, loadFeatures, onGeometry, periodQuery } from './features.js';
import { createMap, fitLayer, getMap, getTileLayer, setOutline, tilesBusy, updateSuppressedOverlay } from './map.js';
import { readUrl, writeUrl } from './url-state.js';
import { applyI18n, renderIndicatorInfo, renderIndicatorSelect, renderLayerSelect } from './sidebar.js';
import { bindStyleControls, refreshStyle, renderPaletteOptions } from './style.js';
import { clearHover, onMouseMove, refreshHover, selectAt } from './hover.js';
import { closeProfile, openProfile, profileOpen, refreshProfile } from './profile.js';
import { renderTable, showDistrictOnMap, sortTableBy, tableOpen, toggleTable } from './table.js';
import { bindEmbed } from './embed.js';
import { bindSearch, resetSearch } from './search.js';
import { createLabels, labelStats, labelTexts, updateLabels } from './labels.js';
import { bindDownloads, updateDownloads } from './download.js';
import { bindPrintLinks } from './print-links.js';
import { bindPeriods, carriedPeriods, renderPeriods } from './periods.js';
import { STATIC, disableStyleControls } from './static-site.js';

function setLayer(id) {
  if (id === state.layerId() || !state.layerById(id)) return;
  state.setLayerId(id);
  state.setIndicatorId(pickIndicator(currentLayer(), state.indicatorId()));
  state.setStyle({});
  state.setGoodStyle({});
  state.setLegend(null);
  closeProfile();
  clearHover();
  renderIndicatorSelect();
  renderIndicatorInfo();
  renderPeriods();
  fitLayer();
  refreshStyle();
  resetSearch();
  updateLabels();
  updateDownloads();
  loadFeatures(id).then(() => {
    renderTable();
    if (id === state.layerId()) featuresArrived();
  }, () => {});
}

/** What waits for values.json (the downloads, the table) and for the outlines (hatch, names). */
function featuresArrived() {
  updateSuppressedOverlay();
  updateLabels();
  updateDownloads();
}

/** The outlines of a small layer have arrived: hatch, names and the selected district's outline. */
function geometryArrived(layerId) {
  if (layerId !== state.layerId()) return;
  featuresArrived();
  const index = featuresOf(layerId);
  if (index && state.districtId()) setOutline('selected', index.byId.get(state.districtId()) || null);
}

/**
 * Another period or comparison: legend and tiles follow through the style; the table, hover box,
 * search and downloads through values.json of that period.
 */
function periodChanged() {
  renderIndicatorInfo();
  refreshStyle();
  clearHover();
  const id = state.layerId();
  loadFeatures(id).then(() => {
    if (id !== state.layerId()) return;
    renderTable();
    featuresArrived();
    refreshHover();
    refreshProfile();
  }, (err) => showStatus(t('error.load', { message: err.message })));
}

function setIndicator(id) {
  if (id === state.indicatorId()) return;
  const before = state.style();
  const beforeQuery = periodQuery();
  state.setIndicatorId(id);
  // Every indicator keeps the style its manifest gives it (a palette chosen for "crime" should not
  // spill over to "income"); planners' overrides apply to the indicator they were made for. The
  // year shown stays where the new indicator has it.
  state.setStyle(carriedPeriods(before));
  state.setGoodStyle({});
  $('indicator-select').value = id;
  renderIndicatorInfo();
  renderPeriods();
  if (periodQuery() !== beforeQuery) periodChanged();
  else refreshStyle();
  refreshProfile();
}

/** Texts, titles and legend labels in another language (the last from legend.json again). */
async function setLang(code, explicit) {
  if (!hasLang(code)) return;
  state.setLang(code, explicit);
  try {
    await loadCatalog();
  } catch (err) {
    showStatus(t('error.load', { message: err.message }));
  }
  applyI18n();
  renderPaletteOptions();
  renderLayerSelect();
  renderIndicatorSelect();
  renderIndicatorInfo();
  renderPeriods();
  refreshProfile();
  clearHover();
  labelTexts();
  updateDownloads();
  writeUrl();
  await refreshStyle(true);
}

function detectLang() {
  for (const l of navigator.languages || [navigator.language || 'en']) {
    const code = String(l).slice(0, 2).toLowerCase();
    if (hasLang(code)) return code;
  }
  return 'en';
}

function bindControls() {
  $('layer-select').addEventListener('change', (e) => setLayer(e.target.value));
  $('indicator-select').addEventListener('change', (e) => setIndicator(e.target.value));
  bindStyleControls();
  if (STATIC) disableStyleControls();
  for (const b of document.querySelectorAll('.lang-switch button')) {
    b.addEventListener('click', () => setLang(b.dataset.lang, true));
  }
  $('btn-table').addEventListener('click', () => toggleTable(!tableOpen()));
  $('table-close').addEventListener('click', () => toggleTable(false));
  $('district-table').tHead.addEventListener('click', (e) => {
    const th = e.target.closest('th[data-sort]');
    if (th) sortTableBy(th.dataset.sort);
  });
  $('district-table').tBodies[0].addEventListener('click', (e) => {
    const b = e.target.closest('button[data-show]');
    if (b) showDistrictOnMap(b.dataset.show);
  });
  $('profile-close').addEventListener('click', closeProfile);
  $('profile-body').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-indicator]');
    if (b) setIndicator(b.dataset.indicator);
  });
  bindEmbed();
  bindDownloads();
  bindPrintLinks();
  bindPeriods(periodChanged);
  bindSearch(showDistrictOnMap);
  // Printing lays the map out anew (print styles): Leaflet must measure it again.
  for (const ev of ['beforeprint', 'afterprint']) window.addEventListener(ev, () => getMap() && getMap().invalidateSize());
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || $('embed-dialog').open) return;
    if (tableOpen()) toggleTable(false);
    else if (profileOpen()) closeProfile();
  });
}

/** A hook for the browser tests and for debugging in the console; not an API. */
function exposeHook() {
  window.quartier = {
    get map() { return getMap(); },
    get state() { return state.snapshot(); },
    get legend() { return state.legend(); },
    tileLayer: getTileLayer,
    features: () => featuresOf(state.layerId()),
    labels: labelStats,
    idle: () => !busy() && !tilesBusy() && !!state.legend() && !!featuresOf(state.layerId()),
  };
}

async function init() {
  const initial = readUrl();
  state.setEmbed(initial.embed);
  document.body.classList.toggle('embed', state.embed());
  if (state.embed()) {
    for (const id of ['topbar', 'sidebar']) $(id).hidden = true;
  }
  const explicit = !!(initial.lang && hasLang(initial.lang));
  state.setLang(explicit ? initial.lang : detectLang(), explicit);
  exposeHook();
  bindControls();
  applyI18n();
  try {
    await loadCatalog();
  } catch (err) {
    showStatus(t('error.load', { message: err.message }));
    return;
  }
  if (!state.layers().length) {
    showStatus(t('error.load', { message: t('error.nolayers') }));
    return;
  }
  // The manifest's start view when the address names neither layer nor view.
  const start = state.atlas().start;
  const useStart = !!(start && !initial.layer && initial.z === null);
  const firstLayer = useStart && start.layer && state.layerById(start.layer) ? start.layer : state.layers()[0].id;
  state.setLayerId(state.layerById(initial.layer) ? initial.layer : firstLayer);
  state.setIndicatorId(pickIndicator(currentLayer(), initial.indicator || (useStart ? start.indicator : null)));
  state.setStyle(initial.style);
  applyI18n();
  renderPaletteOptions();
  renderLayerSelect();
  renderIndicatorSelect();
  renderIndicatorInfo();
  renderPeriods();
  const view = useStart ? { ...initial, z: start.zoom, lat: start.lat, lon: start.lon } : initial;
  createMap(view, { move: writeUrl, hover: onMouseMove, leave: clearHover, select: selectAt });
  createLabels();
  onGeometry(geometryArrived);
  // values.json is asked for alongside the legend, not after it: hover needs it.
  const districts = loadFeatures(state.layerId());
  await refreshStyle();
  districts.then((index) => {
    featuresArrived();
    refreshHover();
    if (state.embed() && initial.district) {
      setOutline('selected', index.byId.get(initial.district) || null);
      clearHover(); // the hover box now names the shared district
      updateLabels(); // and has grown: names keep clear of it
    }
  }, (err) => showStatus(t('error.load', { message: err.message })));
  if (state.embed() && initial.district) state.setDistrictId(initial.district);
  // A URL without a view but with a district: show that district; with a view, keep the view.
  else if (initial.district) openProfile(initial.district, { fit: initial.z === null ? 'force' : undefined });
}

init();
