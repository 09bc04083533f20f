// End-to-end tests of the map page (web/) in Debian's headless Chromium, driven by playwright-core.
//
// run.sh starts the real `quartier serve` on a free port and passes its address in QUARTIER_URL.
// Expected values never come from the page itself: they are read from the server's API directly
// (legend.json, features.geojson, /api/layers) or computed here (interior points of districts,
// ranks, formatting with the manifest's decimals), then compared with what the page shows.
// Screenshots go to tests/browser/screenshots/ (git-ignored). The phone layout, search, names,
// downloads and embeds of issue 14 are tested in page.test.mjs; shared helpers are in helpers.mjs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BASE, SHOTS, launch, closeAll, api, open, idle, settle, valuesOf, interiorPoint, pointOnScreen, fixed, axeViolations } from './helpers.mjs';

let en;
let de;

before(async () => {
  en = await launch('en-US');
  de = await launch('de-DE');
});

after(closeAll);

// ---------------------------------------------------------------------------------------------
// Helpers

/** The choropleth tile URLs currently in the map (loaded or loading). */
async function tileSrcs(page) {
  return page.$$eval('.choropleth-tiles img', (imgs) => imgs.map((i) => i.src));
}

/** The legend as the page shows it: per class the swatch's computed colour, bounds, count, text. */
async function pageLegend(page) {
  return page.$$eval('#legend .legend-class', (items) => items.map((li) => {
    const rgb = getComputedStyle(li.querySelector('.swatch')).backgroundColor.match(/\d+/g).slice(0, 3);
    return {
      color: li.dataset.color.toLowerCase(),
      swatch: '#' + rgb.map((c) => Number(c).toString(16).padStart(2, '0')).join(''),
      lower: li.dataset.lower === undefined ? null : Number(li.dataset.lower),
      upper: li.dataset.upper === undefined ? null : Number(li.dataset.upper),
      count: Number(li.dataset.count),
      range: li.querySelector('.range').textContent,
      countText: li.querySelector('.count').textContent,
      nodata: li.classList.contains('legend-nodata'),
      suppressed: li.classList.contains('legend-suppressed'),
    };
  }));
}

/**
 * Asserts that the page's legend is exactly legend.json: colours, breaks, counts, the no-data class,
 * and the suppressed class when the layer withholds small numbers (and only then).
 */
function assertLegendEquals(shown, legend, label) {
  const classes = shown.filter((c) => !c.nodata && !c.suppressed);
  const nodata = shown.find((c) => c.nodata);
  const suppressed = shown.find((c) => c.suppressed);
  if (legend.suppress_below != null || legend.suppressed > 0) {
    assert.ok(suppressed, `${label}: the legend has a suppressed class`);
    assert.equal(suppressed.color, legend.suppressed_color.toLowerCase(), `${label}: suppressed colour`);
    assert.equal(suppressed.swatch, legend.suppressed_color.toLowerCase(), `${label}: suppressed swatch`);
    assert.equal(suppressed.count, legend.suppressed, `${label}: suppressed count`);
    assert.notEqual(suppressed.color, legend.no_data_color.toLowerCase(), `${label}: suppressed is not no data`);
  } else {
    assert.equal(suppressed, undefined, `${label}: no suppressed class without suppression`);
  }
  assert.equal(classes.length, legend.colors.length, `${label}: number of classes`);
  assert.equal(legend.breaks.length, legend.colors.length + 1, `${label}: legend.json breaks vs colours`);
  classes.forEach((c, i) => {
    assert.equal(c.color, legend.colors[i].toLowerCase(), `${label}: colour of class ${i + 1}`);
    assert.equal(c.swatch, legend.colors[i].toLowerCase(), `${label}: swatch of class ${i + 1}`);
    assert.equal(c.lower, legend.breaks[i], `${label}: lower bound of class ${i + 1}`);
    assert.equal(c.upper, legend.breaks[i + 1], `${label}: upper bound of class ${i + 1}`);
    assert.equal(c.count, legend.counts[i], `${label}: count of class ${i + 1}`);
  });
  assert.ok(nodata, `${label}: the legend has a no-data class`);
  assert.equal(nodata.color, legend.no_data_color.toLowerCase(), `${label}: no-data colour`);
  assert.equal(nodata.count, legend.missing, `${label}: no-data count`);
}

