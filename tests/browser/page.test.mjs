// The map page as citizens and planners meet it (issue 14, page side): on a phone (390 x 844) and a
// laptop (1280 x 900), in German and English. The map is visible without scrolling, the legend
// collapses and keeps that, the profile table shows every column inside its panel, the search finds
// districts by name and key, names on the map never overlap, the CSV downloads parse with their
// separators, the embed snippet is responsive and carries the district, print leaves the controls
// out. Expected values come from the server's API (features.geojson, /api/layers), never from the
// page. Screenshots of every width and language go to tests/browser/screenshots/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SHOTS, launch, closeAll, api, open, idle, settle, axeViolations } from './helpers.mjs';

const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1280, height: 900 };
const SETUPS = [
  { name: 'phone-de', locale: 'de-DE', viewport: PHONE },
  { name: 'phone-en', locale: 'en-US', viewport: PHONE },
  { name: 'laptop-de', locale: 'de-DE', viewport: LAPTOP },
  { name: 'laptop-en', locale: 'en-US', viewport: LAPTOP },
];

before(async () => {
  for (const s of SETUPS) s.ctx = await launch(s.locale, s.viewport);
});

after(closeAll);

/** Page rectangles of every element matching `sel`. */
const rects = (page, sel) => page.$$eval(sel, (els) => els.map((e) => e.getBoundingClientRect().toJSON()));

const intersects = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** Splits CSV text (RFC 4180 quoting) into rows of cells. */
function parseCsv(text, sep) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) { row.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell); rows.push(row); row = []; cell = ''; i++;
    } else cell += c;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/** Numbers in the profile that break over more than one line (their first text node's line boxes). */
const brokenNumbers = (page) => page.$$eval('#profile td.value, #profile td.average', (tds) => tds.filter((td) => {
  const node = [...td.childNodes].find((n) => n.nodeType === 3 && n.textContent.trim());
  if (!node) return false;
  const r = document.createRange();
  r.selectNodeContents(node);
  return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size > 1;
}).map((td) => td.textContent));

/** Types into the search box and waits for the list to show (or to say "none"). */
async function search(page, text) {
  await page.fill('#search-input', '');
  await page.focus('#search-input');
  await page.keyboard.type(text);
  const shown = () => !document.getElementById('search-list').hidden || !document.getElementById('search-empty').hidden;
  // The list stays open: a blur timer left from before (a profile that took the focus) no
  // longer closes it while the box has the focus again (web/search.js).
  await page.waitForFunction(shown, null, { timeout: 5_000 });
  return page.$$eval('#search-list [role="option"]', (os) => os.map((o) => ({
    name: o.querySelector('.search-name').textContent, key: o.querySelector('.search-key').textContent,
  })));
}

