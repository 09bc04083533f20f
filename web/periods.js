// The period shown and the comparison: a slider over the years of the indicator (for indicators
// with periods in /api/layers) and a "change since" choice that turns the map into a change map.
//
// Owns the controls of #period-controls. Both values live in the style (state.style().period and
// .compare), so legend, tiles, the address bar and values.json (table, hover box, search,
// downloads) all follow them through the paths every other style choice takes; main.js is told
// of a change. A static site (`quartier export`) holds every year but no change maps: the slider
// shows and the comparison is hidden; exported with `--periods latest` it holds the latest year only
// and the controls stay hidden.
import * as state from './state.js';
import { currentIndicator } from './catalog.js';
import { t } from './i18n.js';
import { $ } from './dom.js';
import { STATIC } from './static-site.js';

let onChange = () => {};
let timer = null;
/** The play button's interval while the years play, else null. */
let playing = null;
const PLAY_STEP_MS = 1500;

/** The indicator's periods as strings, oldest first. */
const periodsOf = (ind) => (ind && Array.isArray(ind.periods) ? ind.periods.map(String) : []);

/**
 * The period and comparison of `style` that the current indicator has (after a change of
 * indicator the year stays where it can), as style entries (`null` drops one).
 */
export function carriedPeriods(style) {
  const periods = periodsOf(currentIndicator());
  const keep = (p) => (p != null && periods.includes(String(p)) ? String(p) : null);
  const period = keep(style.period);
  const compare = STATIC ? null : keep(style.compare);
  return { period, compare: compare !== period ? compare : null };
}

/** Shows the controls for the current indicator, set to the style's period and comparison. */
export function renderPeriods() {
  const box = $('period-controls');
  if (!box) return;
  const periods = periodsOf(currentIndicator());
  box.hidden = (STATIC && !state.atlas().static_periods) || periods.length < 2;
  $('compare-field').hidden = STATIC;
  if (box.hidden) return stopPlaying();
  const s = state.style();
  const latest = periods[periods.length - 1];
  const current = periods.includes(String(s.period)) ? String(s.period) : latest;
  const slider = $('period-slider');
  slider.min = '0';
  slider.max = String(periods.length - 1);
  slider.value = String(periods.indexOf(current));
  slider.setAttribute('aria-valuetext', current);
  $('period-value').textContent = current;
  $('period-first').textContent = periods[0];
  $('period-last').textContent = latest;
  const sel = $('compare-select');
  sel.innerHTML = '';
  sel.append(new Option(t('period.none'), ''));
  for (const p of periods) if (p !== current) sel.append(new Option(p, p));
  sel.value = s.compare && String(s.compare) !== current ? String(s.compare) : '';
}

function apply(patch) {
  state.setStyle({ ...state.style(), ...patch });
  renderPeriods();
  onChange();
}

/** Stops playing (the button shows ▶ again). */
export function stopPlaying() {
  if (playing) clearInterval(playing);
  playing = null;
  const b = $('period-play');
  if (!b) return;
  b.textContent = '▶';
  b.setAttribute('aria-pressed', 'false');
  b.setAttribute('aria-label', t('period.play'));
}

/** One year on: from the first year when at the last, and stop after the last. */
function step() {
  const periods = periodsOf(currentIndicator());
  const s = state.style();
  const at = periods.indexOf(periods.includes(String(s.period)) ? String(s.period) : periods[periods.length - 1]);
  const next = at >= periods.length - 1 ? 0 : at + 1;
  const p = periods[next];
  if (p == null) return stopPlaying();
  apply({ period: next === periods.length - 1 ? null : p, compare: String(s.compare) === p ? null : s.compare });
  if (next === periods.length - 1) stopPlaying();
}

function togglePlay() {
  if (playing) return stopPlaying();
  const b = $('period-play');
  b.textContent = '⏸';
  b.setAttribute('aria-pressed', 'true');
  b.setAttribute('aria-label', t('period.pause'));
  step();
  if (playing === null && b.getAttribute('aria-pressed') === 'true') playing = setInterval(step, PLAY_STEP_MS);
}

/** Wires the slider (applied 150 ms after the last move), play/pause and the comparison; `fn` on a change. */
export function bindPeriods(fn) {
  onChange = fn;
  const slider = $('period-slider');
  if (!slider) return;
  $('period-play').addEventListener('click', togglePlay);
  slider.addEventListener('input', () => {
    stopPlaying();
    const periods = periodsOf(currentIndicator());
    const p = periods[Number(slider.value)];
    if (p == null) return;
    $('period-value').textContent = p;
    slider.setAttribute('aria-valuetext', p);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const s = state.style();
      // The latest period is the default: the address bar stays short.
      apply({ period: p === periods[periods.length - 1] ? null : p, compare: String(s.compare) === p ? null : s.compare });
    }, 150);
  });
  $('compare-select').addEventListener('change', (e) => apply({ compare: e.target.value || null }));
}