/** Numbers printed in an English-formatted text ("1,234.5 – 2,000"), with their decimals. */
function numbersIn(text) {
  return [...text.matchAll(/-?\d[\d,]*(?:\.(\d+))?/g)].map((m) => ({
    value: Number(m[0].replace(/,/g, '')), decimals: m[1] ? m[1].length : 0,
  }));
}

// ---------------------------------------------------------------------------------------------
// Tests

test('the default view loads with no console errors and shows the atlas', async () => {
  const atlas = await api('/api/atlas?lang=en');
  const layers = await api('/api/layers?lang=en');
  const { page, errors } = await open(en);
  const title = typeof atlas.title === 'object' ? atlas.title.en : atlas.title;
  assert.equal(await page.textContent('#atlas-title'), title);
  assert.equal(await page.inputValue('#layer-select'), layers[0].id, 'the first layer is shown by default');
  const options = await page.$$eval('#layer-select option', (os) => os.map((o) => o.textContent));
  assert.deepEqual(options, layers.map((l) => l.title));
  assert.ok((await tileSrcs(page)).length > 0, 'tiles are requested');
  assert.ok(await page.isVisible('#legend .legend-class'), 'the legend is visible');
  await settle(page);
  await page.screenshot({ path: path.join(SHOTS, 'default.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('tiles load and are not blank: they carry the legend colours', async () => {
  const { page, errors } = await open(en, '?layer=nc&indicator=sids_rate74');
  const legend = await api('/api/layers/nc/indicators/sids_rate74/legend.json');
  const stats = await page.evaluate(async () => {
    const imgs = [...document.querySelectorAll('.choropleth-tiles img.leaflet-tile-loaded')];
    const colours = new Set();
    let opaque = 0;
    let total = 0;
    let natural = 0;
    for (const img of imgs) {
      if (img.naturalWidth >= 256) natural += 1;
      const blob = await (await fetch(img.src)).blob();
      const bitmap = await createImageBitmap(blob);
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
    return { tiles: imgs.length, natural, opaque, total, colours: [...colours] };
  });
  assert.ok(stats.tiles >= 2, `at least two tiles loaded (got ${stats.tiles})`);
  assert.equal(stats.natural, stats.tiles, 'every loaded tile decodes to a 256 px image');
  assert.ok(stats.opaque / stats.total > 0.1, `tiles are not blank (${stats.opaque} of ${stats.total} px opaque)`);
  const present = legend.colors.filter((c) => stats.colours.includes(c.toLowerCase()));
  assert.deepEqual(present, legend.colors, 'every class colour of legend.json is drawn in the tiles');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the legend equals legend.json, with rounded ranges and counts as text', async () => {
  const layers = await api('/api/layers?lang=en');
  const ind = layers.find((l) => l.id === 'nc').indicators.find((i) => i.id === 'sids_rate74');
  const { page, errors } = await open(en, '?layer=nc&indicator=sids_rate74');
  const legend = await api('/api/layers/nc/indicators/sids_rate74/legend.json');
  const shown = await pageLegend(page);
  assertLegendEquals(shown, legend, 'nc/sids_rate74');
  shown.filter((c) => !c.nodata).forEach((c, i) => {
    const nums = numbersIn(c.range);
    assert.equal(nums.length, 2, `class ${i + 1} shows two numbers: "${c.range}"`);
    assert.ok(nums[0].decimals >= ind.decimals, `at least the manifest's ${ind.decimals} decimals: "${c.range}"`);
    for (const [k, b] of [[0, legend.breaks[i]], [1, legend.breaks[i + 1]]]) {
      assert.ok(Math.abs(nums[k].value - b) <= 0.5 * 10 ** -nums[k].decimals + 1e-12,
        `"${c.range}" rounds ${b} correctly`);
    }
    assert.match(c.countText, new RegExp('^' + legend.counts[i] + ' district'), 'the count is written out');
  });
  assert.equal(shown.find((c) => c.nodata).range, 'No data');
  assert.match(await page.textContent('#legend .legend-unit'), /per 1,000 births/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('changing the indicator changes the tile URLs and the legend', async () => {
  const { page, errors } = await open(en, '?layer=nc&indicator=sids_rate74');
  const before = await tileSrcs(page);
  assert.ok(before.length > 0 && before.every((s) => s.includes('/tiles/nc/sids_rate74/')), before.join('\n'));
  await page.selectOption('#indicator-select', 'births74');
  await page.waitForFunction(() => [...document.querySelectorAll('.choropleth-tiles img')]
    .every((i) => i.src.includes('/tiles/nc/births74/')));
  await idle(page);
  const after = await tileSrcs(page);
  assert.ok(after.length > 0);
  const legend = await api('/api/layers/nc/indicators/births74/legend.json');
  const old = await api('/api/layers/nc/indicators/sids_rate74/legend.json');
  assert.notDeepEqual(legend.breaks, old.breaks);
  assertLegendEquals(await pageLegend(page), legend, 'nc/births74');
  assert.match(await page.textContent('#legend .legend-title'), /Births 1974/);
  assert.match(page.url(), /indicator=births74/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('classification controls restyle tiles and legend together', async () => {
  const { page, errors } = await open(en, '?layer=nc&indicator=sids_rate74');
  await page.click('#style-panel summary');
  await page.selectOption('#method-select', 'equal');
  await idle(page);
  await page.selectOption('#classes-select', '4');
  await idle(page);
  await page.selectOption('#palette-select', 'Blues');
  await page.waitForFunction(() => [...document.querySelectorAll('.choropleth-tiles img')]
    .every((i) => /method=equal/.test(i.src) && /classes=4/.test(i.src) && /palette=Blues/.test(i.src)));
  await idle(page);
  const legend = await api('/api/layers/nc/indicators/sids_rate74/legend.json?method=equal&classes=4&palette=Blues');
  assert.equal(legend.colors.length, 4);
  assertLegendEquals(await pageLegend(page), legend, 'equal/4/Blues');
  assert.match(page.url(), /method=equal/);

  // Border width: 1 px goes into the tile URLs and the shared URL; back to thin drops it again.
  await page.selectOption('#border-select', '1');
  await page.waitForFunction(() => [...document.querySelectorAll('.choropleth-tiles img')]
    .every((i) => /border=1/.test(i.src) && /palette=Blues/.test(i.src)));
  await page.waitForFunction(() => /border=1/.test(location.search)); // the URL follows, debounced
  await page.selectOption('#border-select', '0.5');
  await page.waitForFunction(() => [...document.querySelectorAll('.choropleth-tiles img')]
    .every((i) => !/border=/.test(i.src)));
  await idle(page);

  // Own breaks: the field starts with the current classes' upper bounds; new bounds restyle both.
  await page.selectOption('#method-select', 'manual');
  await idle(page);
  const prefilled = (await page.inputValue('#breaks-input')).split(',').map(Number);
  assert.equal(prefilled.length, legend.colors.length, `one upper bound per class: ${prefilled}`);
  assert.ok(prefilled[prefilled.length - 1] >= legend.breaks[legend.breaks.length - 1], 'the last bound keeps the maximum');
  await page.fill('#breaks-input', '1, 2, 3, 10');
  await page.press('#breaks-input', 'Enter');
  await page.waitForFunction(() => [...document.querySelectorAll('.choropleth-tiles img')]
    .every((i) => /method=manual/.test(i.src) && /breaks=1,2,3,10/.test(i.src)));
  await idle(page);
  const manual = await api('/api/layers/nc/indicators/sids_rate74/legend.json?method=manual&breaks=1,2,3,10&palette=Blues');
  assert.deepEqual(manual.breaks.slice(1), [1, 2, 3, 10]);
  assertLegendEquals(await pageLegend(page), manual, 'manual');
  // The URL follows, debounced (as for the border above).
  await page.waitForFunction(() => /breaks=1,2,3,10/.test(location.search));
  assert.match(page.url(), /breaks=1,2,3,10/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a style the server rejects leaves tiles and legend as they were and says why', async () => {
  const { page, errors } = await open(en, '?layer=nc&indicator=sids_rate74');
  await page.click('#style-panel summary');
  await page.selectOption('#method-select', 'manual');
  await idle(page);
  const tilesManual = (await tileSrcs(page)).sort();
  const legendManual = await pageLegend(page);
  await page.fill('#breaks-input', '3, 1');
  await page.press('#breaks-input', 'Enter');
  await page.waitForSelector('#status:not([hidden])');
  await idle(page);
  const expected = await fetch(BASE + '/api/layers/nc/indicators/sids_rate74/legend.json?method=manual&breaks=3,1');
  assert.equal(expected.status, 400);
  const message = (await expected.json()).error;
  assert.equal(await page.textContent('#status'), 'This classification is not possible: ' + message);
  assert.deepEqual((await tileSrcs(page)).sort(), tilesManual, 'tiles unchanged');
  assert.deepEqual(await pageLegend(page), legendManual, 'legend unchanged');
  assert.ok(!page.url().includes('breaks=3,1'), 'the rejected style is not put in the URL');
  // The browser logs the 400 of legend.json itself; nothing else may fail.
  assert.deepEqual(errors.filter((e) => !/legend\.json\?method=manual&breaks=3,1|status of 400/.test(e)), []);
  assert.ok(tilesManual.length > 0);
  await page.close();
});

test('hovering a known county shows its name and value', async () => {
  const layers = await api('/api/layers?lang=en');
  const ind = layers.find((l) => l.id === 'nc').indicators.find((i) => i.id === 'sids_rate74');
  const gj = await api('/api/layers/nc/features.geojson');
  const wake = gj.features.find((f) => f.properties.name === 'Wake');
  assert.ok(wake, 'Wake county is in features.geojson');
  const value = valuesOf(wake).sids_rate74;
  assert.equal(typeof value, 'number');
  const { lon, lat } = interiorPoint(wake.geometry);
  const { page, errors } = await open(en, '?layer=nc&indicator=sids_rate74');
  const pt = await pointOnScreen(page, lon, lat, 9);
  await page.mouse.move(pt.x - 5, pt.y - 5);
  await page.mouse.move(pt.x, pt.y);
  // The hover box follows the last mouse position; wait until it has caught up (or time out).
  await page.waitForFunction(() => {
    const el = document.querySelector('#hover-info .hover-name');
    return el && el.textContent === 'Wake';
  }, null, { timeout: 10_000 }).catch(() => {});
  assert.equal(await page.textContent('#hover-info .hover-name'), 'Wake');
  const shown = await page.textContent('#hover-info .hover-value');
  assert.equal(shown, fixed(value, ind.decimals) + '\u00a0' + ind.unit);
  assert.deepEqual(errors, []);
  await page.close();
});

test('clicking a district opens its profile with value, average and rank', async () => {
  const layers = await api('/api/layers?lang=en');
  const layer = layers.find((l) => l.id === 'montreal');
  const detail = await api('/api/layers/montreal?lang=en');
  const gj = await api('/api/layers/montreal/features.geojson');
  // A district whose name has accents, to see that UTF-8 survives the whole way.
  const feature = gj.features.find((f) => /Côte-des-Neiges/.test(f.properties.name));
  assert.ok(feature, 'a Côte-des-Neiges district is in features.geojson');
  const ind = layer.indicators.find((i) => i.id === 'joly_share');
  const v = valuesOf(feature).joly_share;
  const all = gj.features.map((f) => valuesOf(f).joly_share).filter((x) => typeof x === 'number');
  const rank = 1 + all.filter((x) => x > v).length;
  const detailInd = detail.indicators.find((i) => i.id === 'joly_share');
  // Joly's share is a ratio: the reference is the ratio of the totals, not the mean of the districts.
  const stats = detailInd.stats || detailInd;
  assert.equal(stats.reference_kind, 'ratio_of_totals');
  assert.notEqual(stats.reference, stats.mean);
  const mean = stats.reference;

  const { page, errors } = await open(en, '?layer=montreal&indicator=joly_share');
  const { lon, lat } = interiorPoint(feature.geometry);
  const pt = await pointOnScreen(page, lon, lat, 13);
  await page.mouse.click(pt.x, pt.y);
  await page.waitForSelector('#profile:not([hidden])');
  assert.equal(await page.textContent('#profile-name'), feature.properties.name);
  const rows = await page.$$eval('#profile tr[data-indicator]', (trs) => trs.map((tr) => ({
    id: tr.dataset.indicator,
    value: tr.querySelector('.value').textContent,
    average: tr.querySelector('.average').textContent,
    rank: tr.querySelector('.rank').textContent,
    current: tr.classList.contains('current'),
  })));
  assert.deepEqual(rows.map((r) => r.id).sort(), layer.indicators.map((i) => i.id).sort(), 'all indicators listed');
  const row = rows.find((r) => r.id === 'joly_share');
  assert.ok(row.current, 'the mapped indicator is highlighted');
  assert.ok(row.value.startsWith(fixed(v, ind.decimals)), `value ${row.value}`);
  assert.equal(row.average, fixed(mean, ind.decimals));
  assert.equal(row.rank, `${rank} of ${all.length}`);
  // The URL is written 50 ms after the last change (and the profile column's resize moves the map).
  await page.waitForFunction((id) => new URLSearchParams(location.search).get('district') === id,
    feature.properties.id, { timeout: 5_000 }).catch(() => {});
  assert.match(page.url(), new RegExp('district=' + encodeURIComponent(feature.properties.id) + '(&|$)'));
  await settle(page);
  await page.screenshot({ path: path.join(SHOTS, 'profile.png') });
  await page.keyboard.press('Escape');
  await page.waitForSelector('#profile', { state: 'hidden' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the table view lists every district and sorts by value, by keyboard', async () => {
  const gj = await api('/api/layers/nc/features.geojson');
  const values = gj.features.map((f) => valuesOf(f).sids_rate74).filter((x) => typeof x === 'number');
  const { page, errors } = await open(en, '?layer=nc&indicator=sids_rate74');
  await page.focus('#btn-table');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#table-view:not([hidden])');
  await page.waitForFunction((n) => document.querySelectorAll('#district-table tbody tr').length === n, gj.features.length);
  await page.focus('#district-table th[data-sort="value"] button');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  assert.equal(await page.getAttribute('#district-table th[data-sort="value"]', 'aria-sort'), 'descending');
  const first = await page.$$eval('#district-table tbody tr', (trs) => trs.slice(0, 3).map((tr) => Number(tr.children[2].dataset.value)));
  const desc = [...values].sort((a, b) => b - a);
  assert.deepEqual(first, desc.slice(0, 3));
  await settle(page);
  await page.screenshot({ path: path.join(SHOTS, 'table.png') });
  await page.keyboard.press('Escape');
  await page.waitForSelector('#table-view', { state: 'hidden' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('embed mode shows map and legend only', async () => {
  const { page, errors } = await open(en, '?embed=1&layer=nc&indicator=sids_rate74');
  assert.equal(await page.isVisible('#topbar'), false, 'no top bar');
  assert.equal(await page.isVisible('#sidebar'), false, 'no pickers');
  assert.equal(await page.isVisible('#style-panel'), false, 'no classification controls');
  assert.equal(await page.isVisible('#btn-embed'), false, 'no embed button');
  assert.ok(await page.isVisible('#map'));
  assert.ok(await page.isVisible('#legend .legend-class'));
  const box = await page.$eval('#map', (m) => m.getBoundingClientRect().toJSON());
  assert.ok(box.width >= 1270 && box.height >= 790, 'the map fills the frame');
  assertLegendEquals(await pageLegend(page), await api('/api/layers/nc/indicators/sids_rate74/legend.json'), 'embed');
  await settle(page);
  await page.screenshot({ path: path.join(SHOTS, 'embed.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the Embed button gives an iframe snippet of the current view', async () => {
  const { page, errors } = await open(en, '?layer=montreal&indicator=bergeron_share&z=11&lat=45.55&lon=-73.65');
  await page.click('#btn-embed');
  await page.waitForSelector('#embed-dialog[open]');
  const code = await page.inputValue('#embed-code');
  const m = code.match(/^<iframe src="([^"]+)" title="[^"]+" style="width:100%;aspect-ratio:16 \/ 10;border:0" loading="lazy"><\/iframe>$/);
  assert.ok(m, code);
  const src = m[1].replace(/&amp;/g, '&');
  const url = new URL(src);
  assert.equal(url.origin, BASE);
  assert.equal(url.searchParams.get('embed'), '1');
  assert.equal(url.searchParams.get('layer'), 'montreal');
  assert.equal(url.searchParams.get('indicator'), 'bergeron_share');
  assert.equal(url.searchParams.get('z'), '11');
  await page.keyboard.press('Escape');
  const framed = await open(en, url.search);
  assert.equal(await framed.page.isVisible('#sidebar'), false);
  assert.equal(await framed.page.evaluate(() => window.quartier.map.getZoom()), 11);
  assert.deepEqual([...errors, ...framed.errors], []);
  await framed.page.close();
  await page.close();
});

test('a reloaded shared URL restores layer, indicator, style, zoom and centre', async () => {
  const { page, errors } = await open(en, '?layer=montreal');
  await page.selectOption('#indicator-select', 'joly_share');
  await idle(page);
  await page.click('#style-panel summary');
  await page.selectOption('#method-select', 'jenks');
  await idle(page);
  await page.selectOption('#classes-select', '4');
  await idle(page);
  await page.evaluate(() => window.quartier.map.setView([45.5231, -73.6012], 12, { animate: false }));
  await idle(page);
  await page.evaluate(() => window.quartier.map.panBy([37, -21], { animate: false }));
  await idle(page);
  // Open the district at the map centre from the keyboard (Enter on the focused map).
  await page.focus('#map');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#profile:not([hidden])');
  await idle(page);
  const district = await page.textContent('#profile-name');
  await page.waitForFunction(() => location.search.includes('z=12') && location.search.includes('classes=4') &&
    location.search.includes('district='));
  await page.waitForTimeout(200); // the URL is written 50 ms after the last change
  const shared = page.url();
  const view = await page.evaluate(() => {
    const m = window.quartier.map;
    return { z: m.getZoom(), c: m.getCenter(), legend: window.quartier.legend };
  });
  const tiles = (await tileSrcs(page)).sort();
  assert.ok(tiles.every((s) => s.includes('/montreal/joly_share/') && s.includes('method=jenks') && s.includes('classes=4')));

  const again = await en.newPage();
  await again.goto(shared);
  await idle(again);
  const restored = await again.evaluate(() => {
    const m = window.quartier.map;
    return { z: m.getZoom(), c: m.getCenter(), legend: window.quartier.legend };
  });
  assert.equal(await again.inputValue('#layer-select'), 'montreal');
  assert.equal(await again.inputValue('#indicator-select'), 'joly_share');
  assert.equal(await again.inputValue('#method-select'), 'jenks');
  assert.equal(await again.inputValue('#classes-select'), '4');
  assert.equal(restored.z, view.z);
  assert.ok(Math.abs(restored.c.lat - view.c.lat) < 1e-6 && Math.abs(restored.c.lng - view.c.lng) < 1e-6,
    `centre ${JSON.stringify(restored.c)} vs ${JSON.stringify(view.c)}`);
  assert.deepEqual(restored.legend, view.legend);
  assert.deepEqual((await tileSrcs(again)).sort(), tiles);
  assertLegendEquals(await pageLegend(again),
    await api('/api/layers/montreal/indicators/joly_share/legend.json?method=jenks&classes=4'), 'restored');
  await again.waitForSelector('#profile:not([hidden])');
  assert.equal(await again.textContent('#profile-name'), district, 'the open district profile is restored');
  await again.waitForTimeout(200);
  assert.equal(again.url(), shared, 'the restored page writes the same URL');
  assert.deepEqual(errors, []);
  await again.close();
  await page.close();
});

test('a German browser gets the German UI and German indicator titles; the switch changes it', async () => {
  const layersDe = await api('/api/layers?lang=de');
  const nc = layersDe.find((l) => l.id === 'nc');
  const { page, errors } = await open(de, '?layer=nc&indicator=sids_rate74');
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  assert.equal(await page.textContent('label[for="indicator-select"]'), 'Indikator');
  assert.equal(await page.textContent('label[for="layer-select"]'), 'Gebiet');
  assert.equal(await page.textContent('#btn-table [data-i18n="table"]'), 'Tabelle');
  assert.equal(await page.textContent('#legend .legend-nodata .range'), 'Keine Daten');
  const options = await page.$$eval('#indicator-select option', (os) => os.map((o) => o.textContent));
  assert.deepEqual(options.sort(), nc.indicators.map((i) => i.title).sort());
  assert.ok(options.includes('Plötzlicher Kindstod 1974–78'), options.join(' | '));
  assert.equal(await page.$eval('#indicator-select optgroup', (g) => g.label), 'Demografie und Integration');
  assert.match(await page.textContent('#legend .legend-unit'), /je 1\.000 Geburten/);
  // German number format: decimal comma in the legend ranges.
  assert.match(await page.textContent('#legend .legend-class .range'), /^\d+,\d{2}\u2009–\u2009\d+,\d{2}$/);
  await settle(page);
  await page.screenshot({ path: path.join(SHOTS, 'german.png') });

  await page.click('.lang-switch button[data-lang="en"]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await idle(page);
  assert.equal(await page.textContent('label[for="indicator-select"]'), 'Indicator');
  assert.ok((await page.$$eval('#indicator-select option', (os) => os.map((o) => o.textContent)))
    .includes('Sudden infant deaths 1974–78'));
  await page.waitForFunction(() => location.search.includes('lang=en'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('suppressed districts: own legend class, hatched on the map, "suppressed" in hover, profile, table and CSV', async () => {
  // The suppression test layer (run.sh serves it next to the bundled atlas): which boroughs are
  // withheld comes from the server's features.geojson, checked against the shapely reference
  // counts by the router tests.
  const layer = 'london_suppressed';
  const legend = await api(`/api/layers/${layer}/indicators/stations/legend.json`);
  assert.ok(legend.suppressed > 0, 'the test layer withholds some boroughs');
  const gj = await api(`/api/layers/${layer}/features.geojson`);
  const withheld = gj.features.filter((f) => (f.properties.suppressed || []).includes('stations'));
  assert.equal(withheld.length, legend.suppressed);
  for (const f of withheld) assert.equal(valuesOf(f).stations, null, `${f.properties.id}: no value is sent`);
  // The withheld borough with the largest extent, so that a point well inside it is easy to hit.
  const extent = (f) => {
    const cs = f.geometry.coordinates.flat(2);
    const xs = cs.map((c) => c[0]);
    const ys = cs.map((c) => c[1]);
    return (Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys));
  };
  const borough = withheld.reduce((a, b) => (extent(b) > extent(a) ? b : a));
  const { id, name } = borough.properties;
  const { lon, lat } = interiorPoint(borough.geometry);

  const { page, errors } = await open(en, `?layer=${layer}&indicator=stations`);
  const shown = await pageLegend(page);
  assertLegendEquals(shown, legend, `${layer}/stations`);
  const row = shown.find((c) => c.suppressed);
  assert.equal(row.range, `Suppressed (fewer than ${legend.suppress_below})`);
  assert.equal(row.countText, `${legend.suppressed} districts`);
  assert.match(await page.getAttribute('#legend .legend-suppressed', 'title'), /privacy/);
  // The hatch over exactly the withheld boroughs.
  const hatched = await page.$$eval('.leaflet-suppressed-pane path', (ps) => ps.map((p) => p.getAttribute('fill')));
  assert.equal(hatched.length, withheld.length, 'one hatched shape per withheld borough');
  assert.ok(hatched.every((f) => f === 'url(#quartier-hatch)'), hatched.join(' '));

  // Hover and profile say "suppressed"; other indicators of the borough keep their values.
  const pt = await pointOnScreen(page, lon, lat, 12);
  await page.mouse.move(pt.x - 5, pt.y - 5);
  await page.mouse.move(pt.x, pt.y);
  await page.waitForFunction((n) => {
    const el = document.querySelector('#hover-info .hover-name');
    return el && el.textContent === n;
  }, name, { timeout: 10_000 }).catch(() => {});
  assert.equal(await page.textContent('#hover-info .hover-name'), name);
  assert.equal(await page.textContent('#hover-info .hover-value'), 'suppressed');
  await page.mouse.click(pt.x, pt.y);
  await page.waitForSelector('#profile:not([hidden])');
  assert.equal(await page.textContent('#profile-name'), name);
  assert.equal(await page.textContent('#profile tr[data-indicator="stations"] .value'), 'suppressed');
  assert.equal(await page.textContent('#profile tr[data-indicator="stations"] .rank'), '–');
  const bikes = valuesOf(borough).bikes;
  assert.equal(typeof bikes, 'number', 'bikes of the borough are published');
  const bikesShown = await page.textContent('#profile tr[data-indicator="bikes"] .value');
  assert.ok(bikesShown.startsWith(fixed(bikes, 0)), `bikes: ${bikesShown}`);
  assert.deepEqual(await axeViolations(page), [], 'suppressed legend class, hover and profile');
  await settle(page);
  await page.screenshot({ path: path.join(SHOTS, 'suppressed.png') });

  // The table and its CSV: the word, an empty cell and the reason, never a number.
  await page.keyboard.press('Escape');
  await page.click('#btn-table');
  await page.waitForFunction((n) => document.querySelectorAll('#district-table tbody tr').length === n, gj.features.length);
  const cell = await page.$eval(`#district-table tr[data-id="${id}"] td:nth-child(3)`,
    (td) => ({ text: td.textContent, value: td.dataset.value, suppressed: td.dataset.suppressed }));
  assert.deepEqual(cell, { text: 'suppressed', value: '', suppressed: 'true' });
  const csv = await page.evaluate(async () => (await fetch(document.getElementById('table-csv').href)).text());
  const lines = csv.replace(/^\ufeff/, '').trim().split('\r\n');
  assert.equal(lines[0], 'id,name,stations,status');
  const csvRows = lines.slice(1).filter((l) => l.startsWith(id + ','));
  assert.deepEqual(csvRows, [`${id},${name},,suppressed`]);
  assert.equal(lines.filter((l) => l.endsWith(',suppressed')).length, withheld.length);
  assert.deepEqual(errors, []);
  await page.close();

  // German: "gesperrt".
  const german = await open(de, `?layer=${layer}&indicator=stations&district=${encodeURIComponent(id)}`);
  assert.equal(await german.page.textContent('#legend .legend-suppressed .range'),
    `Gesperrt (weniger als ${legend.suppress_below})`);
  await german.page.waitForSelector('#profile:not([hidden])');
  assert.equal(await german.page.textContent('#profile tr[data-indicator="stations"] .value'), 'gesperrt');
  assert.deepEqual(german.errors, []);
  await german.page.close();
});

test('a layer without suppression shows no suppressed class; the bundled London layer names its rule', async () => {
  const { page, errors } = await open(en, '?layer=london&indicator=stations');
  const legend = await api('/api/layers/london/indicators/stations/legend.json');
  assert.equal(legend.suppressed, 0, 'no borough of the real data has 1 or 2 stations');
  assertLegendEquals(await pageLegend(page), legend, 'london/stations');
  assert.equal(await page.$$eval('.leaflet-suppressed-pane path', (ps) => ps.length), 0);
  const nc = await open(en, '?layer=nc&indicator=sids_rate74');
  assert.equal(await nc.page.$$eval('#legend .legend-suppressed', (ls) => ls.length), 0);
  assert.deepEqual([...errors, ...nc.errors], []);
  await nc.page.close();
  await page.close();
});
test('accessibility: no WCAG 2.1 A/AA violations (axe-core) with panels open, in both languages', async () => {
  for (const ctx of [en, de]) {
    const { page, errors } = await open(ctx, '?layer=boston&indicator=median_income');
    await page.click('#style-panel summary');
    assert.deepEqual(await axeViolations(page), [], 'main view');
    const gj = await api('/api/layers/boston/features.geojson');
    const { lon, lat } = interiorPoint(gj.features[0].geometry);
    const pt = await pointOnScreen(page, lon, lat, 12);
    await page.mouse.click(pt.x, pt.y);
    await page.waitForSelector('#profile:not([hidden])');
    assert.deepEqual(await axeViolations(page), [], 'profile open');
    await page.click('#btn-table');
    await page.waitForFunction(() => document.querySelectorAll('#district-table tbody tr').length > 0);
    assert.deepEqual(await axeViolations(page), [], 'table open');
    await page.keyboard.press('Escape');
    await page.click('#btn-embed');
    await page.waitForSelector('#embed-dialog[open]');
    assert.deepEqual(await axeViolations(page), [], 'embed dialog open');
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('keyboard: every control is reachable with Tab and the pickers work without a mouse', async () => {
  const { page, errors } = await open(en, '?layer=nc&indicator=sids_rate74');
  await page.click('#style-panel summary');
  const reached = new Set();
  for (let i = 0; i < 50; i++) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => {
      const el = document.activeElement;
      return el.id || el.dataset.lang || el.className || el.tagName;
    }));
  }
  for (const id of ['search-input', 'btn-table', 'btn-embed', 'de', 'en', 'layer-select', 'indicator-select', 'download-values',
    'download-meta', 'download-geojson', 'method-select', 'classes-select', 'palette-select', 'style-reset', 'map',
    'labels-toggle', 'legend-toggle']) {
    assert.ok(reached.has(id), `Tab reaches ${id} (reached: ${[...reached].join(', ')})`);
  }
  await page.focus('#indicator-select');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => window.quartier.state.indicator !== 'sids_rate74');
  await idle(page);
  const ind = await page.evaluate(() => window.quartier.state.indicator);
  assert.ok((await tileSrcs(page)).every((src) => src.includes(`/tiles/nc/${ind}/`)));
  assert.deepEqual(errors, []);
  await page.close();
});