for (const setup of SETUPS) {
  test(`${setup.name}: map without scrolling, legend collapses and stays so, search by name and key, profile table fits`, async () => {
    const de = setup.locale.startsWith('de');
    const gj = await api('/api/layers/nc/features.geojson');
    const wake = gj.features.find((f) => f.properties.name === 'Wake');
    const { page, errors } = await open(setup.ctx, '?layer=nc&indicator=sids_rate74');
    const vp = setup.viewport;

    // The map first: wholly inside the first screen, at least half of it, no scrolling needed.
    const map = (await rects(page, '#map'))[0];
    assert.equal(await page.evaluate(() => window.scrollY), 0);
    assert.ok(map.top >= 0 && map.bottom <= vp.height + 0.5, `map ${JSON.stringify(map)} inside the first screen`);
    assert.ok(map.height >= vp.height * 0.5, `map height ${map.height}`);
    assert.ok(map.width >= (vp.width < 700 ? vp.width - 1 : vp.width * 0.4), `map width ${map.width}`);

    // The legend: its title is a button with aria-expanded; closed, the rows are gone and the box
    // is smaller; the choice survives a reload. Phones start closed, laptops open.
    const toggle = '#legend .legend-toggle';
    assert.equal(await page.getAttribute(toggle, 'aria-expanded'), vp.width < 700 ? 'false' : 'true');
    if (vp.width < 700) {
      await page.click(toggle);
      assert.equal(await page.getAttribute(toggle, 'aria-expanded'), 'true');
    }
    const openBox = (await rects(page, '#legend'))[0];
    assert.ok(await page.isVisible('#legend .legend-class'));
    await page.click(toggle);
    assert.equal(await page.getAttribute(toggle, 'aria-expanded'), 'false');
    assert.equal(await page.isVisible('#legend .legend-class'), false, 'rows hidden when closed');
    const closedBox = (await rects(page, '#legend'))[0];
    assert.ok(closedBox.height < openBox.height / 2, `closed ${closedBox.height} vs open ${openBox.height}`);
    await page.reload();
    await idle(page);
    assert.equal(await page.getAttribute(toggle, 'aria-expanded'), 'false', 'the closed legend stays closed');
    await page.click(toggle);
    assert.equal(await page.getAttribute(toggle, 'aria-expanded'), 'true');

    // Search by key: the county's FIPS code gives Wake first; by name, typing and Enter opens it.
    const byKey = await search(page, '37183');
    assert.deepEqual(byKey[0], { name: 'Wake', key: '37183' });
    const byName = await search(page, 'wak');
    assert.equal(byName[0].name, 'Wake');
    await page.keyboard.press('ArrowDown');
    const active = await page.getAttribute('#search-input', 'aria-activedescendant');
    assert.equal(await page.getAttribute('#' + active, 'aria-selected'), 'true');
    assert.equal(await page.getAttribute('#search-input', 'aria-expanded'), 'true');
    assert.deepEqual(await axeViolations(page), [], 'search list open');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#profile:not([hidden])');
    await idle(page);
    assert.equal(await page.textContent('#profile-name'), 'Wake');
    assert.equal(await page.getAttribute('#search-input', 'aria-expanded'), 'false');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('district') === '37183');

    // The district is in view: its bounding box on screen, not under a panel lying over the map.
    const view = await page.evaluate((bb) => {
      const m = window.quartier.map;
      const r = m.getContainer().getBoundingClientRect();
      const sw = m.latLngToContainerPoint([bb[1], bb[0]]);
      const ne = m.latLngToContainerPoint([bb[3], bb[2]]);
      const panel = document.getElementById('profile');
      const overlay = getComputedStyle(panel).position === 'absolute' ? panel.getBoundingClientRect().width : 0;
      return { left: sw.x, right: ne.x, top: ne.y, bottom: sw.y, width: r.width - overlay, height: r.height };
    }, (() => {
      const cs = wake.geometry.coordinates.flat(wake.geometry.type === 'Polygon' ? 1 : 2);
      const xs = cs.map((c) => c[0]);
      const ys = cs.map((c) => c[1]);
      return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    })());
    assert.ok(view.left >= -1 && view.top >= -1 && view.right <= view.width + 1 && view.bottom <= view.height + 1,
      `Wake in view: ${JSON.stringify(view)}`);

    // Every cell of the profile table inside the panel (value, reference, rank all visible).
    const panel = (await rects(page, '#profile'))[0];
    const cells = await rects(page, '#profile .profile-table th, #profile .profile-table td');
    assert.ok(cells.length >= 4 * 5, `${cells.length} cells`);
    for (const c of cells) {
      assert.ok(c.left >= panel.left - 0.5 && c.right <= panel.right + 0.5,
        `cell ${Math.round(c.left)}–${Math.round(c.right)} inside the panel ${Math.round(panel.left)}–${Math.round(panel.right)}`);
    }
    const heads = await page.$$eval('#profile .profile-table thead th', (ths) => ths.map((th) => th.textContent));
    assert.deepEqual(heads, de ? ['Indikator', 'Wert', 'Vgl.', 'Rang'] : ['Indicator', 'Value', 'Ref.', 'Rank']);
    assert.equal(await page.getAttribute('#profile .profile-table thead abbr', 'title'), de ? 'Vergleichswert' : 'Reference value');
    assert.deepEqual(await brokenNumbers(page), [], 'no number breaks over two lines');
    const overflow = await page.$eval('#profile .profile-table', (t) => t.scrollWidth - t.clientWidth);
    assert.ok(overflow <= 0, `the table is ${overflow} px wider than its box`);
    assert.deepEqual(await axeViolations(page), [], 'profile open');
    await settle(page);
    await page.screenshot({ path: path.join(SHOTS, `${setup.name}-profile.png`) });
    await page.screenshot({ path: path.join(SHOTS, `${setup.name}-page.png`), fullPage: true });

    // Escape closes the list first, then clears the field; the profile stays open meanwhile.
    await search(page, 'Dur');
    await page.keyboard.press('Escape');
    assert.equal(await page.isVisible('#search-list'), false);
    assert.equal(await page.inputValue('#search-input'), 'Dur');
    await page.keyboard.press('Escape');
    assert.equal(await page.inputValue('#search-input'), '');
    assert.ok(await page.isVisible('#profile'));
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('search finds accented names without accents, and tells districts of the same name apart by key', async () => {
  const { ctx } = SETUPS[3];
  const { page, errors } = await open(ctx, '?layer=montreal&indicator=joly_share');
  const gj = await api('/api/layers/montreal/features.geojson');
  const cdn = gj.features.filter((f) => /Côte-des-Neiges/.test(f.properties.name)).map((f) => f.properties.name).sort();
  assert.ok(cdn.length >= 1);
  for (const text of ['Côte-des-Neiges', 'cote-des-neiges']) {
    const found = (await search(page, text)).map((o) => o.name).sort();
    assert.deepEqual(found, cdn, text);
  }
  assert.deepEqual(await search(page, 'Atlantis'), []);
  assert.ok(await page.isVisible('#search-empty'));
  await page.close();

  // Boston: many tracts share a town name; each option carries its own key.
  const boston = await open(ctx, '?layer=boston');
  const tracts = (await api('/api/layers/boston/features.geojson')).features
    .filter((f) => f.properties.name === 'Newton').map((f) => f.properties.id).sort();
  assert.ok(tracts.length > 1, 'Newton has several tracts');
  const newton = (await search(boston.page, 'Newton')).filter((o) => o.name === 'Newton');
  assert.equal(newton.length, Math.min(tracts.length, 12), 'as many as the list holds');
  assert.equal(new Set(newton.map((o) => o.key)).size, newton.length, 'keys tell them apart');
  assert.ok(newton.every((o) => tracts.includes(o.key)));
  assert.match(await boston.page.textContent('#search-list [role="option"]'), /name occurs more than once/);
  assert.deepEqual([...errors, ...boston.errors], []);
  await boston.page.close();
});

/** The names on the map: their boxes, and the ids of their districts. */
const labelBoxes = (page) => page.$$eval('.district-label', (ls) => ls.map((l) => ({ id: l.dataset.id, name: l.textContent, ...l.getBoundingClientRect().toJSON() })));

test('names on the map: placed where they fit, never overlapping, inside the map, and the toggle hides them', async () => {
  for (const setup of [SETUPS[0], SETUPS[3]]) {
    // The least number of names expected (Montréal's names, "101-Bois-de-Liesse", are long).
    for (const [search, layer, least] of [['?layer=nc&indicator=sids_rate74&z=8&lat=35.6&lon=-79.2', 'nc', 8],
      ['?layer=boston&z=12&lat=42.35&lon=-71.08', 'boston', 3], ['?layer=montreal&z=12&lat=45.53&lon=-73.62', 'montreal', 1],
      ['?layer=london&indicator=stations', 'london', 3], ['?layer=kreise&z=8&lat=51&lon=7.5', 'kreise', 5]]) {
      const names = new Map((await api(`/api/layers/${layer}/features.geojson`)).features.map((f) => [f.properties.id, f.properties.name]));
      const { page, errors } = await open(setup.ctx, search);
      await settle(page);
      const labels = await labelBoxes(page);
      const map = (await rects(page, '#map'))[0];
      const controls = await rects(page, '#map .leaflet-control');
      assert.ok(labels.length >= least, `${setup.name} ${layer}: ${labels.length} names`);
      for (const l of labels) {
        assert.equal(l.name, names.get(l.id), `${layer}: the name of district ${l.id}`);
        assert.ok(l.left >= map.left - 0.5 && l.right <= map.right + 0.5 && l.top >= map.top - 0.5 && l.bottom <= map.bottom + 0.5,
          `${layer}: ${l.name} inside the map`);
        for (const c of controls) assert.ok(!intersects(l, c), `${layer}: ${l.name} clear of the map's boxes`);
      }
      for (let i = 0; i < labels.length; i++) {
        for (let j = i + 1; j < labels.length; j++) {
          assert.ok(!intersects(labels[i], labels[j]), `${setup.name} ${layer}: "${labels[i].name}" and "${labels[j].name}" overlap`);
        }
      }
      if (layer === 'nc') {
        await page.screenshot({ path: path.join(SHOTS, `${setup.name}-labels.png`) });
        await page.click('.labels-toggle');
        assert.equal(await page.getAttribute('.labels-toggle', 'aria-pressed'), 'false');
        assert.equal((await labelBoxes(page)).length, 0, 'hidden');
        await page.click('.labels-toggle');
        // (The mouse on the toggle may have changed the hover box, and names keep clear of it.)
        assert.ok((await labelBoxes(page)).length >= labels.length - 3, 'shown again');
      }
      assert.deepEqual(errors, []);
      await page.close();
    }
  }
});

/**
 * The German file as pandas reads it (`sep=';', decimal=','`): every indicator column numeric, the
 * values those of features.geojson rounded to the indicator's decimals. Needs python3 with pandas
 * (tests/reference uses it too); without pandas the check says so and fails.
 */
function pandasCheck(text, gj, info) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'quartier-csv-')), 'values.csv');
  fs.writeFileSync(file, text);
  const script = [
    'import json, sys',
    'import pandas as pd',
    "df = pd.read_csv(sys.argv[1], sep=';', decimal=',', dtype={'id': str, 'name': str, 'suppressed': str}, encoding='utf-8-sig')",
    "cols = [c for c in df.columns if c not in ('id', 'name', 'suppressed')]",
    "out = {'columns': list(df.columns), 'numeric': {c: bool(pd.api.types.is_numeric_dtype(df[c])) for c in cols},",
    "       'rows': {r['id']: {c: (None if pd.isna(r[c]) else float(r[c])) for c in cols} for _, r in df.iterrows()}}",
    'print(json.dumps(out))',
  ].join('\n');
  const out = JSON.parse(execFileSync(process.env.PYTHON || 'python3', ['-c', script, file], { encoding: 'utf8' }));
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  for (const ind of info.indicators) assert.equal(out.numeric[ind.id], true, `pandas reads ${ind.id} as numbers`);
  for (const f of gj.features) {
    const row = out.rows[f.properties.id];
    assert.ok(row, `pandas row ${f.properties.id} (leading zeros kept)`);
    for (const ind of info.indicators) {
      const v = f.properties.values[ind.id];
      // (+ 0 turns a rounded −0 into 0: the file writes "0,0", not "-0,0".)
      const expected = typeof v === 'number' ? (Number.isInteger(ind.decimals) ? Number(v.toFixed(ind.decimals)) + 0 : v) : null;
      assert.equal(row[ind.id], expected, `pandas ${f.properties.id}/${ind.id}`);
    }
  }
}

