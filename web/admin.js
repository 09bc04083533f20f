// The admin page (admin.html): sign in with the admin token, upload a new table or boundary file
// as a staged version, read its validation report, preview it on the map page, publish it, or
// roll back by publishing an older version (docs/api.md, "Admin API").
//
// Owns the token in sessionStorage (this tab only, under preview.js's key, so that the map page's
// preview mode sends it too) and every admin request. Texts come from admin-i18n.js; every element is built
// with textContent, so nothing a server or file says is read as HTML.
import { applyTexts, lang, setLang, t } from './admin-i18n.js';
import { TOKEN_KEY } from './preview.js';

const $ = (id) => document.getElementById(id);
const token = () => sessionStorage.getItem(TOKEN_KEY) || '';
let layers = [];
let versions = [];

/** An element with attributes and children (strings become text). */
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v != null) e.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c != null) e.append(c);
  return e;
}

/** One admin request; rejects with the server's own message (German where it has one). */
async function call(method, path, body) {
  const headers = { Authorization: 'Bearer ' + token(), Accept: 'application/json' };
  const res = await fetch(path, { method, headers, body });
  let json = null;
  try {
    json = await res.json();
  } catch (_) {
    json = null;
  }
  if (!res.ok) {
    const message = (json && (json['error_' + lang()] || json.error)) || res.status + ' ' + res.statusText;
    throw Object.assign(new Error(message), { status: res.status, body: json });
  }
  return json;
}

function say(box, text, kind = 'info') {
  const b = $(box);
  b.textContent = text;
  b.className = 'admin-message ' + kind;
  b.hidden = !text;
}

async function signIn(event) {
  event?.preventDefault();
  const given = $('token-input').value.trim();
  if (given) sessionStorage.setItem(TOKEN_KEY, given);
  try {
    versions = await call('GET', 'admin/versions');
    layers = await call('GET', 'admin/layers');
  } catch (err) {
    sessionStorage.removeItem(TOKEN_KEY);
    say('auth-message', err.status === 401 || err.status === 404 ? t('auth.wrong') : t('error', { message: err.message }), 'error');
    return showSignedIn(false);
  }
  $('token-input').value = '';
  say('auth-message', t('auth.ok'));
  showSignedIn(true);
  renderLayers();
  renderVersions();
}

function showSignedIn(yes) {
  $('auth-form').hidden = yes;
  $('signout').hidden = !yes;
  for (const id of ['upload', 'versions']) $(id).hidden = !yes;
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  say('auth-message', '');
  say('upload-message', '');
  $('report').replaceChildren();
  showSignedIn(false);
}

function renderLayers() {
  const sel = $('layer-select');
  const keep = sel.value;
  sel.replaceChildren(...layers.map((l) => el('option', { value: l.id }, l.id)));
  if (layers.some((l) => l.id === keep)) sel.value = keep;
  renderTargets();
}

/** The files the upload may replace in the chosen layer: its tables, then its boundaries. */
function renderTargets() {
  const layer = layers.find((l) => l.id === $('layer-select').value);
  const sel = $('target-select');
  const keep = sel.value;
  const options = (layer ? layer.tables : []).map((tb) => el('option', { value: 'table:' + tb.id }, t('upload.table', tb)));
  options.push(el('option', { value: 'boundaries' }, t('upload.boundaries')));
  sel.replaceChildren(...options);
  if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
}

async function upload(event) {
  event.preventDefault();
  const file = $('file-input').files[0];
  if (!file) return say('upload-message', t('upload.nofile'), 'error');
  const layer = encodeURIComponent($('layer-select').value);
  const target = $('target-select').value;
  const path = target === 'boundaries'
    ? 'admin/layers/' + layer + '/boundaries'
    : 'admin/layers/' + layer + '/tables/' + encodeURIComponent(target.slice('table:'.length));
  say('upload-message', t('upload.busy'));
  $('upload-submit').disabled = true;
  try {
    const staged = await call('PUT', path, file);
    say('upload-message', '');
    renderReport(staged);
    versions = await call('GET', 'admin/versions');
    renderVersions();
  } catch (err) {
    $('report').replaceChildren();
    say('upload-message', t('report.refused', { message: err.message }), 'error');
  } finally {
    $('upload-submit').disabled = false;
  }
}

/** The first few items of a list, then how many more. */
function some(list, n = 10) {
  const shown = list.slice(0, n).map((x) => (Array.isArray(x) ? x.join(': ') : String(x))).join(', ');
  return list.length > n ? shown + ' … (+' + (list.length - n) + ')' : shown;
}

