// The MapLibre style of an indicator (`/styles/{layer}/{indicator}.json`, issue 12) drawn by real
// MapLibre GL JS (npm `maplibre-gl`, WebGL through Chromium's SwiftShader) from the server's
// vector tiles: the colour MapLibre paints inside each county is the colour of its class in
// `legend.json`, for the class `features.geojson`'s value falls in. Expected values come from the
// server's JSON, never from MapLibre.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { BASE, SHOTS, api, interiorPoint } from './helpers.mjs';

const require = createRequire(import.meta.url);
const MAPLIBRE_JS = fs.readFileSync(require.resolve('maplibre-gl/dist/maplibre-gl.js'));
const MAPLIBRE_CSS = fs.readFileSync(require.resolve('maplibre-gl/dist/maplibre-gl.css'));
const STYLE = 'method=jenks&classes=4';

let browser;
let dir;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quartier-maplibre-'));
  // WebGL needs a GL: SwiftShader, Chromium's software renderer (the other tests run --disable-gpu).
  browser = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
      '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
    viewport: { width: 900, height: 600 },
    deviceScaleFactor: 1,
  });
});
after(async () => {
  await browser.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Which class (0-based) a value falls in: the first upper bound at least `v` (the legend's rule). */
function classOf(breaks, v) {
  const uppers = breaks.slice(1);
  const k = uppers.findIndex((b) => v <= b);
  return k < 0 ? uppers.length - 1 : k;
}

test('MapLibre draws the vector style with the legend colours of every county it shows', async () => {
  const legend = await api(`/api/layers/nc/indicators/sids_rate74/legend.json?${STYLE}`);
  const gj = await api('/api/layers/nc/features.geojson');
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // A page of the server's origin that only this test knows: MapLibre from node_modules.
  await page.route(BASE + '/__maplibre/**', (route) => {
    const url = route.request().url();
    if (url.endsWith('.js')) return route.fulfill({ body: MAPLIBRE_JS, contentType: 'application/javascript' });
    if (url.endsWith('.css')) return route.fulfill({ body: MAPLIBRE_CSS, contentType: 'text/css' });
    return route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><html><head><link rel="stylesheet" href="maplibre-gl.css">' +
        '<script src="maplibre-gl.js"></script><style>html,body,#map{margin:0;width:100%;height:100%}</style></head>' +
        '<body><div id="map"></div></body></html>',
    });
  });
  await page.goto(BASE + '/__maplibre/index.html');
  await page.evaluate(async ({ style }) => {
    window.map = new maplibregl.Map({ container: 'map', style, attributionControl: false,
      canvasContextAttributes: { preserveDrawingBuffer: true, antialias: false },
      center: [-79.3, 35.5], zoom: 6.3, fadeDuration: 0 });
    await new Promise((resolve, reject) => {
      window.map.once('idle', resolve);
      window.map.on('error', (e) => reject(new Error(String(e.error && e.error.message))));
    });
  }, { style: `${BASE}/styles/nc/sids_rate74.json?${STYLE}` });
  // The colour at each county's interior point, read back from MapLibre's canvas.
  const points = gj.features.map((f) => ({ name: f.properties.name, value: f.properties.values.sids_rate74,
    ...interiorPoint(f.geometry) }));
  const seen = await page.evaluate((pts) => {
    const canvas = window.map.getCanvas();
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const ctx = copy.getContext('2d');
    ctx.drawImage(canvas, 0, 0);
    const scale = canvas.width / canvas.clientWidth;
    return pts.map((p) => {
      const xy = window.map.project([p.lon, p.lat]);
      const x = Math.round(xy.x * scale);
      const y = Math.round(xy.y * scale);
      if (x < 2 || y < 2 || x >= copy.width - 2 || y >= copy.height - 2) return { ...p, colour: null };
      const d = ctx.getImageData(x, y, 1, 1).data;
      return { ...p, colour: '#' + [d[0], d[1], d[2]].map((c) => c.toString(16).padStart(2, '0')).join('') };
    });
  }, points);
  await page.screenshot({ path: path.join(SHOTS, 'maplibre.png') });
  const shown = seen.filter((p) => p.colour !== null);
  assert.ok(shown.length >= 80, `most of the 100 counties are in view (${shown.length})`);
  const wrong = shown.filter((p) => p.colour !== legend.colors[classOf(legend.breaks, p.value)].toLowerCase())
    .map((p) => `${p.name}: ${p.colour} for ${p.value}`);
  assert.deepEqual(wrong, [], 'every county in the colour of its class');
  // Every class of the legend is on the map.
  assert.deepEqual([...new Set(shown.map((p) => p.colour))].sort(),
    legend.colors.map((c) => c.toLowerCase()).sort());
  assert.deepEqual(errors, []);
  await page.close();
});
