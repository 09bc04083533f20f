// Screenshots of a running page for looking at it as users will (not part of the test run):
//   node tests/browser/screenshot.mjs '?layer=kreise' '1280x900:de-DE,390x844:en-US' name
// against a server on 127.0.0.1:18731; PNGs go to /tmp/pg/NAME-WIDTH-LOCALE.png
// (PRINT=1 emulates print media, FULL=1 takes the full page).
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
const [search, sizes, name] = [process.argv[2] || '', process.argv[3] || '1280x900:de-DE,390x844:en-US', process.argv[4] || 's'];
mkdirSync('/tmp/pg', { recursive: true });
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu'] });
for (const spec of sizes.split(',')) {
  const [wh, loc] = spec.split(':'); const [w, h] = wh.split('x').map(Number);
  const ctx = await b.newContext({ viewport: { width: w, height: h }, locale: loc });
  const p = await ctx.newPage();
  p.on('console', m => { if (m.type()==='error') console.log('console', m.text()); });
  p.on('pageerror', e => console.log('pageerror', e.message));
  await p.goto('http://127.0.0.1:18731/' + search);
  await p.waitForFunction(() => window.quartier && window.quartier.idle(), null, {timeout: 60000});
  await p.waitForTimeout(700);
  console.log(spec, JSON.stringify(await p.evaluate(() => window.quartier.labels())));
  const t = await p.evaluate(() => { const t = document.querySelector('.profile-table'); const pb = document.getElementById('profile'); return t ? [t.scrollWidth, t.getBoundingClientRect().width, pb.getBoundingClientRect().width] : null; });
  console.log('profile table', t);
  if (process.env.PRINT === '1') await p.emulateMedia({ media: 'print' });
  await p.screenshot({ path: `/tmp/pg/${name}-${w}-${loc}.png`, fullPage: process.env.FULL === '1' });
  await ctx.close();
}
await b.close();