test('downloads: all indicators as German Excel CSV and international CSV, a sidecar with units, years and sources', async () => {
  const layer = 'london_suppressed';
  const info = (await api('/api/layers?lang=de')).find((l) => l.id === layer);
  const gj = await api(`/api/layers/${layer}/features.geojson`);
  const ids = info.indicators.map((i) => i.id);
  for (const [setup, dialect, sep, dec] of [[SETUPS[2], 'de', ';', ','], [SETUPS[3], 'intl', ',', '.']]) {
    const { page, errors } = await open(setup.ctx, `?layer=${layer}`);
    // The default follows the language; choosing the other one works too.
    await page.check(`input[name="csv-format"][value="${dialect}"]`);
    const fetched = await page.evaluate(async () => {
      const get = async (id) => {
        const a = document.getElementById(id);
        const buf = await (await fetch(a.href)).arrayBuffer();
        return { bytes: [...new Uint8Array(buf.slice(0, 3))], text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(buf), name: a.download };
      };
      return { values: await get('download-values'), meta: await get('download-meta'), geojson: document.getElementById('download-geojson').href };
    });
    assert.deepEqual(fetched.values.bytes, [0xef, 0xbb, 0xbf], 'UTF-8 with BOM');
    assert.match(fetched.values.name, dialect === 'de' ? /-excel-de\.csv$/ : /-values\.csv$/);
    const rows = parseCsv(fetched.values.text.replace(/^\ufeff/, ''), sep);
    const head = rows[0];
    assert.deepEqual(head.slice(0, 2), ['id', 'name']);
    assert.deepEqual(head.slice(2, -1).sort(), ids.slice().sort(), 'every indicator in one file');
    assert.equal(head[head.length - 1], 'suppressed');
    assert.equal(rows.length - 1, gj.features.length);
    for (const row of rows) assert.equal(row.length, head.length, `row ${row[0]} has every column`);
    let negatives = 0;
    for (const f of gj.features) {
      const row = rows.find((r) => r[0] === f.properties.id);
      assert.ok(row, f.properties.id);
      assert.equal(row[1], f.properties.name);
      for (const ind of info.indicators) {
        const cell = row[head.indexOf(ind.id)];
        const v = f.properties.values[ind.id];
        if (typeof v !== 'number') {
          assert.equal(cell, '', `${f.properties.id}/${ind.id}: empty, never 0`);
          continue;
        }
        assert.ok(!cell.includes(dec === ',' ? '.' : ','), `${cell}: no thousands separator, decimal ${dec}`);
        const parsed = Number(cell.replace(dec, '.'));
        const d = Number.isInteger(ind.decimals) ? ind.decimals : null;
        if (d !== null) assert.equal(parsed, Number(v.toFixed(d)) + 0, `${f.properties.id}/${ind.id}: ${cell} vs ${v}`);
        else assert.equal(parsed, v);
        if (v < 0) negatives += 1;
      }
      assert.deepEqual(row[head.length - 1].split(' ').filter(Boolean).sort(), (f.properties.suppressed || []).slice().sort());
    }
    assert.ok(rows.some((r) => r[head.length - 1] !== ''), 'the test layer withholds values');
    assert.equal(negatives, 0);
    // The sidecar: one row per indicator with title, unit, year, source in the UI language.
    const meta = parseCsv(fetched.meta.text.replace(/^\ufeff/, ''), sep);
    assert.equal(meta.length - 1, ids.length);
    const lang = dialect === 'de' ? 'de' : 'en';
    const infoLang = lang === 'de' ? info : (await api('/api/layers?lang=en')).find((l) => l.id === layer);
    for (const ind of infoLang.indicators) {
      const r = meta.find((m) => m[0] === ind.id);
      assert.ok(r, ind.id);
      assert.equal(r[1], ind.title);
      assert.equal(r[2], ind.unit || '');
      assert.equal(r[3], ind.year == null ? '' : String(ind.year));
      assert.equal(r[4], ind.source || '');
    }
    if (dialect === 'de') pandasCheck(fetched.values.text, gj, info);
    assert.ok(fetched.geojson.endsWith(`/api/layers/${layer}/features.geojson`));
    const served = await page.evaluate(async (u) => (await (await fetch(u)).json()).features.length, fetched.geojson);
    assert.equal(served, gj.features.length);
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('numbers: the real minus sign, rounded to the decimals asked for, in both languages', async () => {
  const { page } = await open(SETUPS[2].ctx, '?layer=nc');
  const shown = await page.evaluate(async () => {
    const f = await import('./format.js');
    return [f.formatNumber(-8.25, 1), f.formatNumber(-0.01, 1), f.formatNumber(-1234.5, 0), f.formatNumber(5, 1)];
  });
  assert.deepEqual(shown, ['\u22128,3', '0,0', '\u22121.235', '5,0']);
  await page.close();
  const en = await open(SETUPS[3].ctx, '?layer=nc');
  assert.equal(await en.page.evaluate(async () => (await import('./format.js')).formatNumber(-1234.5, 1)), '\u22121,234.5');
  await en.page.close();
});

test('embed: a responsive snippet with the open district and a title; the embedded map names that district', async () => {
  const gj = await api('/api/layers/nc/features.geojson');
  const { page, errors } = await open(SETUPS[3].ctx, '?layer=nc&indicator=sids_rate74&district=37183');
  await page.waitForSelector('#profile:not([hidden])');
  await page.click('#btn-embed');
  await page.waitForSelector('#embed-dialog[open]');
  await page.selectOption('#embed-ratio', '4/3');
  const code = await page.inputValue('#embed-code');
  const m = code.match(/^<iframe src="([^"]+)" title="([^"]+)" style="width:100%;aspect-ratio:4 \/ 3;border:0" loading="lazy"><\/iframe>$/);
  assert.ok(m, code);
  assert.match(m[2], / – Wake$/, 'the title names the district');
  const url = new URL(m[1].replace(/&amp;/g, '&'));
  assert.equal(url.searchParams.get('district'), '37183');
  assert.equal(url.searchParams.get('embed'), '1');
  await page.keyboard.press('Escape');
  await page.close();

  // Pasted as it is into a phone page's 350 px column: the frame takes the column's width and the
  // chosen shape, and never overflows.
  const host = await SETUPS[1].ctx.newPage();
  await host.setContent(`<!doctype html><meta name="viewport" content="width=device-width"><body style="margin:20px">${code}</body>`);
  const inner = await (await host.waitForSelector('iframe')).contentFrame();
  await inner.waitForFunction(() => window.quartier && window.quartier.idle(), null, { timeout: 60_000 });
  assert.equal(await inner.textContent('#hover-info .hover-name'), 'Wake');
  const frame = (await rects(host, 'iframe'))[0];
  assert.ok(Math.abs(frame.width - (PHONE.width - 40)) <= 1, `frame width ${frame.width}`);
  assert.ok(Math.abs(frame.height - frame.width * 3 / 4) <= 1, `frame height ${frame.height} for 4 : 3`);
  assert.equal(await host.evaluate(() => document.documentElement.scrollWidth), PHONE.width, 'no sideways scrolling');
  await host.close();

  // The snippet on a phone page: the frame is the phone's width; the map fills it, with the district.
  const framed = await open(SETUPS[1].ctx, url.search);
  const map = (await rects(framed.page, '#map'))[0];
  assert.ok(map.width >= PHONE.width - 1 && map.height >= PHONE.height - 1, `map fills the frame: ${JSON.stringify(map)}`);
  assert.equal(await framed.page.isVisible('#profile'), false, 'no profile in embed mode');
  assert.equal(await framed.page.isVisible('#search-input'), false);
  assert.equal(await framed.page.textContent('#hover-info .hover-name'), gj.features.find((f) => f.properties.id === '37183').properties.name);
  await settle(framed.page);
  await framed.page.screenshot({ path: path.join(SHOTS, 'phone-en-embed.png') });
  assert.deepEqual([...errors, ...framed.errors], []);
  await framed.page.close();
});

test('print: title, map and legend (opened), no controls', async () => {
  for (const setup of [SETUPS[0], SETUPS[2]]) {
    const { page, errors } = await open(setup.ctx, '?layer=nc&indicator=sids_rate74');
    await page.emulateMedia({ media: 'print' });
    for (const sel of ['#atlas-title', '#map', '#legend', '#legend .legend-class']) assert.ok(await page.isVisible(sel), `${setup.name}: ${sel} printed`);
    for (const sel of ['#search-input', '#btn-table', '#sidebar', '.leaflet-control-zoom', '.labels-toggle', '.lang-switch']) {
      assert.equal(await page.isVisible(sel), false, `${setup.name}: ${sel} not printed`);
    }
    await page.emulateMedia({ media: 'screen' });
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('the German Kreise: search tells the twin names apart, negative values get the minus sign on the page and parse in both CSVs', async () => {
  const info = (await api('/api/layers?lang=de')).find((l) => l.id === 'kreise');
  const gj = await api('/api/layers/kreise/features.geojson');
  const byId = new Map(gj.features.map((f) => [f.properties.id, f]));
  const twins = gj.features.filter((f) => /^München( |$)/.test(f.properties.name)).map((f) => ({ name: f.properties.name, key: f.properties.id }));
  assert.ok(twins.some((x) => x.name === 'München (Landkreis)'), JSON.stringify(twins));
  for (const setup of [SETUPS[0], SETUPS[2]]) {
    const { page, errors } = await open(setup.ctx, '?layer=kreise&indicator=population_change');
    const duren = await search(page, 'Düren');
    assert.deepEqual(duren[0], { name: 'Düren', key: '05358' });
    const munich = await search(page, 'münchen');
    assert.deepEqual(munich.filter((o) => o.name.startsWith('München')).sort((a, b) => a.key.localeCompare(b.key)),
      twins.sort((a, b) => a.key.localeCompare(b.key)));
    const idx = munich.findIndex((o) => o.name === 'München (Landkreis)');
    for (let i = 0; i <= idx; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('profile-name').textContent === 'München (Landkreis)');
    assert.match(await page.textContent('#profile-id'), /09184/);
    await idle(page);
    // Six-digit means (207.215 persons) stay on one line, in the panel.
    assert.deepEqual(await brokenNumbers(page), [], 'no number breaks over two lines');

    // A Kreis that lost people: its change printed with U+2212 and a decimal comma.
    const shrinking = gj.features.find((f) => f.properties.values.population_change < -0.5);
    const v = shrinking.properties.values.population_change;
    await search(page, shrinking.properties.id);
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.getElementById('profile-name').textContent === n, shrinking.properties.name);
    await idle(page);
    const shown = await page.textContent('#profile tr[data-indicator="population_change"] .value');
    assert.ok(shown.startsWith('\u2212' + Math.abs(v).toFixed(1).replace('.', ',')), `${shown} for ${v}`);
    assert.ok(!/-/.test(shown), 'no hyphen-minus on the page');
    if (setup === SETUPS[2]) {
      const text = await page.evaluate(async () => (await fetch(document.getElementById('download-values').href)).text());
      const rows = parseCsv(text.replace(/^\ufeff/, ''), ';');
      const col = rows[0].indexOf('population_change');
      assert.equal(rows.find((r) => r[0] === shrinking.properties.id)[col], '-' + Math.abs(v).toFixed(1).replace('.', ','));
      assert.equal(rows.length - 1, 401);
      for (const r of rows.slice(1)) assert.equal(r[1], byId.get(r[0]).properties.name, `${r[0]}: key with its leading zero`);
      pandasCheck(text, gj, info);
      await page.screenshot({ path: path.join(SHOTS, `${setup.name}-kreise.png`) });
    }
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('a blur just before typing again does not close the search list (the list of what is typed stays)', async () => {
  const { page, errors } = await open(SETUPS[SETUPS.length - 1].ctx, '?layer=nc&indicator=sids_rate74');
  const shown = () => !document.getElementById('search-list').hidden;
  await page.focus('#search-input');
  await page.keyboard.type('Wa');
  await page.waitForFunction(shown);
  // Focus leaves the field (as when a profile takes it) and comes back within the 150 ms
  // after which a blur closes the list; the reader types on.
  await page.focus('#btn-table');
  await page.focus('#search-input');
  await page.keyboard.type('k');
  await page.waitForTimeout(400);
  assert.equal(await page.isVisible('#search-list'), true, 'the list of "Wak" is still open');
  assert.equal(await page.inputValue('#search-input'), 'Wak');
  // A real blur still closes it.
  await page.focus('#btn-table');
  await page.waitForFunction(() => document.getElementById('search-list').hidden);
  assert.deepEqual(errors, []);
  await page.close();
});
