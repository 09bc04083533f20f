// Periods on the page (issue 10), on the German demo atlas (geodata/de/atlas.toml, served by
// run.sh on its own port as QUARTIER_DE_URL): the year slider moves tiles, legend and the hover
// value together, the address bar keeps period and compare, a comparison turns the map into the
// change map, and the profile draws every period. Expected numbers come from the reference
// fixtures of tests/reference/de_atlas_reference.py.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHOTS, launch, closeAll, open, idle, axeViolations, hoverDuren, slideTo } from './helpers.mjs';

const DE = (process.env.QUARTIER_DE_URL || 'http://127.0.0.1:8081').replace(/\/$/, '');
const HERE = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name) => JSON.parse(fs.readFileSync(path.join(HERE, '../fixtures/reference', name), 'utf8'));
const digits = (s) => s.replace(/[^0-9]/g, '');

let de;
before(async () => { de = await launch('de-DE'); });
after(closeAll);

test('periods: the slider moves tiles, legend and hover value together; compare makes the change map; URL and profile keep up', async () => {
  const duren = fixture('de_atlas_duren.json');
  const change = fixture('de_atlas_change.json');
  const { page, errors } = await open(de, '?layer=kreise&indicator=population', DE);
  assert.equal(await page.isHidden('#period-controls'), false, 'the controls show for an indicator with periods');
  assert.equal(await page.textContent('#period-value'), '2019');
  assert.match(await page.textContent('#period-controls'), /Jahr[\s\S]*Veränderung seit/);

  assert.match(await page.textContent('#legend-body'), /Klassen über alle Jahre 2008–2019/);
  // Play starts from the first year (the latest is shown), pause stops.
  await page.click('#period-play');
  await page.waitForFunction(() => document.getElementById('period-value').textContent === '2008');
  assert.equal(await page.getAttribute('#period-play', 'aria-pressed'), 'true');
  await page.click('#period-play');
  assert.equal(await page.getAttribute('#period-play', 'aria-pressed'), 'false');
  await idle(page);

  // 2010: the hover box shows Düren's 2010 population, tiles and legend ask for 2010.
  await slideTo(page, '2010');
  assert.equal(new URLSearchParams(await page.evaluate(() => location.search)).get('period'), '2010');
  const tiles = await page.$$eval('.choropleth-tiles img', (imgs) => imgs.map((i) => i.src));
  assert.ok(tiles.length && tiles.every((s) => s.includes('period=2010')), tiles[0]);
  const legend = await (await fetch(DE + '/api/layers/kreise/indicators/population/legend.json?period=2010&lang=de')).json();
  assert.ok((await page.textContent('#legend-body')).includes(legend.labels[0]), legend.labels[0]);
  assert.equal(digits(await hoverDuren(page)), String(duren.indicators.population['2010']));

  // Back to 2019 and "change since 2008": the change map of the fixture.
  await slideTo(page, '2019');
  await page.selectOption('#compare-select', '2008');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('compare') === '2008');
  await idle(page);
  assert.match(await page.textContent('#legend-body'), /Veränderung 2008–2019/);
  // Declines and rises are classified separately: the break at 0 is in the legend (issue 14).
  assert.match(await page.textContent('#legend-body'), /Getrennte Klassen unter und über 0: 2 Klassen bis 0, 3 Klassen darüber/);
  const shown = await hoverDuren(page);
  const v = change.maps[0].values['05358'];
  assert.ok(v < 0 && shown.startsWith('\u2212'), `${shown} for ${v}`);
  assert.equal(digits(shown), String(Math.abs(v)));
  await page.screenshot({ path: path.join(SHOTS, 'periods-change.png') });

  // The address bar reopens the same view; the profile draws every period.
  const { page: again } = await open(de, '?layer=kreise&indicator=population&compare=2008&district=05358', DE);
  assert.equal(await again.inputValue('#compare-select'), '2008');
  await again.waitForFunction(() => document.getElementById('profile-name').textContent === 'Düren');
  const title = await again.textContent('#profile tr[data-indicator="population"] svg.sparkline title');
  assert.ok(title.startsWith('2008: ') && title.includes('2019: '), title);
  assert.deepEqual(errors, []);
  await page.close();
  await again.close();
});

test('the German atlas opens on North Rhine-Westphalia with Düren in the middle (the manifest\'s start view)', async () => {
  const { page, errors } = await open(de, '', DE);
  await page.waitForFunction(() => new URLSearchParams(location.search).get('z') !== null);
  const q = new URLSearchParams(await page.evaluate(() => location.search));
  assert.equal(q.get('layer'), 'kreise');
  assert.equal(q.get('indicator'), 'population');
  assert.equal(q.get('z'), '8');
  assert.ok(Math.abs(Number(q.get('lat')) - 50.80) < 0.01 && Math.abs(Number(q.get('lon')) - 6.48) < 0.01, q.toString());
  // Düren is under the middle of the map, its name one hover away.
  const box = await page.$eval('#map', (m) => { const r = m.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; });
  await page.mouse.move(box.x - 3, box.y - 3);
  await page.mouse.move(box.x, box.y);
  await page.waitForFunction(() => {
    const el = document.querySelector('#hover-info .hover-name');
    return el && el.textContent === 'Düren';
  }, null, { timeout: 10_000 });
  assert.deepEqual(errors, []);
  await page.screenshot({ path: path.join(SHOTS, 'german-start.png') });
  await page.close();
});

