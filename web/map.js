// The Leaflet map: choropleth tiles, the optional basemap, the hatch over withheld districts, the
// outlines of the hovered and the selected district, and the two boxes on it (hover, legend).
//
// Owns every Leaflet object of the page and whether tiles are loading. Other modules ask for the
// map with `getMap()` and change what is drawn through the functions below; what to draw
// (legend, districts) comes from state.js and features.js.
import * as state from './state.js';
import { enc } from './api.js';
import { currentIndicator, currentLayer, layerBounds } from './catalog.js';
import { featuresOf, isSuppressed } from './features.js';
import { escapeHtml, localised } from './format.js';
import { t } from './i18n.js';
import { showStatus } from './dom.js';
import { STATIC, archiveLayer, archiveUrl } from './static-site.js';
import { PREVIEW, previewTileLayer } from './preview.js';

let map = null;
let tileLayer = null;
let basemapLayer = null;
let legendControl = null;
let suppressedLayer = null;
let tilesLoading = false;

export const getMap = () => map;

/** The choropleth tile layer (for the test hook). */
export const getTileLayer = () => tileLayer;

/** True while choropleth tiles are loading. */
export const tilesBusy = () => tilesLoading;

/** The legend's box on the map (filled by legend.js). */
export const legendBox = () => (legendControl ? legendControl.getContainer() : null);

/** A Leaflet control in a corner: an empty element with this tag, class and id. */
function boxControl(position, tag, className, id, onAdd) {
  const Box = L.Control.extend({
    options: { position },
    onAdd() {
      const el = L.DomUtil.create(tag, className);
      el.id = id;
      if (onAdd) onAdd(el);
      return el;
    },
  });
  return new Box().addTo(map);
}

/**
 * Creates the map in `#map` at the view of the URL (`initial` z, lat, lon) or fitting the layer.
 * `on` receives the map's events: `move()`, `hover(e)`, `leave()`, `select(latlng, fromKeyboard)`.
 */
export function createMap(initial, on) {
  map = L.map('map', {
    zoomControl: true,
    zoomSnap: 1,
    minZoom: 1,
    maxZoom: 19,
    worldCopyJump: false,
  });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  map.createPane('choropleth').style.zIndex = 250;
  map.createPane('suppressed').style.zIndex = 260;

  const basemap = state.atlas().basemap;
  if (basemap && basemap.url) {
    basemapLayer = L.tileLayer(basemap.url, {
      maxZoom: 19,
      attribution: escapeHtml(localised(basemap.attribution) || ''),
    }).addTo(map);
    document.body.classList.add('has-basemap');
  }

  boxControl('topright', 'div', 'hover-info', 'hover-info');
  legendControl = boxControl('bottomright', 'section', 'legend', 'legend', (el) => {
    L.DomEvent.disableClickPropagation(el);
    L.DomEvent.disableScrollPropagation(el);
  });
  on.leave();

  if (initial.z !== null && initial.lat !== null && initial.lon !== null) {
    map.setView([initial.lat, initial.lon], initial.z);
  } else {
    fitLayer();
  }
  map.on('moveend', on.move);
  map.on('mousemove', on.hover);
  map.on('mouseout', on.leave);
  map.on('click', (e) => on.select(e.latlng, false));
  L.DomEvent.on(map.getContainer(), 'keydown', (e) => {
    if (e.key === 'Enter' && e.target === map.getContainer()) on.select(map.getCenter(), true);
  });
}

export function fitLayer() {
  const b = layerBounds(currentLayer());
  if (b) map.fitBounds(b, { padding: [10, 10] });
  else map.setView([0, 0], 2);
}

/** After a column beside the map opens or closes: same centre and zoom, so the URL stays the same. */
export function resizeKeepingCentre() {
  const centre = map.getCenter();
  map.invalidateSize({ pan: false });
  map.setView(centre, map.getZoom(), { animate: false });
}

/**
 * Brings a district's bounding box `[w, s, e, n]` into view. `right` is the width in pixels of a
 * panel lying over the map's right edge (the profile on mid-sized screens), which the box must
 * not end up under, nor under the legend when it takes less than half the map's height. With `force` the map always fits the box (search, table: "show me this
 * one"), zooming in up to level 12 at most, so a small district is not blown up to street level;
 * without it the map only moves when part of the box is hidden (a click on a district already
 * on screen leaves the view alone, only a cut-off one is panned or zoomed out).
 */
