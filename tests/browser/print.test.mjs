// The print downloads of the page (issue 15): "Map of this view" as PDF, SVG and PNG and "Profile
// as PDF" point at the server's print routes with the view, the style and the language on
// screen, and what they fetch is a PDF/SVG/PNG whose title and legend are those of the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, closeAll, open } from './helpers.mjs';

let de;
before(async () => { de = await launch('de-DE'); });
after(closeAll);

/** The address a print link gets when clicked (the click itself is cancelled). */
async function hrefOnClick(page, id) {
  return page.$eval('#' + id, (a) => {
    a.addEventListener('click', (e) => e.preventDefault(), { once: true });
    a.click();
    return a.getAttribute('href');
  });
}

test('print links: the map of this view as PDF, SVG and PNG, and the profile as PDF', async () => {
  const { page, errors } = await open(de, '?layer=nc&indicator=sids_rate74&method=jenks&classes=4&lang=de');
  const pdf = await hrefOnClick(page, 'download-map-pdf');
  assert.match(pdf, /^static\/nc\/sids_rate74\.pdf\?/);
  const q = new URLSearchParams(pdf.split('?')[1]);
  assert.equal(q.get('method'), 'jenks');
  assert.equal(q.get('classes'), '4');
  assert.equal(q.get('lang'), 'de');
  const bbox = q.get('bbox').split(',').map(Number);
  assert.equal(bbox.length, 4);
  assert.ok(bbox[0] < -75 && bbox[2] > -84 && bbox[1] < 36.5 && bbox[3] > 34, `the view over NC: ${bbox}`);
  let res = await fetch(BASE + '/' + pdf);
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  assert.equal(Buffer.from(await res.arrayBuffer()).subarray(0, 5).toString(), '%PDF-');

  const svg = await hrefOnClick(page, 'download-map-svg');
  res = await fetch(BASE + '/' + svg);
  assert.equal(res.status, 200);
  const text = await res.text();
  // Every class label of the live legend (same style, German) is in the print legend.
  const lg = await (await fetch(BASE + '/api/layers/nc/indicators/sids_rate74/legend.json?method=jenks&classes=4&lang=de')).json();
  const xml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  assert.equal(lg.labels.length, 4);
  for (const label of lg.labels) assert.ok(text.includes('>' + xml(label) + '</text>'), `${label} in the SVG`);

  const png = await hrefOnClick(page, 'download-map-png');
  assert.equal(new URLSearchParams(png.split('?')[1]).get('dpi'), '300');
  res = await fetch(BASE + '/' + png);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');

  // Profile of Wake County as PDF.
  await page.goto(BASE + '/?layer=nc&indicator=sids_rate74&district=37183&lang=de');
  await page.waitForFunction(() => document.getElementById('profile-name').textContent === 'Wake');
  const profile = await hrefOnClick(page, 'profile-pdf');
  assert.match(profile, /^report\/nc\/37183\.pdf\?lang=de/);
  res = await fetch(BASE + '/' + profile);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  assert.deepEqual(errors, []);
  await page.close();
});
