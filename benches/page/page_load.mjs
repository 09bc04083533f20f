// Page load on the US counties (issue 13): time from navigation until a hover shows a county name,
// and the bytes transferred before it, for two servers of the same build: BEFORE (the page of an
// older commit, which loads features.geojson for hover and asks `/at` until it has arrived) and
// AFTER (this page: values.json and hover grids). Each round opens a fresh Chromium profile (empty
// HTTP cache); rounds alternate; the servers' own caches are warm after the first round.
//
//   node benches/page/page_load.mjs BEFORE_URL AFTER_URL ROUNDS
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { timeToHover } from '../../tests/browser/hover-timing.mjs';

const require = createRequire(new URL('../../tests/browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const [before, after, rounds] = [process.argv[2], process.argv[3], Number(process.argv[4] || 5)];
const LAYER = 'cb_2016_us_county_500k';
// The contiguous states around Kansas at zoom 5 (the layer's own bounds cross the antimeridian,
// so fitting them would centre the map on the Atlantic): the mouse rests on a county.
const VIEW = 'z=5&lat=38.5&lon=-97.5';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function once(base) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quartier-pageload-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ARGS,
    locale: 'en-GB', viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1,
  });
  try {
    const r = await timeToHover(ctx, `${base}/?layer=${LAYER}&indicator=ALAND&${VIEW}`, { timeout: 60_000 });
    return { ms: r.ms, bytes: r.bytes, name: r.name, geojson: r.requested.some((u) => u.includes('features.geojson')) };
  } finally {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const results = { before: [], after: [] };
for (let i = 0; i < rounds; i++) {
  for (const [k, base] of [['before', before], ['after', after]]) {
    const r = await once(base);
    results[k].push(r);
    console.error(`${k} round ${i + 1}: ${r.ms == null ? 'no hover' : r.ms.toFixed(0) + ' ms'}, ${r.bytes} B, ${r.name}, features.geojson ${r.geojson}`);
  }
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
for (const k of ['before', 'after']) {
  const ms = results[k].map((r) => r.ms ?? Infinity);
  const bytes = results[k].map((r) => r.bytes ?? Infinity);
  console.log(`${k}: time to hover name first ${ms[0].toFixed(0)} ms, median ${median(ms).toFixed(0)} ms, ` +
    `min ${Math.min(...ms).toFixed(0)}, max ${Math.max(...ms).toFixed(0)}; bytes before it median ${median(bytes)} ` +
    `(${(median(bytes) / 1e6).toFixed(2)} MB); features.geojson fetched: ${results[k].some((r) => r.geojson)}`);
}
console.log(JSON.stringify(results));