export function showBox(bbox, force, right) {
  const bounds = L.latLngBounds([bbox[1], bbox[0]], [bbox[3], bbox[2]]);
  const size = map.getSize();
  const pad = Math.min(40, Math.round(size.x / 12));
  const overlay = right && right < size.x - 120 ? right : 0;
  // The open legend lies over the bottom right: the district goes above it (when room is left).
  const legend = legendControl ? legendControl.getContainer().getBoundingClientRect().height : 0;
  const below = legend && legend < size.y / 2 ? legend + 10 : 0;
  if (!force) {
    const visible = L.latLngBounds(map.containerPointToLatLng([0, size.y - below]),
      map.containerPointToLatLng([size.x - overlay, 0]));
    if (visible.contains(bounds)) return;
  }
  map.fitBounds(bounds, {
    paddingTopLeft: [pad, pad],
    paddingBottomRight: [pad + overlay, pad + below],
    maxZoom: force ? Math.max(map.getZoom(), 12) : map.getZoom(),
    animate: false,
  });
}

/**
 * Points the tiles at the current legend's style. legend.json names the canonical style it was
 * classified with (`style`: method, classes, palette, ...), and the tiles ask for exactly that, so
 * tiles and legend cannot disagree, and the default style and the same style spelled out share one
 * cache entry on the server. `{r}` becomes `@2x` on high-density screens.
 */
export function updateTiles() {
  const lg = state.legend();
  // The query of the legend's own tile URL: the style and the data version (`v`), under which
  // the server lets browsers keep tiles for a year; a publish changes `v`, so new tiles at once.
  const query = lg && lg.tiles && lg.tiles.includes('?') ? lg.tiles.slice(lg.tiles.indexOf('?') + 1) : lg && lg.style;
  const url = STATIC ? archiveUrl(state.layerId(), state.indicatorId(), state.style().period, currentIndicator()?.periods || [])
    : 'tiles/' + enc(state.layerId()) + '/' + enc(state.indicatorId()) + '/{z}/{x}/{y}{r}.png' +
      (query ? '?' + query : '');
  if (STATIC && tileLayer && tileLayer.quartierUrl === url) return;
  if (!STATIC && tileLayer && tileLayer.quartierLayer === state.layerId()) {
    if (tileLayer._url !== url) tileLayer.setUrl(url);
    return;
  }
  if (tileLayer) map.removeLayer(tileLayer);
  const layer = currentLayer();
  const bounds = layerBounds(layer);
  const options = {
    pane: 'choropleth',
    bounds: bounds ? bounds.pad(0.05) : undefined,
    maxZoom: 19,
    opacity: basemapLayer ? 0.8 : 1,
    className: 'choropleth-tiles',
    attribution: layer && layer.attribution ? escapeHtml(localised(layer.attribution)) : '',
  };
  // A static site's archives stop at the zoom it was exported with (`staticMaxZoom` in its atlas).
  tileLayer = STATIC ? archiveLayer(url, state.atlas().static_max_zoom || 12, options)
    : PREVIEW ? previewTileLayer(url, options) : L.tileLayer(url, options);
  tileLayer.quartierLayer = state.layerId();
  tileLayer.quartierUrl = url;
  tileLayer.on('loading', () => { tilesLoading = true; });
  tileLayer.on('load', () => { tilesLoading = false; });
  tileLayer.on('tileerror', () => showStatus(t('error.tiles')));
  tileLayer.addTo(map);
}

/**
 * A hatch over the districts whose value of the mapped indicator is withheld (the tiles fill them
 * with `suppressed_color`), from features.geojson once it is loaded (small layers, features.js). Non-interactive, so hover and
 * click go to the map underneath. The pattern `#quartier-hatch` is defined in index.html.
 */
export function updateSuppressedOverlay() {
  if (suppressedLayer) {
    map.removeLayer(suppressedLayer);
    suppressedLayer = null;
  }
  const index = featuresOf(state.layerId());
  if (!map || !index) return;
  const features = index.items.filter((it) => isSuppressed(it, state.indicatorId())).map((it) => it.feature).filter(Boolean);
  if (!features.length) return;
  suppressedLayer = L.geoJSON(features, {
    pane: 'suppressed',
    interactive: false,
    style: { stroke: false, fill: true, fillColor: 'url(#quartier-hatch)', fillOpacity: 1 },
  }).addTo(map);
}

/** The outline of a district: dark, and with a white halo when it is the selected one. */
function outline(item, selected) {
  if (!item || !item.feature) return null;
  const weight = selected ? 3 : 2;
  const group = L.layerGroup();
  const opts = { interactive: false, fill: false };
  if (selected) group.addLayer(L.geoJSON(item.feature, { style: { ...opts, color: '#ffffff', weight: weight + 3, opacity: 0.9 } }));
  group.addLayer(L.geoJSON(item.feature, { style: { ...opts, color: '#111111', weight } }));
  return group.addTo(map);
}

/** The outlined districts: `hover` (under the mouse) and `selected` (whose profile is open). */
const outlines = { hover: null, selected: null };

/** Outlines a district (a feature index item) as `kind`, replacing the last one; null clears it. */
export function setOutline(kind, item) {
  if (outlines[kind]) map.removeLayer(outlines[kind]);
  outlines[kind] = item ? outline(item, kind === 'selected') : null;
}

export const hasOutline = (kind) => !!outlines[kind];