/** The staged version's report: can it go live, and per layer what was read and joined. */
function renderReport(staged) {
  const items = [];
  for (const atlas of staged.report || []) {
    for (const l of atlas.layers || []) {
      const imp = l.import || {};
      const v = imp.validation || {};
      const lines = [t('report.layer', { id: l.id, features: imp.features, format: imp.format, crs: imp.crs }),
        t('report.problems', { errors: (v.errors || []).length, warnings: (v.warnings || []).length, repaired: (v.repaired || []).length })];
      for (const j of l.joins || []) {
        const without = j.districts_without_row || [];
        lines.push(t('report.join', { table: String(j.table).split('/').pop(), matched: j.matched, total: j.matched + without.length }));
        if (without.length) lines.push(t('report.without', { list: some(without) }));
        if ((j.rows_without_district || []).length) lines.push(t('report.rows', { list: some(j.rows_without_district) }));
      }
      for (const tb of l.tables || []) lines.push(String(tb.id) + ': ' + t('report.skipped', { rows: tb.rows, skipped: (tb.skipped || []).length }));
      for (const i of l.indicators || []) lines.push(t('report.indicator', i));
      items.push(el('ul', {}, lines.map((line) => el('li', {}, line))));
    }
  }
  const losses = staged.losses || [];
  $('report').replaceChildren(...[
    el('h3', {}, t('report.title', { id: staged.id })),
    el('p', { class: 'admin-message ' + (staged.publishable ? 'ok' : 'error') }, staged.publishable ? t('report.ok') : t('report.losses')),
    losses.length ? el('ul', { class: 'losses' }, losses.map((x) => el('li', {}, t('report.loss', x)))) : null,
    ...items,
    actions(staged.id, false, !staged.publishable),
  ].filter(Boolean));
}

/** Preview and publish buttons for a version, and "Publish anyway" when it loses data (`force`). */
function actions(id, older, force) {
  const preview = el('a', { class: 'button', href: './?version=' + encodeURIComponent(id) + '&lang=' + lang() }, t('preview'));
  const publish = el('button', { type: 'button', 'data-publish': id, onclick: () => publishVersion(id, false) }, older ? t('rollback') : t('publish'));
  return el('p', { class: 'admin-actions' }, preview, ' ', publish, force ? [' ', publishAnyway(id)] : null);
}

/** The button that publishes a version despite its losses (`?force=1`). */
function publishAnyway(id) {
  return el('button', { type: 'button', class: 'danger', onclick: () => publishVersion(id, true) }, t('publish.force'));
}

async function publishVersion(id, force) {
  try {
    await call('POST', 'admin/versions/' + encodeURIComponent(id) + '/publish' + (force ? '?force=1' : ''));
    say('publish-message', t('publish.done', { id }), 'ok');
  } catch (err) {
    say('publish-message', t('publish.refused', { message: err.message }), 'error');
    // Refused for its losses (409, with the numbers): the officer may still decide to publish.
    if (err.status === 409 && !force) {
      $('publish-message').append(' ', publishAnyway(id));
    }
  }
  versions = await call('GET', 'admin/versions').catch(() => versions);
  renderVersions();
}

/** A version's change in the page's language (the server writes `layer L: table T (N bytes)`). */
function changeText(change) {
  const table = /^layer (.+): table (.+) \((\d+) bytes\)$/.exec(change || '');
  if (table) return t('change.table', { layer: table[1], table: table[2], bytes: Number(table[3]).toLocaleString(lang()) });
  const bounds = /^layer (.+): boundaries \((\w+), (\d+) bytes\)$/.exec(change || '');
  if (bounds) return t('change.boundaries', { layer: bounds[1], format: bounds[2], bytes: Number(bounds[3]).toLocaleString(lang()) });
  return change;
}

/** Every version, newest first, with its state and actions. */
function renderVersions() {
  const rows = [...versions].sort((a, b) => (b.created - a.created) || String(b.id).localeCompare(String(a.id)));
  const live = rows.findIndex((v) => v.live);
  $('versions-empty').hidden = rows.length > 0;
  $('versions-table').hidden = rows.length === 0;
  $('versions-body').replaceChildren(...rows.map((v, k) => el('tr', { 'data-version': v.id, class: v.live ? 'live' : null },
    el('td', {}, new Date(Number(v.created) * 1000).toLocaleString(lang() === 'de' ? 'de-DE' : 'en-GB')),
    el('td', {}, changeText(v.change) || v.id),
    el('td', {}, v.live ? t('versions.live') : t('versions.staged')),
    el('td', {}, v.live ? el('a', { class: 'button', href: './?version=' + encodeURIComponent(v.id) + '&lang=' + lang() }, t('preview'))
      : actions(v.id, live >= 0 && k > live, false)))));
}

function switchLang(code) {
  setLang(code);
  applyTexts();
  if (token() && !$('upload').hidden) {
    renderTargets();
    renderVersions();
  }
}

applyTexts();
$('auth-form').addEventListener('submit', signIn);
$('signout').addEventListener('click', signOut);
$('layer-select').addEventListener('change', renderTargets);
$('upload-form').addEventListener('submit', upload);
for (const b of document.querySelectorAll('.lang-switch button')) b.addEventListener('click', () => switchLang(b.dataset.lang));
$('back-link').href = './?lang=' + lang();
if (token()) signIn();
else showSignedIn(false);
