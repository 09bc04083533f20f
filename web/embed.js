// The Embed dialog: a ready `<iframe>` snippet of the current view (`?embed=1`, width and height
// adjustable) and copying it.
//
// Owns the dialog `#embed-dialog` of index.html.
import { query } from './api.js';
import { currentIndicator, currentLayer, titleOf } from './catalog.js';
import { escapeHtml } from './format.js';
import { t } from './i18n.js';
import { $ } from './dom.js';
import { viewParams } from './url-state.js';

function embedSnippet() {
  const w = Math.max(200, Math.min(4000, Number($('embed-width').value) || 800));
  const h = Math.max(200, Math.min(4000, Number($('embed-height').value) || 500));
  const src = location.origin + location.pathname + query(viewParams({ embed: true, lang: true }));
  const title = titleOf(currentIndicator()) + ' – ' + titleOf(currentLayer());
  return '<iframe src="' + escapeHtml(src) + '" title="' + escapeHtml(title) + '" width="' + w + '" height="' + h +
    '" style="border:0" loading="lazy"></iframe>';
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
  for (const id of ['embed-width', 'embed-height']) {
    $(id).addEventListener('input', () => { $('embed-code').value = embedSnippet(); });
  }
}
