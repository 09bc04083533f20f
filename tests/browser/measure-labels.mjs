// Measures the cost of the district names on the map (web/labels.js) in headless Chromium: the
// one-off anchor computation per layer and one placement pass per view, for every layer the
// server at QUARTIER_URL serves, at the layer's whole extent and three zoom levels further in.
// Not a test (speed is not asserted anywhere); its output is quoted in web/README.md.
//
//   QUARTIER_URL=http://127.0.0.1:8080 node measure-labels.mjs [layer@lat,lon ...]
//
// A `layer@lat,lon` argument measures that layer around this centre instead of its extent's (the
// US counties' extent crosses the antimeridian, so its centre lies in the Pacific).
import { chromium } from 'playwright-core';

const BASE = (process.env.QUARTIER_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const layers = await (await fetch(BASE + '/api/layers')).json();
const idle = () => page.waitForFunction(() => window.quartier && window.quartier.idle(), null, { timeout: 120_000 });
for (const layer of layers.filter((l) => l.indicators.length)) {
  const centre = process.argv.slice(2).find((a) => a.startsWith(layer.id + '@'));
  await page.goto(`${BASE}/?layer=${encodeURIComponent(layer.id)}`);
  await idle();
  const first = await page.evaluate(() => window.quartier.labels());
  const rows = [];
  const z0 = centre ? 3 : await page.evaluate(() => window.quartier.map.getZoom());
  for (const dz of [0, 1, 2, 3, 4, 5]) {
    // Five placements at this zoom (panning a little each time), the median and the maximum reported.
    const times = await page.evaluate(async ([z, at]) => {
      const m = window.quartier.map;
      const c = at || m.getCenter();
      m.setView(c, z, { animate: false });
      const out = [];
      for (let i = 0; i < 5; i++) {
        m.panBy([i % 2 ? 40 : -40, 0], { animate: false });
        await new Promise((r) => setTimeout(r, 50));
        out.push(window.quartier.labels());
      }
      return out;
    }, [z0 + dz, centre ? centre.split('@')[1].split(',').map(Number) : null]);
    const ms = times.map((s) => s.placeMs).sort((a, b) => a - b);
    // The first pass at a zoom also computes the anchors of districts newly wide enough: the max.
    rows.push(`z${z0 + dz}: ${ms[2].toFixed(1)} ms (max ${ms[4].toFixed(1)}), ${times[2].candidates} in view, ${times[2].placed} named`);
  }
  console.log(`${layer.id} (${layer.features} districts): anchors ${first.prepareMs.toFixed(0)} ms; ${rows.join('; ')}`);
}
await browser.close();
