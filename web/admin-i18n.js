// The admin page's words in German and English, and `t()` to look them up (admin.html).
//
// Owns the admin page's texts and its language (`?lang=`, else the browser's, else English); the
// map page's texts are in i18n.js. `{name}` placeholders are filled by `t(key, {name: ...})`.

const TEXTS = {
  de: {
    'title': 'Quartier – Daten veröffentlichen',
    'intro': 'Neue Tabellen oder Grenzen hochladen, den Prüfbericht lesen, die Karte in der Vorschau ansehen und erst dann veröffentlichen. Jede Version bleibt gespeichert: eine ältere zu veröffentlichen ist die Rücknahme.',
    'back': '← Zur Karte',
    'auth.title': 'Anmelden',
    'auth.token': 'Admin-Token',
    'auth.hint': 'Das Token steht in QUARTIER_ADMIN_TOKEN oder in der Datei von --admin-token-file des Servers. Es bleibt nur in diesem Tab gespeichert.',
    'auth.submit': 'Anmelden',
    'auth.signout': 'Abmelden',
    'auth.wrong': 'Das Token stimmt nicht (oder die Verwaltung ist auf diesem Server aus).',
    'auth.ok': 'Angemeldet.',
    'upload.title': 'Neue Daten hochladen',
    'upload.layer': 'Gebiet',
    'upload.what': 'Datei ersetzt',
    'upload.boundaries': 'Grenzen (Shapefile als ZIP, GeoJSON, TopoJSON)',
    'upload.table': 'Tabelle „{id}“ ({path})',
    'upload.file': 'Datei',
    'upload.submit': 'Hochladen und prüfen',
    'upload.busy': 'Wird hochgeladen und geprüft …',
    'upload.nofile': 'Bitte zuerst eine Datei wählen.',
    'report.title': 'Prüfbericht der Version {id}',
    'report.ok': 'Die Version kann veröffentlicht werden: kein Bezirk verliert Werte.',
    'report.losses': 'Achtung: gegenüber der veröffentlichten Version gehen Daten verloren. Veröffentlichen nur mit „Trotzdem veröffentlichen“.',
    'report.loss': '{layer}: {what}: {live} → {new}',
    'report.layer': 'Gebiet {id}: {features} Bezirke ({format}, {crs})',
    'report.join': 'Tabelle {table}: {matched} von {total} Bezirken verknüpft',
    'report.without': 'Bezirke ohne Zeile: {list}',
    'report.rows': 'Zeilen ohne Bezirk: {list}',
    'report.skipped': '{rows} Zeilen gelesen, {skipped} übersprungen (Titel und Fußnoten)',
    'report.indicator': 'Indikator {id}: {values} Werte, {missing} fehlen',
    'report.problems': 'Geometrie: {errors} Fehler, {warnings} Warnungen, {repaired} repariert',
    'report.refused': 'Die Datei wurde abgelehnt: {message}',
    'versions.title': 'Versionen',
    'versions.none': 'Noch keine Version hochgeladen.',
    'versions.created': 'Erstellt',
    'versions.change': 'Änderung',
    'versions.state': 'Stand',
    'versions.live': 'veröffentlicht',
    'versions.staged': 'bereit',
    'versions.actions': 'Aktionen',
    'change.table': 'Gebiet {layer}: Tabelle {table} ({bytes} Bytes)',
    'change.boundaries': 'Gebiet {layer}: Grenzen ({format}, {bytes} Bytes)',
    'preview': 'Vorschau',
    'publish': 'Veröffentlichen',
    'rollback': 'Zurück zu dieser Version',
    'publish.force': 'Trotzdem veröffentlichen',
    'publish.done': 'Version {id} ist jetzt veröffentlicht.',
    'publish.refused': 'Nicht veröffentlicht: {message}',
    'error': 'Fehler: {message}',
  },
  en: {
    'title': 'Quartier – publish data',
    'intro': 'Upload new tables or boundaries, read the validation report, preview the map, and only then publish. Every version is kept: publishing an older one is the rollback.',
    'back': '← Back to the map',
    'auth.title': 'Sign in',
    'auth.token': 'Admin token',
    'auth.hint': 'The token is in the server\'s QUARTIER_ADMIN_TOKEN or in the file of --admin-token-file. It is kept in this tab only.',
    'auth.submit': 'Sign in',
    'auth.signout': 'Sign out',
    'auth.wrong': 'The token is wrong (or the admin API is off on this server).',
    'auth.ok': 'Signed in.',
    'upload.title': 'Upload new data',
    'upload.layer': 'Area',
    'upload.what': 'The file replaces',
    'upload.boundaries': 'Boundaries (zipped shapefile, GeoJSON, TopoJSON)',
    'upload.table': 'Table "{id}" ({path})',
    'upload.file': 'File',
    'upload.submit': 'Upload and check',
    'upload.busy': 'Uploading and checking …',
    'upload.nofile': 'Choose a file first.',
    'report.title': 'Validation report of version {id}',
    'report.ok': 'This version can be published: no district loses values.',
    'report.losses': 'Careful: this version has less data than the published one. It publishes only with "Publish anyway".',
    'report.loss': '{layer}: {what}: {live} → {new}',
    'report.layer': 'Area {id}: {features} districts ({format}, {crs})',
    'report.join': 'Table {table}: {matched} of {total} districts joined',
    'report.without': 'Districts without a row: {list}',
    'report.rows': 'Rows without a district: {list}',
    'report.skipped': '{rows} rows read, {skipped} skipped (titles and notes)',
    'report.indicator': 'Indicator {id}: {values} values, {missing} missing',
    'report.problems': 'Geometry: {errors} errors, {warnings} warnings, {repaired} repaired',
    'report.refused': 'The file was refused: {message}',
    'versions.title': 'Versions',
    'versions.none': 'No version uploaded yet.',
    'versions.created': 'Created',
    'versions.change': 'Change',
    'versions.state': 'State',
    'versions.live': 'published',
    'versions.staged': 'staged',
    'versions.actions': 'Actions',
    'change.table': 'Area {layer}: table {table} ({bytes} bytes)',
    'change.boundaries': 'Area {layer}: boundaries ({format}, {bytes} bytes)',
    'preview': 'Preview',
    'publish': 'Publish',
    'rollback': 'Roll back to this version',
    'publish.force': 'Publish anyway',
    'publish.done': 'Version {id} is now published.',
    'publish.refused': 'Not published: {message}',
    'error': 'Error: {message}',
  },
};

let current = (() => {
  const asked = new URLSearchParams(location.search).get('lang');
  if (asked && TEXTS[asked]) return asked;
  const browser = String(navigator.language || 'en').slice(0, 2).toLowerCase();
  return TEXTS[browser] ? browser : 'en';
})();

/** The page's language: `de` or `en`. */
export const lang = () => current;

/** Switch the language (the caller renders again). */
export function setLang(code) {
  if (TEXTS[code]) current = code;
}

/** The text of `key` in the current language, `{name}` filled from `params`. */
export function t(key, params) {
  const text = TEXTS[current][key] ?? TEXTS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (params && params[name] != null ? String(params[name]) : m));
}

/** Fills every `data-i18n` element's text and the document's language and title. */
export function applyTexts() {
  document.documentElement.lang = current;
  document.title = t('title');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const b of document.querySelectorAll('.lang-switch button')) b.setAttribute('aria-pressed', String(b.dataset.lang === current));
}
