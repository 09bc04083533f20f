// Shortcuts to the page's fixed elements (index.html) and the status line above the map.
//
// Owns the status line: one message at a time, hidden when empty.

/** The element with this id in index.html. */
export const $ = (id) => document.getElementById(id);

export function showStatus(message) {
  const el = $('status');
  el.textContent = message || '';
  el.hidden = !message;
}
