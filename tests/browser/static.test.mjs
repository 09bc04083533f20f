// The static site of `quartier export` (docs/deploy.md) in headless Chromium, served by
// `python3 -m http.server` and by nginx with no Quartier process behind them (run.sh exports layer
// `nc` and starts both; STATIC_URL and NGINX_STATIC_URL are their addresses; the German atlas with
// every year is exported below it, under `de/`, as a site in a sub-path). Expected values come from
// the exported files themselves, which tests/outputs.rs checks against the server, and from the
// reference fixtures of tests/reference/de_atlas_reference.py.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DUREN, SHOTS, closeAll, hoverDuren, idle, interiorPoint, launch, open, pointOnScreen, settle, slideTo } from './helpers.mjs';

const STATIC = (process.env.STATIC_URL || 'http://127.0.0.1:8000').replace(/\/$/, '');
const NGINX = (process.env.NGINX_STATIC_URL || 'http://127.0.0.1:8001').replace(/\/$/, '');
let en;

before(async () => { en = await launch('en-GB'); });
after(closeAll);

async function file(p) {
  const res = await fetch(STATIC + '/' + p);
  assert.equal(res.status, 200, `GET ${p} answered ${res.status}`);
  return res.json();
}

// Python's file server ignores Range: the page then reads each archive whole, once
// (static-site.js, RangeOrWholeSource); nginx serves byte ranges and is read by range.
for (const [host, base, ranged] of [['python3 -m http.server', STATIC, false], ['nginx', NGINX, true]]) {
test(`static site from ${host}: tiles from the PMTiles archive carry the legend colours, from the file server only`, async () => {
  const { page, errors } = await open(en, '?layer=nc&indicator=sids_rate74', base);
  const origins = new Set();
  page.on('request', (r) => origins.add(new URL(r.url()).origin));
  const legend = await file('api/layers/nc/indicators/sids_rate74/legend.en.json');
  await settle(page);
  const stats = await page.evaluate(async () => {
    const imgs = [...document.querySelectorAll('.choropleth-tiles img.leaflet-tile-loaded')]
      .filter((img) => img.src && img.style.visibility !== 'hidden');
    const colours = new Set();
    let opaque = 0;
    let total = 0;
    for (const img of imgs) {
      const bitmap = await createImageBitmap(await (await fetch(img.src)).blob());
      const canvas = document.createElement('canvas');
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(bitmap, 0, 0);
      const px = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      for (let i = 0; i < px.length; i += 4) {
        total += 1;
        if (px[i + 3] === 255) {
          opaque += 1;
          colours.add('#' + [px[i], px[i + 1], px[i + 2]].map((c) => c.toString(16).padStart(2, '0')).join(''));
        }
      }
    }
    return { tiles: imgs.length, blobs: imgs.filter((i) => i.src.startsWith('blob:')).length, opaque, total,
      colours: [...colours] };
  });
  assert.ok(stats.tiles >= 2, `at least two tiles drawn (got ${stats.tiles})`);
  assert.equal(stats.blobs, stats.tiles, 'every tile comes out of the archive (blob: URLs)');
  assert.ok(stats.opaque / stats.total > 0.1, `tiles are not blank (${stats.opaque} of ${stats.total} px opaque)`);
  const present = legend.colors.filter((c) => stats.colours.includes(c.toLowerCase()));
  assert.deepEqual(present, legend.colors, 'every class colour of the legend is drawn in the tiles');
  // The legend box shows the exported legend's class texts.
  const rows = await page.$$eval('.legend-classes li', (els) => els.map((e) => e.textContent.trim()));
  for (const label of legend.labels) assert.ok(rows.some((r) => r.includes(label)), `legend shows ${label}: ${rows}`);
  // Hover without a server: the district comes from the exported outlines.
  const gj = await file('api/layers/nc/features.geojson');
  const wake = gj.features.find((f) => f.properties.name === 'Wake');
  const { lon, lat } = interiorPoint(wake.geometry);
  const pt = await pointOnScreen(page, lon, lat, 9);
  await page.mouse.move(pt.x - 5, pt.y - 5);
  await page.mouse.move(pt.x, pt.y);
  await page.waitForFunction(() => {
    const el = document.querySelector('#hover-info .hover-name');
    return el && el.textContent === 'Wake';
  }, null, { timeout: 10_000 }).catch(() => {});
  assert.equal(await page.textContent('#hover-info .hover-name'), 'Wake');
  assert.deepEqual([...origins].filter((o) => o !== base && !o.startsWith('blob:') && o !== 'null'), [],
    'every request goes to the static file server');
  // How the archive was read: whole from Python's server (200), by byte ranges from nginx (206).
  const archive = await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.name.endsWith('.pmtiles')).map((e) => e.responseStatus));
  assert.ok(archive.length > 0, 'the archive was read');
  assert.ok(archive.every((st) => st === (ranged ? 206 : 200)), `${host}: archive answers ${archive}`);
  assert.deepEqual(errors, []);
  await page.screenshot({ path: path.join(SHOTS, ranged ? 'static-site-nginx.png' : 'static-site.png') });
  await page.close();
});
}

