// The Embed dialog: a ready `<iframe>` snippet of the current view (`?embed=1`, full width, shape
// adjustable) and copying it.
//
// Owns the dialog `#embed-dialog` of index.html.
import * as state from './state.js';
import { query } from './api.js';
import { featuresOf } from './features.js';
import { currentIndicator, currentLayer, titleOf } from './catalog.js';
import { escapeHtml } from './format.js';
import { t } from './i18n.js';
import { $ } from './dom.js';
import { viewParams } from './url-state.js';

/**
 * The snippet: as wide as the column it is pasted into (`width:100%`) with the chosen shape
 * (`aspect-ratio`), so it never overflows a phone; the view, the open district and the language
 * travel in the URL, and the title (read by screen readers for the frame) names indicator, layer
 * and district.
 */
function embedSnippet() {
  const ratio = /^\d+\/\d+$/.test($('embed-ratio').value) ? $('embed-ratio').value : '16/10';
  const src = location.origin + location.pathname + query(viewParams({ embed: true, lang: true }));
  const index = featuresOf(state.layerId());
  const district = state.districtId() && index && index.byId.get(state.districtId());
  const title = titleOf(currentIndicator()) + ' – ' + titleOf(currentLayer()) + (district ? ' – ' + district.name : '');
  return '<iframe src="' + escapeHtml(src) + '" title="' + escapeHtml(title) +
    '" style="width:100%;aspect-ratio:' + ratio.replace('/', ' / ') + ';border:0" loading="lazy"></iframe>';
}

function openEmbedDialog() {
  $('embed-code').value = embedSnippet();
  $('embed-copied').textContent = '';
  $('embed-dialog').showModal();
  $('embed-code').focus();
  $('embed-code').select();
}

async function copyEmbed() {
  const text = $('embed-code').value;
  let ok = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      ok = true;
    }
  } catch (_) {
    ok = false;
  }
  if (!ok) {
    $('embed-code').select();
    ok = document.execCommand && document.execCommand('copy');
  }
  $('embed-copied').textContent = ok ? t('embed.copied') : '';
}

/** Wires the Embed button and the dialog's controls. */
export function bindEmbed() {
  $('btn-embed').addEventListener('click', openEmbedDialog);
  $('embed-copy').addEventListener('click', copyEmbed);
  $('embed-ratio').addEventListener('change', () => { $('embed-code').value = embedSnippet(); });
}
