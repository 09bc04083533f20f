// The search box in the top bar: find a district by name or key, as an ARIA 1.2 combobox (a text
// field with a listbox popup: arrow keys move the active option, named by aria-activedescendant,
// Enter chooses it, Escape closes the list and then clears the field).
//
// Owns the field `#search-input`, its list `#search-list` and the name index per layer. Names are
// compared without accents and case ("cote" finds "Côte-des-Neiges"); keys from their start
// ("37" finds every NC county). Every option shows the key, so districts sharing a name (the
// Boston tracts, "München" city and Landkreis before the server's `name` template tells them
// apart) are told apart; those are marked "name occurs more than once" for screen readers too.
// Districts come from values.json, which the page loads anyway (features.js).
import * as state from './state.js';
import { featuresOf } from './features.js';
import { escapeHtml } from './format.js';
import { t } from './i18n.js';
import { $ } from './dom.js';

const MAX_OPTIONS = 12;

/** Lower case without accents, so that "cote" finds "Côte" and "munchen" finds "München". */
export function fold(s) {
  return String(s).normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** FeatureIndex -> [{id, name, folded, twin}], built on the first search of a layer. */
const entries = new WeakMap();

function entriesOf(index) {
  if (!entries.has(index)) {
    const counts = new Map();
    for (const it of index.items) counts.set(it.name, (counts.get(it.name) || 0) + 1);
    entries.set(index, index.items.map((it) => ({
      id: it.id, name: it.name, folded: fold(it.name), key: fold(it.id), twin: counts.get(it.name) > 1,
    })));
  }
  return entries.get(index);
}

/**
 * The districts matching `text`, best first: the exact key, names starting with the text, names
 * with a word starting with it, keys starting with it, names containing it; then by name and key.
 */
export function searchDistricts(index, text) {
  const q = fold(text.trim());
  if (!q) return [];
  const scored = [];
  for (const e of entriesOf(index)) {
    let score = -1;
    if (e.key === q) score = 0;
    else if (e.folded.startsWith(q)) score = 1;
    else if (e.folded.includes(' ' + q) || e.folded.includes('-' + q) || e.folded.includes('(' + q)) score = 2;
    else if (e.key.startsWith(q)) score = 3;
    else if (e.folded.includes(q)) score = 4;
    if (score >= 0) scored.push({ e, score });
  }
  const collator = new Intl.Collator(state.lang(), { numeric: true, sensitivity: 'base' });
  scored.sort((a, b) => a.score - b.score || collator.compare(a.e.name, b.e.name) || collator.compare(a.e.id, b.e.id));
  return scored.slice(0, MAX_OPTIONS).map((s) => s.e);
}

let shown = [];
let active = -1;
let choose = () => {};

const input = () => $('search-input');

function setOpen(open) {
  $('search-list').hidden = !open;
  input().setAttribute('aria-expanded', String(open));
  if (!open) setActive(-1);
}

function setActive(i) {
  active = i;
  const list = $('search-list');
  for (const li of list.children) li.setAttribute('aria-selected', String(Number(li.dataset.index) === i));
  if (i >= 0 && list.children[i]) {
    input().setAttribute('aria-activedescendant', list.children[i].id);
    list.children[i].scrollIntoView({ block: 'nearest' });
  } else {
    input().removeAttribute('aria-activedescendant');
  }
}

function update() {
  const index = featuresOf(state.layerId());
  const text = input().value;
  shown = index ? searchDistricts(index, text) : [];
  const list = $('search-list');
  list.innerHTML = shown.map((e, i) => '<li role="option" id="search-option-' + i + '" data-index="' + i + '" aria-selected="false">' +
    '<span class="search-name">' + escapeHtml(e.name) + '</span> <span class="search-key">' + escapeHtml(e.id) + '</span>' +
    (e.twin ? '<span class="visually-hidden">, ' + escapeHtml(t('search.twin')) + '</span>' : '') + '</li>').join('');
  const empty = text.trim() !== '' && !shown.length;
  $('search-empty').hidden = !empty;
  setOpen(shown.length > 0);
  $('search-status').textContent = !text.trim() ? '' : (empty ? t('search.none')
    : (shown.length === 1 ? t('search.count1') : t('search.count', { n: shown.length })));
}

function pick(i) {
  const e = shown[i];
  if (!e) return;
  input().value = e.name;
  setOpen(false);
  $('search-empty').hidden = true;
  choose(e.id);
}

function onKey(e) {
  const open = !$('search-list').hidden;
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    e.preventDefault();
    if (!open) update();
    if (!shown.length) return;
    const step = e.key === 'ArrowDown' ? 1 : -1;
    setActive(active < 0 ? (step > 0 ? 0 : shown.length - 1) : (active + step + shown.length) % shown.length);
  } else if (e.key === 'Enter') {
    if (!shown.length) return;
    e.preventDefault();
    pick(active >= 0 ? active : 0);
  } else if (e.key === 'Escape') {
    // Handled here, so the page's Escape (closing table or profile) does not also fire.
    e.stopPropagation();
    if (open) setOpen(false);
    else {
      input().value = '';
      $('search-empty').hidden = true;
      $('search-status').textContent = '';
    }
  } else if (e.key === 'Home' || e.key === 'End') {
    setActive(-1);
  }
}

/** Forgets the list (another layer or language). */
export function resetSearch() {
  shown = [];
  input().value = '';
  $('search-list').innerHTML = '';
  $('search-empty').hidden = true;
  setOpen(false);
}

/** Wires the search box; `onChoose(id)` shows the chosen district. */
export function bindSearch(onChoose) {
  choose = onChoose;
  input().addEventListener('input', update);
  input().addEventListener('keydown', onKey);
  // Close a moment after the field loses focus, unless it has it again by then: a stale timer
  // from an earlier blur must not hide the list of what the reader is typing now (the cause of
  // a search test that failed now and then right after a profile took the focus).
  input().addEventListener('blur', () => setTimeout(() => {
    if (document.activeElement !== input()) setOpen(false);
  }, 150));
  // pointerdown, not click: the field keeps its focus, so the list does not close first.
  $('search-list').addEventListener('pointerdown', (e) => {
    const li = e.target.closest('li[role="option"]');
    if (!li) return;
    e.preventDefault();
    pick(Number(li.dataset.index));
  });
}
