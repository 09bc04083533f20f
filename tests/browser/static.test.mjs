// The static site of `quartier export` (docs/deploy.md) in headless Chromium, served by
// `python3 -m http.server` and by nginx with no Quartier process behind them (run.sh exports layer
// `nc` and starts both; STATIC_URL and NGINX_STATIC_URL are their addresses). Expected values come from the exported files
// themselves, which tests/outputs.rs checks against the server.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SHOTS, closeAll, interiorPoint, launch, open, pointOnScreen, settle } from './helpers.mjs';

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
