// Shared helpers of the browser tests (map.test.mjs, page.test.mjs): launching Chromium, opening the
// page and waiting until it is idle, the server's API, axe-core, and geometry for points that lie
// well inside a district. Expected values in the tests never come from the page itself.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
export const BASE = (process.env.QUARTIER_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const SHOTS = path.join(HERE, 'screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps trying to reach Google's hosts, which this
// machine's closed network refuses; --no-sandbox because CI runs as root.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const TIMEOUT = 60_000;

const contexts = [];

/**
 * A fresh Chromium with its own empty profile directory (removed again by `closeAll`), in this
 * locale and viewport (default 1280 x 800).
 */
export async function launch(locale, viewport = { width: 1280, height: 800 }) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quartier-chromium-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    locale,
    viewport,
    deviceScaleFactor: 1,
  });
  contexts.push({ ctx, dir });
  return ctx;
}

/** Closes every browser `launch` opened and removes its profile. */
export async function closeAll() {
  for (const { ctx, dir } of contexts.splice(0)) {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}


export async function api(p) {
  const res = await fetch(BASE + p);
  assert.equal(res.status, 200, `GET ${p} answered ${res.status}`);
  return res.json();
}

/**
 * Opens the page (at `base`, default the server under test), collects console errors, page errors
 * and failed requests, waits until idle.
 */
export async function open(ctx, search = '', base = BASE) {
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
  page.on('pageerror', (e) => errors.push('page error: ' + e.message));
  page.on('requestfailed', (r) => errors.push('request failed: ' + r.url() + ' ' + (r.failure() || {}).errorText));
  page.on('response', (r) => { if (r.status() >= 400) errors.push('HTTP ' + r.status() + ': ' + r.url()); });
  await page.goto(base + '/' + search);
  await idle(page);
  return { page, errors };
}

export async function idle(page) {
  await page.waitForFunction(() => window.quartier && window.quartier.idle(), null, { timeout: TIMEOUT });
}

/** Before a screenshot: idle, and Leaflet's 200 ms tile fade-in finished. */
export async function settle(page) {
  await idle(page);
  await page.waitForTimeout(300);
}

/** features.geojson keeps every indicator value under `properties.values` (docs/api.md). */
export function valuesOf(feature) {
  assert.equal(typeof feature.properties.values, 'object', 'properties.values');
  return feature.properties.values;
}

/** Even-odd test over all rings of one polygon. */
export function inPolygon(rings, x, y) {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

export function distToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const l2 = dx * dx + dy * dy;
  const tt = l2 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / l2)) : 0;
  return Math.hypot(px - (ax + tt * dx), py - (ay + tt * dy));
}

/**
 * A point well inside a district: of a 60 x 60 grid over the bounding box of its largest polygon,
 * the inside point farthest from every edge (so rendering and projection rounding cannot move it
 * onto a neighbour).
 */
export function interiorPoint(geometry) {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let best = null;
  for (const poly of polys) {
    const xs = poly[0].map((c) => c[0]);
    const ys = poly[0].map((c) => c[1]);
    const [w, e, s, n] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    for (let i = 1; i < 60; i++) {
      for (let j = 1; j < 60; j++) {
        const x = w + ((e - w) * i) / 60;
        const y = s + ((n - s) * j) / 60;
        if (!inPolygon(poly, x, y)) continue;
        let d = Infinity;
        for (const ring of poly) {
          for (let k = 0; k + 1 < ring.length; k++) d = Math.min(d, distToSegment(x, y, ring[k], ring[k + 1]));
        }
        if (!best || d > best.d) best = { x, y, d };
      }
    }
  }
  return { lon: best.x, lat: best.y };
}

/** Moves the map so that (lon, lat) is visible at `zoom`, waits, returns its page coordinates. */
export async function pointOnScreen(page, lon, lat, zoom) {
  await page.evaluate(([lo, la, z]) => window.quartier.map.setView([la, lo], z, { animate: false }), [lon, lat, zoom]);
  await idle(page);
  return page.evaluate(([lo, la]) => {
    const map = window.quartier.map;
    const p = map.latLngToContainerPoint([la, lo]);
    const r = map.getContainer().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }, [lon, lat]);
}

export const fixed = (v, d) => v.toLocaleString('en-GB', { minimumFractionDigits: d, maximumFractionDigits: d });

/** axe-core's WCAG 2.1 A and AA rules (labels, names, contrast, ARIA) on the page as it is now. */
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol: an injected <script> would be blocked by the page's
  // Content-Security-Policy (script-src 'self'), as it should be.
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(fs.readFileSync(AXE, 'utf8'));
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** A point inside Düren (Kreis 05358) on the German atlas. */
export const DUREN = { lon: 6.48, lat: 50.80 };

/** Hovers Düren on the German atlas (zoom 8) and returns the hover box's value text. */
export async function hoverDuren(page) {
  const pt = await pointOnScreen(page, DUREN.lon, DUREN.lat, 8);
  await page.mouse.move(pt.x - 4, pt.y - 4);
  await page.mouse.move(pt.x, pt.y);
  await page.waitForFunction(() => {
    const el = document.querySelector('#hover-info .hover-name');
    return el && el.textContent === 'Düren';
  }, null, { timeout: 10_000 });
  return page.textContent('#hover-info .hover-value');
}

/** Moves the year slider to `year` (a string) and waits for the page to settle. */
export async function slideTo(page, year) {
  await page.$eval('#period-slider', (el, y) => {
    const years = [...Array(Number(el.max) + 1).keys()];
    el.value = String(years.find((i) => String(Number(document.getElementById('period-first').textContent) + i) === y));
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, year);
  await page.waitForFunction((y) => document.getElementById('period-value').textContent === y, year);
  await page.waitForTimeout(300);
  await idle(page);
}
