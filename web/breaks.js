// The text field of "own breaks" (`method=manual`): the starting text from the current legend and
// reading what the planner typed.
//
// Owns only the input side. Whether breaks are valid (ascending, enough of them) is the server's
// call: the page sends what parses as numbers and shows the server's 400 message otherwise.
import { autoDecimals, isNumber } from './format.js';

/**
 * Decimals that tell the breaks apart: the indicator's own, raised until no two different breaks
 * print the same (0.8433 and 0.8471 would both read "0.8" with one decimal).
 */
function distinctDecimals(breaks, decimals) {
  const finite = breaks.filter(isNumber);
  const span = finite.length ? Math.max(...finite) - Math.min(...finite) : 0;
  let d = Number.isInteger(decimals) ? decimals : autoDecimals(span);
  for (; d < 8; d++) {
    let distinct = true;
    for (let i = 1; i < finite.length; i++) {
      if (finite[i] !== finite[i - 1] && finite[i].toFixed(d) === finite[i - 1].toFixed(d)) distinct = false;
    }
    if (distinct) break;
  }
  return d;
}

/**
 * The `breaks` parameter of `method=manual` is the list of class upper bounds `b1, …, bk`
 * (mapclassify's UserDefined; values above the last bound would form one more class). As a
 * starting point for editing, the legend's upper bounds (`breaks` of legend.json without its
 * minimum) are rounded for display, the last one upwards so that the largest value stays in the
 * last class.
 */
export function breaksText(breaks, decimals) {
  const d = distinctDecimals(breaks, decimals);
  const f = 10 ** d;
  const upper = breaks.slice(1).map((b, i, all) =>
    (i === all.length - 1 ? Math.ceil(b * f - 1e-9) / f : Number(b.toFixed(d))));
  return upper.map(String).join(', ');
}

/** Numbers separated by commas (or by semicolons, then with decimal commas), or null. */
export function parseBreaks(text) {
  const semi = text.includes(';');
  const parts = text.split(semi ? ';' : ',').map((p) => p.trim()).filter(Boolean);
  const nums = parts.map((p) => Number(semi ? p.replace(',', '.') : p));
  return nums.length >= 1 && nums.every(Number.isFinite) ? nums : null;
}
