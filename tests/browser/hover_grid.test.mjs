// Hover without geometry (issue 13) on the 3,233 US counties: the page names the county under the
// mouse from the hover grids and values.json, and never asks for features.geojson. Needs a
// `quartier serve` of the counties (run.sh starts one and sets QUARTIER_US_URL).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, launch } from './helpers.mjs';
import { timeToHover } from './hover-timing.mjs';

const US = (process.env.QUARTIER_US_URL || 'http://127.0.0.1:8081').replace(/\/$/, '');
const LAYER = 'cb_2016_us_county_500k';

after(closeAll);

test('hover names a US county without downloading features.geojson', async () => {
  // Raleigh, inside Wake County, at zoom 9; the expected name comes from the server's point
  // lookup (`/at`, point in polygon on the county geometry), not from the page.
  const [lat, lon] = [35.79, -78.65];
  const expected = await (await fetch(`${US}/api/layers/${LAYER}/at?lon=${lon}&lat=${lat}`)).json();
  assert.equal(expected.name, 'Wake');
  const ctx = await launch('en-GB');
  const { page, ms, name, bytes, requested } = await timeToHover(
    ctx, `${US}/?layer=${LAYER}&indicator=ALAND&z=9&lat=${lat}&lon=${lon}`);
  assert.equal(name, expected.name, `hover after ${ms} ms`);
  assert.ok(requested.some((u) => u.includes(`/api/layers/${LAYER}/values.json`)), 'values.json asked for');
  assert.ok(requested.some((u) => u.includes('.grid.json')), 'a hover grid asked for');
  assert.deepEqual(requested.filter((u) => u.includes('features.geojson')), [], 'no features.geojson');
  // Far below the 7.9 MB (gzipped) of features.geojson the page used to need first.
  assert.ok(bytes < 2_000_000, `${bytes} bytes before the first hover name`);
  await page.close();
});
