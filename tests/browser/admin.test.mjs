// The admin page and the preview (issue 11) in headless Chromium, on a Montréal atlas that run.sh
// serves with the admin API on (QUARTIER_ADMIN_URL, token QUARTIER_ADMIN_TOKEN_VALUE, a fresh data
// directory). District 101 (Bois-de-Liesse) had 7,334 votes cast in 2013
// (tests/fixtures/montreal_districts/election.csv); the officer uploads the table with 9,999 and
// then 8,888, previews, publishes and rolls back, and the live API says what is live each time.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SHOTS, axeViolations, closeAll, idle, launch } from './helpers.mjs';

const ADMIN = (process.env.QUARTIER_ADMIN_URL || 'http://127.0.0.1:8082').replace(/\/$/, '');
const TOKEN = process.env.QUARTIER_ADMIN_TOKEN_VALUE || 'browser-test-token-0123456789abcdef';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const CSV = fs.readFileSync(path.join(HERE, '../fixtures/montreal_districts/election.csv'), 'utf8');
const ROW = '101-Bois-de-Liesse,2481,1829,3024,7334,';
const withVotes = (n) => {
  assert.ok(CSV.includes(ROW), 'the fixture row of district 101');
  return Buffer.from(CSV.replace(ROW, `101-Bois-de-Liesse,2481,1829,3024,${n},`));
};
const digits = (s) => s.replace(/[^0-9]/g, '');
let de;

before(async () => { de = await launch('de-DE'); });
after(closeAll);

/** The live votes of district 101, as any visitor gets them. */
async function liveVotes() {
  const res = await fetch(ADMIN + '/api/layers/montreal/districts/101');
  assert.equal(res.status, 200);
  return (await res.json()).values.votes;
}

/** Opens the admin page, collecting errors (401s of a wrong token are expected, not errors). */
async function openAdmin(ctx, search = '?lang=de') {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push('page error: ' + e.message));
  page.on('response', (r) => { if (r.status() >= 500) errors.push('HTTP ' + r.status() + ': ' + r.url()); });
  await page.goto(ADMIN + '/admin.html' + search);
  return { page, errors };
}

async function upload(page, votes) {
  await page.selectOption('#layer-select', 'montreal');
  await page.selectOption('#target-select', 'table:election');
  await page.setInputFiles('#file-input', { name: 'election.csv', mimeType: 'text/csv', buffer: withVotes(votes) });
  await page.click('#upload-submit');
  await page.waitForSelector('#report h3');
  return page.textContent('#report h3');
}

