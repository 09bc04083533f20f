// The map page as the preview of a staged version (admin.html's "Preview": `?version=ID`): every
// request carries the version and the officer's admin token, so the page shows the staged data
// exactly as it would look once published, while every other visitor keeps seeing the live atlas.
//
// Owns the preview's request decoration (the `version` parameter and the `Authorization` header),
// the tile layer that can send that header (an <img> cannot: tiles are fetched and shown as blob
// URLs), and the banner saying what is shown. Without a token in this tab (sessionStorage, set by
// admin.html) the page is the live atlas, whatever the address says.
/** Where admin.html keeps the token while the tab is open (sessionStorage). */
export const TOKEN_KEY = 'quartier.admin.token';
const asked = new URLSearchParams(location.search).get('version');
// Storage may be refused (an embed in another site's page with third-party storage blocked): then
// there is no preview, and the page must still load.
const token = (() => {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch (_) {
    return null;
  }
})();

/** The staged version shown, or null for the live atlas. */
export const PREVIEW = asked && token ? asked : null;

/** `url` with the preview's `version` parameter. */
export function previewUrl(url) {
  if (!PREVIEW) return url;
  return url + (url.includes('?') ? '&' : '?') + 'version=' + encodeURIComponent(PREVIEW);
}

/** The headers a preview request needs (none for the live atlas). */
export const previewHeaders = () => (PREVIEW ? { Authorization: 'Bearer ' + token } : {});

/**
 * A Leaflet tile layer fetching its tiles with the preview's header. `url` and `options` are
 * those of L.tileLayer; setUrl works as there.
 */
export function previewTileLayer(url, options) {
  const Layer = L.TileLayer.extend({
    createTile(coords, done) {
      const img = document.createElement('img');
      img.alt = '';
      fetch(previewUrl(this.getTileUrl(coords)), { headers: previewHeaders() })
        .then((res) => (res.ok ? res.blob() : Promise.reject(new Error('HTTP ' + res.status))))
        .then((blob) => {
          img.onload = () => {
            URL.revokeObjectURL(img.src);
            done(null, img);
          };
          img.src = URL.createObjectURL(blob);
        })
        .catch((err) => done(err, img));
      return img;
    },
  });
  return new Layer(url, options);
}

/** Shows the banner naming the version, with the way back to the admin page. */
export function showPreviewBanner(text, back) {
  const banner = document.getElementById('preview-banner');
  if (!banner || !PREVIEW) return;
  banner.hidden = false;
  banner.querySelector('.preview-text').textContent = text;
  const link = banner.querySelector('a');
  link.textContent = back;
  link.href = 'admin.html';
}