test('static site: style controls are greyed out with a note; German texts come from the German files', async () => {
  const { page, errors } = await open(en, '?layer=nc&indicator=sids_rate74&lang=de', STATIC);
  await page.evaluate(() => { document.getElementById('style-panel').open = true; });
  const controls = await page.$$eval('#style-panel select, #style-panel input, #style-panel button',
    (els) => els.map((e) => e.disabled));
  assert.ok(controls.length >= 5 && controls.every(Boolean), `every style control disabled: ${controls}`);
  const note = await page.$eval('#static-note', (e) => ({ hidden: e.hidden, text: e.textContent }));
  assert.equal(note.hidden, false);
  assert.match(note.text, /Quartier-Server/);
  const legend = await file('api/layers/nc/indicators/sids_rate74/legend.de.json');
  const text = await page.$eval('#legend-body', (e) => e.textContent);
  assert.ok(text.includes(legend.labels[0]), `German legend label ${legend.labels[0]} in ${text}`);
  assert.deepEqual(errors, []);
  await page.screenshot({ path: path.join(SHOTS, 'static-site-de.png') });
  await page.close();
});

/** The colour of the choropleth tile under page point (x, y), as #rrggbb. */
async function tileColourAt(page, pt) {
  return page.evaluate(async ({ x, y }) => {
    // Tiles take no pointer events, so elementsFromPoint does not see them: by their boxes.
    const img = [...document.querySelectorAll('.choropleth-tiles img.leaflet-tile-loaded')].find((e) => {
      const b = e.getBoundingClientRect();
      return e.style.visibility !== 'hidden' && x >= b.left && x < b.right && y >= b.top && y < b.bottom;
    });
    if (!img) return null;
    const r = img.getBoundingClientRect();
    const bitmap = await createImageBitmap(await (await fetch(img.src)).blob());
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    const px = ctx.getImageData(Math.floor((x - r.left) * bitmap.width / r.width), Math.floor((y - r.top) * bitmap.height / r.height), 1, 1).data;
    return '#' + [px[0], px[1], px[2]].map((c) => c.toString(16).padStart(2, '0')).join('');
  }, pt);
}

/** The legend colour of `value` under `legend` (classes are closed above: breaks[k] < v <= breaks[k+1]). */
function classColour(legend, value) {
  const k = legend.breaks.slice(1).findIndex((b) => value <= b);
  return legend.colors[k].toLowerCase();
}

test('static site with every year: the slider shows 2000 from its own files and archive; no change maps', async () => {
  const HERE = path.dirname(fileURLToPath(import.meta.url));
  const income = JSON.parse(fs.readFileSync(path.join(HERE, '../fixtures/reference/de_atlas_duren.json'), 'utf8')).indicators.income;
  const site = STATIC + '/de';
  const { page, errors } = await open(en, '?layer=kreise&indicator=income&lang=de&compare=2010', site);
  assert.equal(await page.isHidden('#period-controls'), false, 'the year slider shows on a site with every year');
  assert.equal(await page.isHidden('#compare-field'), true, 'change maps need a server: the comparison is hidden');
  assert.equal(await page.textContent('#period-value'), '2018');
  assert.equal(new URLSearchParams(await page.evaluate(() => location.search)).get('compare'), null);
  const latest = await file('de/api/layers/kreise/indicators/income/legend.de.json');
  const pt = await pointOnScreen(page, DUREN.lon, DUREN.lat, 8);
  await settle(page);
  assert.equal(await tileColourAt(page, pt), classColour(latest, income['2018']), 'Düren 2018 in its class colour');

  await slideTo(page, '2000');
  await settle(page);
  const legend = await file('de/p/2000/api/layers/kreise/indicators/income/legend.de.json');
  assert.equal(legend.period, 2000);
  const colour = classColour(legend, income['2000']);
  assert.notEqual(colour, classColour(latest, income['2018']), 'Düren is in another class in 2000');
  assert.equal(await tileColourAt(page, pt), colour, 'Düren 2000 in its class colour, from the 2000 archive');
  const archives = await page.evaluate(() => performance.getEntriesByType('resource')
    .map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('.pmtiles')));
  assert.ok(archives.includes('/de/p/2000/tiles/kreise/income.pmtiles'), archives.join(' '));
  // The legend's class counts are those of 2000.
  const counts = await page.$$eval('.legend-classes li[data-class]:not([data-class="nodata"])', (els) => els.map((e) => Number(e.dataset.count)));
  assert.deepEqual(counts, legend.counts);
  // Hover and profile read the 2000 files.
  assert.equal((await hoverDuren(page)).replace(/[^0-9]/g, ''), String(income['2000']));
  await page.screenshot({ path: path.join(SHOTS, 'static-site-periods.png') });
  assert.deepEqual(errors, []);
  await page.close();

  const { page: profile, errors: profileErrors } = await open(en, '?layer=kreise&indicator=income&lang=de&period=2000&district=05358', site);
  await profile.waitForFunction(() => document.getElementById('profile-name').textContent === 'Düren');
  await idle(profile);
  const cell = await profile.textContent('#profile tr[data-indicator="income"] .value');
  assert.equal(cell.replace(/[^0-9]/g, ''), String(income['2000']));
  assert.deepEqual(profileErrors, []);
  await profile.close();
});
