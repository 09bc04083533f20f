// The page's fixed texts and the sidebar's pickers: the UI words in the chosen language, the atlas
// title, the layer and indicator pickers and the "about this indicator" box.
//
// Owns the text of every `data-i18n` element, the top bar's title and the two pickers' options.
import * as state from './state.js';
import { currentIndicator, currentLayer, indicatorGroups, themeTitleOf, titleOf, unitOf } from './catalog.js';
import { formatNumber, isNumber, localised } from './format.js';
import { t } from './i18n.js';
import { $ } from './dom.js';
import { PREVIEW, showPreviewBanner } from './preview.js';

/** Every fixed text in the current language, the language switch and the atlas title. */
export function applyI18n() {
  document.documentElement.lang = state.lang();
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr, t(key));
    }
  }
  for (const b of document.querySelectorAll('.lang-switch button')) {
    b.setAttribute('aria-pressed', String(b.dataset.lang === state.lang()));
  }
  const atlas = state.atlas();
  const atlasTitle = localised(atlas.titles || atlas.title) || 'Quartier';
  $('atlas-title').textContent = atlasTitle;
  $('atlas-description').textContent = localised(atlas.descriptions || atlas.description);
  $('atlas-description').title = $('atlas-description').textContent;
  document.title = PREVIEW ? t('preview.title', { id: PREVIEW }) + ' – ' + atlasTitle : atlasTitle;
  showPreviewBanner(t('preview.banner', { id: PREVIEW }), t('preview.back'));
}

export function renderLayerSelect() {
  const sel = $('layer-select');
  sel.replaceChildren(...state.layers().map((l) => new Option(titleOf(l), l.id)));
  sel.value = state.layerId();
}

/** The indicators grouped by theme, in the order of a Sozialraumbericht (the server's). */
export function renderIndicatorSelect() {
  const sel = $('indicator-select');
  const groups = indicatorGroups(currentLayer()).map((g) => {
    const og = document.createElement('optgroup');
    og.label = g.title;
    for (const ind of g.indicators) og.append(new Option(titleOf(ind), ind.id));
    return og;
  });
  sel.replaceChildren(...groups);
  sel.value = state.indicatorId();
}

export function renderIndicatorInfo() {
  const ind = currentIndicator();
  const layer = currentLayer();
  if (!ind) return;
  $('info-theme').textContent = themeTitleOf(ind);
  $('info-title').textContent = titleOf(ind);
  $('info-unit').textContent = unitOf(ind) || '–';
  // The year on the map: the chosen period, a change map's two, else the indicator's own.
  const s = state.style();
  $('info-year').textContent = s.compare ? s.compare + '–' + (s.period || ind.year) : String(s.period || ind.year || '–');
  $('info-source').textContent = localised(ind.source) || '–';
  $('info-count').textContent = layer && isNumber(layer.features) ? formatNumber(layer.features, 0) : '–';
  const desc = localised(ind.descriptions || ind.description);
  $('info-description').textContent = desc;
  $('info-description').hidden = !desc;
  $('map').setAttribute('aria-label', t('map.label', { title: titleOf(ind) + ' – ' + titleOf(layer) }));
}
