//! The PNG tile route `/tiles/{layer}/{indicator}/{z}/{x}/{y}.png` (and `@2x`): parsing, 304s,
//! and the answer; the fast lane in front of the router shares all of it. The same path ending
//! in `.mvt` is a vector tile, answered by `vector`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::response::Response;
use bytes::Bytes;
use quartier_atlas::{CacheUse, Style};
use quartier_render::TileCoord;

use super::respond::{etag_header, if_none_match, not_modified};
use crate::error::{AppError, AppResult, JsonPath, JsonQuery};
use crate::state::AppState;

/// `Cache-Control` of tiles: they change only when the data does, and their ETag says when.
pub const TILE_CACHE_CONTROL: &str = "public, max-age=3600";

/// Request header that makes the server render a tile even when it is cached, and not keep it
/// (for benchmarks of the renderer over HTTP).
pub const NO_CACHE_HEADER: &str = "x-quartier-no-cache";

/// Response header saying how a tile was answered: `hit`, `miss`, `bypass` or `empty`.
pub const CACHE_STATUS_HEADER: &str = "x-quartier-cache";

// ---------------------------------------------------------------------------------------------
// GET /tiles/{layer}/{indicator}/{z}/{x}/{y}.png and {y}@2x.png

/// `"5.png"` -> `(5, 1)`, `"5@2x.png"` -> `(5, 2)`.
pub(super) fn parse_tile_name(name: &str) -> AppResult<(&str, u8)> {
    let bad = || {
        AppError::bad_request(format!(
            "tile file {name:?} is not {{y}}.png or {{y}}@2x.png (PNG tiles) or {{y}}.mvt (a vector tile), e.g. 26.png, 26@2x.png or 26.mvt"
        ))
    };
    let stem = name.strip_suffix(".png").ok_or_else(bad)?;
    match stem.split_once('@') {
        None => Ok((stem, 1)),
        Some((y, "2x")) => Ok((y, 2)),
        Some((y, "1x")) => Ok((y, 1)),
        Some(_) => Err(bad()),
    }
}

/// Check `z/x/y` and say exactly what is allowed when it is wrong.
pub(super) fn parse_tile(z: &str, x: &str, y: &str) -> AppResult<TileCoord> {
    let max = TileCoord::MAX_ZOOM;
    let z: u8 = z.parse().map_err(|_| {
        AppError::bad_request(format!("zoom {z:?} is not a whole number from 0 to {max}"))
    })?;
    if z > max {
        return Err(AppError::bad_request(format!(
            "zoom {z} is above the maximum zoom {max}"
        )));
    }
    let last = TileCoord::tiles_per_side(z) - 1;
    let coordinate = |name: &str, v: &str| -> AppResult<u32> {
        v.parse::<u32>().ok().filter(|v| *v <= last).ok_or_else(|| {
            AppError::bad_request(format!(
                "{name} = {v:?} does not exist at zoom {z}: x and y go from 0 to {last}"
            ))
        })
    };
    let (x, y) = (coordinate("x", x)?, coordinate("y", y)?);
    TileCoord::new_checked(z, x, y)
        .ok_or_else(|| AppError::bad_request(format!("tile {z}/{x}/{y} does not exist")))
}

/// One PNG tile: 304 on a matching ETag, else through the atlas's tile pipeline (empty, cached,
/// one colour, or rendered on the render threads).
pub(super) async fn tile(
    State(state): State<Arc<AppState>>,
    JsonPath((layer_id, indicator_id, z, x, name)): JsonPath<(
        String,
        String,
        String,
        String,
        String,
    )>,
    JsonQuery(style): JsonQuery<Style>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (li, layer) = state.layer(&layer_id)?;
    let (ii, _) = layer.indicator(&indicator_id)?;
    if let Some(y) = name.strip_suffix(".mvt") {
        let coord = parse_tile(&z, &x, y)?;
        let classified = state.classified(li, ii, &style)?;
        return super::vector::vector_tile(&state, classified, coord, &headers).await;
    }
    let (y, scale) = parse_tile_name(&name)?;
    let coord = parse_tile(&z, &x, y)?;
    let classified = state.classified(li, ii, &style)?;
    let etag = etag_header(&state.atlas.tile_etag(&classified, coord, scale));
    if if_none_match(&headers, &etag) {
        return Ok(not_modified(etag, TILE_CACHE_CONTROL));
    }
    let cache = if headers
        .get(NO_CACHE_HEADER)
        .is_some_and(|v| v.as_bytes() == b"1")
    {
        CacheUse::Bypass
    } else {
        CacheUse::Use
    };
    let t = state.tile(&classified, coord, scale, cache).await?;
    Ok(tile_response(
        t.png,
        etag,
        HeaderValue::from_static(t.answered.as_str()),
    ))
}

/// The tile answer, with the headers of every tile (the fast lane's too).
pub(super) fn tile_response(png: Bytes, etag: HeaderValue, status: HeaderValue) -> Response {
    let mut response = Response::new(Body::from(png));
    let headers = response.headers_mut();
    headers.reserve(8);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(TILE_CACHE_CONTROL),
    );
    headers.insert(header::ETAG, etag);
    headers.insert(HeaderName::from_static(CACHE_STATUS_HEADER), status);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_names() {
        assert_eq!(parse_tile_name("26.png").unwrap(), ("26", 1));
        assert_eq!(parse_tile_name("26@2x.png").unwrap(), ("26", 2));
        assert!(parse_tile_name("26.jpg")
            .unwrap_err()
            .to_string()
            .contains("{y}.png or {y}@2x.png"));
        assert!(parse_tile_name("26@3x.png").is_err());
    }

    #[test]
    fn tile_ranges() {
        let t = parse_tile("3", "7", "0").unwrap();
        assert_eq!((t.z, t.x, t.y), (3, 7, 0));
        let e = parse_tile("3", "8", "0").unwrap_err().to_string();
        assert!(e.contains("x and y go from 0 to 7"), "{e}");
        let e = parse_tile("3", "0", "-1").unwrap_err().to_string();
        assert!(e.contains("y = \"-1\""), "{e}");
        let e = parse_tile("23", "0", "0").unwrap_err().to_string();
        assert!(e.contains("maximum zoom 22"), "{e}");
        let e = parse_tile("z", "0", "0").unwrap_err().to_string();
        assert!(e.contains("0 to 22"), "{e}");
    }
}
