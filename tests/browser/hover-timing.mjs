// Time to the first hover name: opens a page, keeps moving the mouse over one point of the map
// (one pixel back and forth, as a hand does) and records, in the page, when the hover box first
// names a district, and which bytes had been transferred by then (Resource Timing: headers plus
// compressed bodies). Shared by hover_grid.test.mjs and benches/page/page_load.mjs.

/** Injected before the page's own scripts: remembers when a hover name first appears. */
function watchHover() {
  performance.setResourceTimingBufferSize(100000);
  window.__hover = null;
  new MutationObserver(() => {
    const el = document.querySelector('#hover-info .hover-name');
    if (!window.__hover && el && el.textContent) window.__hover = { ms: performance.now(), name: el.textContent };
  }).observe(document, { subtree: true, childList: true, characterData: true });
}

/**
 * Opens `url` in a new page of `ctx` and hovers the map at `at(map)` ({lat, lng}; default the
 * map's centre) until a name shows (at most `timeout` ms). Returns the milliseconds from the
 * start of navigation, the name, the bytes transferred before it, and every URL requested.
 */
export async function timeToHover(ctx, url, { timeout = 30_000 } = {}) {
  const page = await ctx.newPage();
  await page.addInitScript(watchHover);
  const requested = [];
  page.on('request', (r) => requested.push(r.url()));
  await page.goto(url, { waitUntil: 'commit' });
  const deadline = Date.now() + timeout;
  let box = null;
  let i = 0;
  while (Date.now() < deadline) {
    if (!box) {
      box = await page.evaluate(() => {
        const el = document.getElementById('map');
        if (!el || !window.quartier || !window.quartier.map) return null;
        const r = el.getBoundingClientRect();
        return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
      }).catch(() => null);
    }
    if (box) await page.mouse.move(box.x + (i++ % 2), box.y);
    const hover = await page.evaluate(() => window.__hover).catch(() => null);
    if (hover) {
      const bytes = await page.evaluate((until) => {
        const nav = performance.getEntriesByType('navigation')[0];
        let sum = nav ? nav.transferSize : 0;
        for (const e of performance.getEntriesByType('resource')) if (e.responseEnd <= until) sum += e.transferSize;
        return sum;
      }, hover.ms);
      return { page, ms: hover.ms, name: hover.name, bytes, requested };
    }
    await page.waitForTimeout(25);
  }
  return { page, ms: null, name: null, bytes: null, requested };
}