test('admin page: a wrong token is refused, an upload gets its report, the preview shows it to the officer only, publish and roll back', async () => {
  assert.equal(await liveVotes(), 7334);
  const { page, errors } = await openAdmin(de);
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  assert.equal(await page.isHidden('#upload'), true, 'nothing but the sign-in before a token');
  await page.fill('#token-input', 'wrong-token-0123456789abcdef');
  await page.click('#auth-form button[type=submit]');
  await page.waitForSelector('#auth-message:not([hidden])');
  assert.match(await page.textContent('#auth-message'), /Token stimmt nicht/);
  assert.equal(await page.isHidden('#upload'), true);

  await page.fill('#token-input', TOKEN);
  await page.click('#auth-form button[type=submit]');
  await page.waitForSelector('#upload:not([hidden])');
  const targets = await page.$$eval('#target-select option', (os) => os.map((o) => o.textContent));
  assert.deepEqual(targets, ['Tabelle „election“ (election.csv)', 'Grenzen (Shapefile als ZIP, GeoJSON, TopoJSON)']);

  // Upload: the report (every district joined, nothing lost), a staged version, nothing live.
  const title = await upload(page, 9999);
  const id = title.match(/Version (\S+)/)[1];
  const report = await page.textContent('#report');
  assert.match(report, /kann veröffentlicht werden/);
  assert.match(report, /Tabelle election\.csv: 58 von 58 Bezirken verknüpft/);
  assert.match(report, /Indikator votes: 58 Werte, 0 fehlen/);
  assert.doesNotMatch(report, /null|undefined|NaN/);
  assert.equal(await page.textContent(`#versions-body tr[data-version="${id}"] td:nth-child(3)`), 'bereit');
  assert.match(await page.textContent(`#versions-body tr[data-version="${id}"] td:nth-child(2)`), /^Gebiet montreal: Tabelle election \([\d.]+ Bytes\)$/);
  assert.equal(await liveVotes(), 7334, 'staged is not live');
  await page.screenshot({ path: path.join(SHOTS, 'admin-report.png'), fullPage: true });
  assert.deepEqual(await axeViolations(page), []);

  // Preview in the same tab (the token stays in this tab): the staged value, tiles with the token.
  const tiles = [];
  page.on('request', (r) => { if (r.url().includes('/tiles/')) tiles.push({ url: r.url(), auth: r.headers().authorization }); });
  await page.goto(ADMIN + `/?version=${encodeURIComponent(id)}&lang=de&layer=montreal&indicator=votes&district=101`);
  await idle(page);
  await page.waitForFunction(() => document.getElementById('profile-name').textContent.length > 0);
  assert.match(await page.textContent('#preview-banner'), new RegExp(`Vorschau der Version ${id}: noch nicht veröffentlicht`));
  assert.equal(digits(await page.textContent('#profile tr[data-indicator="votes"] .value')), '9999');
  assert.ok(tiles.length > 0, 'tiles were fetched');
  assert.ok(tiles.every((tl) => tl.url.includes('version=' + id) && tl.auth === 'Bearer ' + TOKEN), JSON.stringify(tiles[0]));
  const drawn = await page.$$eval('.choropleth-tiles img.leaflet-tile-loaded', (imgs) => imgs.map((i) => i.src));
  assert.ok(drawn.length > 0 && drawn.every((s) => s.startsWith('blob:')), 'tiles shown from the authorised fetches');
  assert.equal(new URLSearchParams(await page.evaluate(() => location.search)).get('version'), id, 'the address keeps the preview');
  assert.equal(await page.isHidden('#map-downloads'), true, 'no print links to live data in a preview');
  await page.screenshot({ path: path.join(SHOTS, 'admin-preview.png') });
  // Another visitor (no token) at the same address sees the live atlas and no banner.
  const other = await (await launch('de-DE')).newPage();
  await other.goto(ADMIN + `/?version=${encodeURIComponent(id)}&lang=de&layer=montreal&indicator=votes&district=101`);
  await other.waitForFunction(() => window.quartier && window.quartier.idle());
  await other.waitForFunction(() => document.getElementById('profile-name').textContent.length > 0);
  assert.equal(await other.isHidden('#preview-banner'), true);
  assert.equal(digits(await other.textContent('#profile tr[data-indicator="votes"] .value')), '7334');

  // Back to the admin page (signed in still): publish, then a second version, then roll back.
  await page.click('#preview-banner a');
  await page.waitForSelector('#versions-body tr');
  await page.click(`#versions-body tr[data-version="${id}"] button[data-publish]`);
  await page.waitForSelector('#publish-message.ok');
  assert.match(await page.textContent('#publish-message'), new RegExp(`Version ${id} ist jetzt veröffentlicht`));
  assert.equal(await liveVotes(), 9999);
  assert.equal(await page.textContent(`#versions-body tr[data-version="${id}"] td:nth-child(3)`), 'veröffentlicht');

  const second = (await upload(page, 8888)).match(/Version (\S+)/)[1];
  await page.click('#report button[data-publish]');
  await page.waitForFunction((v) => document.querySelector(`#versions-body tr[data-version="${v}"]`)?.classList.contains('live'), second);
  assert.equal(await liveVotes(), 8888);
  const back = `#versions-body tr[data-version="${id}"] button[data-publish]`;
  assert.equal(await page.textContent(back), 'Zurück zu dieser Version');
  await page.click(back);
  await page.waitForFunction((v) => document.querySelector(`#versions-body tr[data-version="${v}"]`)?.classList.contains('live'), id);
  assert.equal(await liveVotes(), 9999, 'rolled back');
  assert.deepEqual(errors, []);
  await page.close();
});

test('admin page on a phone, in English: a refused table says why and keeps the live data', async () => {
  const phone = await launch('en-GB', { width: 390, height: 844 });
  const { page, errors } = await openAdmin(phone, '?lang=en');
  await page.fill('#token-input', TOKEN);
  await page.click('#auth-form button[type=submit]');
  await page.waitForSelector('#upload:not([hidden])');
  const live = await liveVotes();
  // A table cut mid-line (a half-copied file) is refused at upload with the server's reason.
  await page.selectOption('#target-select', 'table:election');
  await page.setInputFiles('#file-input', { name: 'election.csv', mimeType: 'text/csv', buffer: withVotes(5555).subarray(0, CSV.length - 10) });
  await page.click('#upload-submit');
  await page.waitForSelector('#upload-message.error');
  assert.match(await page.textContent('#upload-message'), /^The file was refused: the new version is refused: .*line/);
  assert.equal(await liveVotes(), live);
  await page.screenshot({ path: path.join(SHOTS, 'admin-phone.png'), fullPage: true });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page fits the phone (${width} px)`);
  const table = await page.$eval('.table-scroll', (e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
  assert.ok(table.scroll <= table.client, `the versions fit without scrolling sideways (${table.scroll} > ${table.client})`);

  // A table cut to 50 of its 58 rows (whole lines): staged with its losses, refused at Publish
  // with the numbers, and published only when the officer says "Publish anyway".
  const cut = withVotes(4444).toString('utf8').split('\n').slice(0, 51).join('\n') + '\n';
  await page.setInputFiles('#file-input', { name: 'election.csv', mimeType: 'text/csv', buffer: Buffer.from(cut) });
  await page.click('#upload-submit');
  await page.waitForSelector('#report h3');
  assert.match(await page.textContent('#report'), /Careful: this version has less data[\s\S]*montreal: join of election\.csv on district_id: 58 → 50[\s\S]*indicator votes: 58 → 50/);
  await page.click('#report button[data-publish]');
  await page.waitForSelector('#publish-message.error button');
  assert.match(await page.textContent('#publish-message'), /^Not published: .*58 live, 50 new/);
  assert.equal(await liveVotes(), live, 'refused: the live data stays');
  await page.click('#publish-message button');
  await page.waitForSelector('#publish-message.ok');
  assert.equal(await liveVotes(), 4444, 'published anyway');
  assert.deepEqual(errors, []);
  await page.close();
});