test('the profile follows the year on the map: values, ranks and the reference of 2010', async () => {
  const duren = fixture('de_atlas_duren.json');
  const values = await (await fetch(DE + '/api/layers/kreise/values.json?period=2010')).json();
  const col = values.indicators.indexOf('population');
  const row = values.districts.find((d) => d.id === '05358');
  const stats = values.stats[col];
  const { page, errors } = await open(de, '?layer=kreise&indicator=population&period=2010&district=05358', DE);
  await page.waitForFunction(() => document.getElementById('profile-name').textContent === 'Düren');
  await idle(page);
  const cells = await page.$eval('#profile tr[data-indicator="population"]', (tr) => ({
    value: tr.querySelector('.value').textContent, average: tr.querySelector('.average').textContent,
    rank: tr.querySelector('.rank').textContent }));
  assert.equal(digits(cells.value), String(duren.indicators.population['2010']));
  assert.equal(cells.rank, `${row.ranks[col]} von ${stats.count}`);
  assert.equal(digits(cells.average), String(Math.round(stats.reference)));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the share of women is compared with Germany, the source table\'s own row (an external reference)', async () => {
  const shares = fixture('de_atlas_external.json').women_share;
  const { page, errors } = await open(de, '?layer=kreise&indicator=women_share&period=2011&district=05358', DE);
  await page.waitForFunction(() => document.getElementById('profile-name').textContent === 'Düren');
  await idle(page);
  const cell = await page.$eval('#profile tr[data-indicator="women_share"] .average', (td) => ({
    text: td.textContent, title: td.title, kind: td.dataset.reference }));
  // Germany in 2011, one decimal as the indicator says, a German decimal comma.
  assert.equal(cell.text, shares['2011'].germany_DG.toFixed(1).replace('.', ','));
  assert.equal(cell.kind, 'external');
  assert.equal(cell.title, 'Deutschland (Zeile der Quelltabelle)');
  const value = await page.textContent('#profile tr[data-indicator="women_share"] .value');
  assert.ok(value.startsWith(shares['2011'].duren_05358.toFixed(1).replace('.', ',')), value);
  assert.match(await page.textContent('#profile .hint'), /Mit eigenem Vergleichswert: Frauenanteil: Deutschland\./);
  // Where the data is silent the profile says so (the German atlas has nothing on work and housing).
  assert.equal(await page.textContent('#profile .profile-silent'),
    'Ohne Daten in diesem Atlas: Arbeit, Wohnen. Dafür gibt es keine Indikatoren; nichts ist geschätzt.');
  await page.$eval('#profile tr[data-indicator="women_share"]', (tr) => tr.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: path.join(SHOTS, 'profile-external.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('an error from the server reaches the German page in German', async () => {
  // Own breaks that do not ascend: the server's 400 carries a German wording (error_de), which
  // the German page shows; the English one stays for API clients.
  const { page, errors } = await open(de, '?layer=kreise&indicator=population', DE);
  await page.click('#style-panel summary');
  await page.selectOption('#method-select', 'manual');
  await idle(page);
  await page.fill('#breaks-input', '300000, 100000');
  await page.press('#breaks-input', 'Enter');
  await page.waitForSelector('#status:not([hidden])');
  const answer = await (await fetch(DE + '/api/layers/kreise/indicators/population/legend.json?method=manual&breaks=300000,100000')).json();
  assert.match(answer.error, /^breaks must increase/);
  const text = await page.textContent('#status');
  assert.equal(text, 'Diese Klassifizierung ist nicht möglich: ' + answer.error_de);
  assert.match(text, /Die Grenzen müssen aufsteigen: auf 300\.000 folgt 100\.000/);
  assert.deepEqual(errors.filter((e) => !/legend\.json\?|status of 400/.test(e)), []);
  await page.close();
});

test('the table shows a column per year on request, with the source values of every year', async () => {
  const duren = fixture('de_atlas_duren.json');
  const { page, errors } = await open(de, '?layer=kreise&indicator=population', DE);
  await page.click('#btn-table');
  await page.waitForSelector('#district-table tbody tr');
  assert.equal(await page.isVisible('#table-periods-field'), true);
  assert.equal(await page.locator('#district-table th.period-col').count(), 0);
  await page.check('#table-periods');
  await page.waitForFunction(() => document.querySelectorAll('#district-table th.period-col').length === 12);
  const headers = await page.$$eval('#district-table th.period-col', (ths) => ths.map((th) => th.textContent));
  assert.deepEqual(headers, Object.keys(duren.indicators.population));
  const cells = await page.$$eval('#district-table tr[data-id="05358"] td.period-col', (tds) => tds.map((td) => td.textContent));
  const want = Object.values(duren.indicators.population).map((v) => new Intl.NumberFormat('de-DE').format(v));
  assert.deepEqual(cells, want);
  // The CSV of what the table shows has the years too.
  const csv = await page.$eval('#table-csv', async (a) => (await fetch(a.href)).text());
  const [head, ...lines] = csv.replace(/^\ufeff/, '').trim().split('\r\n');
  assert.equal(head, 'id,name,population,status,' + headers.map((y) => 'population_' + y).join(','));
  const row = lines.find((l) => l.startsWith('05358,'));
  assert.equal(row.split(',').slice(4).join(','), Object.values(duren.indicators.population).join(','));
  await page.screenshot({ path: path.join(SHOTS, 'table-periods.png') });
  assert.deepEqual(await axeViolations(page), [], 'table with a column per year');
  // An indicator without periods has no such switch.
  await page.selectOption('#indicator-select', 'pks_frequency');
  await page.waitForFunction(() => document.getElementById('table-periods-field').hidden);
  assert.equal(await page.locator('#district-table th.period-col').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the status × dynamics typology is a categorical map: its own legend, the type on hover and in the profile', async () => {
  const duren = fixture('de_atlas_duren.json');
  const de_ = { 'medium/negative': 'mittel / negativ' };
  const want = de_[duren.index.typology] || duren.index.typology;
  const { page, errors } = await open(de, '?layer=kreise&indicator=typology&district=05358', DE);
  await page.waitForFunction(() => document.getElementById('profile-name').textContent === 'Düren');
  await idle(page);
  const legend = await page.textContent('#legend-body');
  assert.match(legend, /hoch \/ positiv/);
  assert.match(legend, /sehr niedrig \/ negativ/);
  assert.match(legend, /12 Typen/);
  assert.doesNotMatch(legend, /Quantile|Klassen ·/);
  assert.equal(await page.isVisible('#style-panel'), false, 'nothing to classify');
  assert.equal(await hoverDuren(page), want);
  const cell = await page.textContent('#profile tr[data-indicator="typology"] .value');
  assert.ok(cell.startsWith(want), cell);
  assert.equal(await page.textContent('#profile tr[data-indicator="typology"] .rank'), '–');
  await page.screenshot({ path: path.join(SHOTS, 'typology.png') });
  assert.deepEqual(await axeViolations(page), [], 'typology map and profile');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the profile shows how each component makes up Düren\'s status index', async () => {
  const duren = fixture('de_atlas_duren.json');
  const { page, errors } = await open(de, '?layer=kreise&indicator=status&period=2018&district=05358', DE);
  await page.waitForFunction(() => document.getElementById('profile-name').textContent === 'Düren');
  await idle(page);
  const text = await page.textContent('#profile tr[data-indicator="status"] .contributions');
  assert.match(text, /^Beiträge \(Gewicht · Richtung · z\) · (hoch|mittel|niedrig|sehr niedrig): /);
  // Each contribution rounded as the page writes it, e.g. "Abitur-Anteil +0,57".
  for (const [id, v] of Object.entries(duren.index.status['2018'].contributions)) {
    const shown = (v > 0 ? '+' : '\u2212') + Math.abs(v).toFixed(2).replace('.', ',');
    assert.ok(text.includes(shown), `${id} ${shown} in ${text}`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('on a phone (390 px) the German profile with a year, an index and indicators without that year fits its column', async () => {
  const phone = await launch('de-DE', { width: 390, height: 844 });
  const { page, errors } = await open(phone, '?layer=kreise&indicator=crime_rate&period=2015&district=05358', DE);
  await page.waitForFunction(() => document.getElementById('profile-name').textContent === 'Düren');
  await idle(page);
  const fit = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: window.innerWidth,
    table: document.querySelector('#profile .profile-table').getBoundingClientRect().right }));
  assert.ok(fit.page <= fit.view && fit.table <= fit.view, JSON.stringify(fit));
  // An indicator without 2015 shows a dash that screen readers read as "keine Daten".
  const missing = await page.textContent('#profile tr[data-indicator="pks_frequency"] .value');
  assert.equal(missing, '–keine Daten');
  assert.deepEqual(errors, []);
  await page.close();
  // In the latest year the typology's type ("mittel / negativ") stands in the number column: it
  // wraps there instead of widening the page; so does the table's head with "a column per year".
  const typ = await open(phone, '?layer=kreise&indicator=typology&district=05358', DE);
  await typ.page.waitForFunction(() => document.getElementById('profile-name').textContent === 'Düren');
  await idle(typ.page);
  const width = () => document.documentElement.scrollWidth;
  assert.ok(await typ.page.evaluate(width) <= 390, `typology profile ${await typ.page.evaluate(width)} px wide`);
  await typ.page.click('#btn-table');
  await typ.page.selectOption('#indicator-select', 'population');
  await typ.page.waitForSelector('#table-periods-field:not([hidden])');
  await typ.page.check('#table-periods');
  await typ.page.waitForFunction(() => document.querySelectorAll('#district-table th.period-col').length === 12);
  assert.ok(await typ.page.evaluate(width) <= 390, `table with years ${await typ.page.evaluate(width)} px wide`);
  assert.deepEqual(typ.errors, []);
  await typ.page.close();
});
