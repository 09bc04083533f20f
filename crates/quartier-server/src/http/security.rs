//! Headers that keep browsers safe with the page and the API, dotfiles kept private, and every
//! error answer logged (4xx at debug, 5xx at error).
//!
//! The Content-Security-Policy is the strictest the map page runs under: scripts only from this
//! server (no inline script, no `eval`), data fetched only from this server, images from this
//! server and the atlas's basemap host. Inline *styles* are allowed because the page positions
//! labels and colours legend swatches with `style` attributes; they cannot run code.
//! `frame-ancestors` says which sites may embed the page in a frame: any (`*`) by default,
//! because the page's Embed dialog hands out `<iframe>` snippets for other sites and the page
//! changes nothing (no cookies, no actions to trick a visitor into); `--frame-ancestors` narrows
//! it (`'self'`, or a list of sites).

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// The headers [`finish`] adds to every answer (tests compare answers without them).
#[cfg(test)]
pub(crate) const ADDED_HEADERS: [&str; 4] = [
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
];

/// `frame-ancestors` when none is configured: any site may embed the page.
pub const DEFAULT_FRAME_ANCESTORS: &str = "*";

/// The security headers of one atlas, computed once when its router is built.
#[derive(Debug, Clone)]
pub(crate) struct SecurityHeaders {
    csp: HeaderValue,
    frame_options: Option<HeaderValue>,
}

impl SecurityHeaders {
    /// The headers for an atlas whose page loads basemap tiles from `basemap_url` (an XYZ
    /// template), embeddable by `frame_ancestors` (CSP source list; `None` is
    /// [`DEFAULT_FRAME_ANCESTORS`]).
    pub(crate) fn new(basemap_url: Option<&str>, frame_ancestors: Option<&str>) -> Self {
        let checked = frame_ancestors.and_then(|a| parse_frame_ancestors(a).ok());
        let ancestors = checked.as_deref().unwrap_or(DEFAULT_FRAME_ANCESTORS);
        let mut img = String::from("'self' data: blob:");
        if let Some(source) = basemap_url.and_then(basemap_source) {
            img.push(' ');
            img.push_str(&source);
        }
        let mut csp = format!(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src {img}; connect-src 'self' blob:; font-src 'self'; object-src 'none'; \
             base-uri 'none'; form-action 'self'"
        );
        // `frame-ancestors *` would still refuse pages that are not http(s) (a local file, a
        // page written by script): "any site" is said by leaving the directive out.
        if ancestors != "*" {
            csp.push_str("; frame-ancestors ");
            csp.push_str(ancestors);
        }
        // X-Frame-Options for browsers without CSP level 2; it can only say "nobody" or "same
        // origin", so it is left out when other sites may embed the page.
        let frame_options = match ancestors {
            "'none'" => Some(HeaderValue::from_static("DENY")),
            "'self'" => Some(HeaderValue::from_static("SAMEORIGIN")),
            _ => None,
        };
        SecurityHeaders {
            // Built from checked ASCII only; a failure would be a bug, answered by the fallback.
            csp: HeaderValue::from_str(&csp)
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'")),
            frame_options,
        }
    }

    fn apply(&self, response: &mut Response) {
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_SECURITY_POLICY, self.csp.clone());
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        // Cross-origin requests (the basemap's tile server) learn the origin, not the page URL
        // with the district a visitor looked at.
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        );
        if let Some(v) = &self.frame_options {
            headers.insert(header::X_FRAME_OPTIONS, v.clone());
        }
    }
}

/// The CSP source of a basemap template: `https://tile.openstreetmap.org`, with a `{s}`
/// subdomain placeholder as `https://*.tile.example`. `None` for anything else (the basemap
/// is then blocked, which the page shows as a missing background, never a broken map).
fn basemap_source(template: &str) -> Option<String> {
    let (scheme, rest) = template.split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    let host = match host.split_once('}') {
        Some((placeholder, tail)) if placeholder.starts_with('{') && tail.starts_with('.') => {
            format!("*{tail}")
        }
        _ => host.to_string(),
    };
    let ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'*'));
    ok.then(|| format!("{scheme}://{host}"))
}

/// `Cache-Control` of a tile whose URL names the live data version (`?v=VERSION`): the URL
/// changes with the data, so the tile never does.
pub const VERSIONED_TILE_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// Append the data version to a tile URL template (`…png?style` becomes `…png?style&v=VERSION`).
pub(crate) fn add_version(url: &mut String, version: &str) {
    url.push(if url.contains('?') { '&' } else { '?' });
    url.push_str("v=");
    url.push_str(version);
}

/// True when `query` carries `v=` equal to `version`.
fn names_version(query: Option<&str>, version: &str) -> bool {
    query.is_some_and(|q| q.split('&').any(|p| p.strip_prefix("v=") == Some(version)))
}

/// The live data version of each layer, by id: a tile URL is versioned when its `v=` names its
/// own layer's version (`/tiles/{layer}/…`).
pub(crate) type LayerVersions = std::collections::HashMap<String, String>;

/// True when `path` is a PNG tile of a layer whose live version `query` names.
pub(crate) fn is_versioned_tile(path: &str, query: Option<&str>, versions: &LayerVersions) -> bool {
    path.ends_with(".png")
        && path
            .strip_prefix("/tiles/")
            .and_then(|rest| rest.split('/').next())
            .and_then(|layer| versions.get(layer))
            .is_some_and(|version| names_version(query, version))
}

/// What the envelope (`http::envelope`) does to every answer: the security headers, `Vary:
/// host` where the answer names the server's address, and a year of caching for a tile whose
/// URL names the live data version of its layer (`versioned`; any other `v`, an old one, keeps
/// the tiles' usual hour).
pub(crate) fn finish(
    headers: &SecurityHeaders,
    response: &mut Response,
    versioned: bool,
    varies_with_host: bool,
) {
    headers.apply(response);
    if varies_with_host {
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static("host"));
    }
    let status = response.status();
    if versioned && (status == StatusCode::OK || status == StatusCode::NOT_MODIFIED) {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(VERSIONED_TILE_CACHE_CONTROL),
        );
    }
}

/// The answer's status in the log: server errors at error, client errors at debug.
pub(crate) fn log_status(method: &Method, path: &str, status: StatusCode) {
    if status.is_server_error() {
        tracing::error!(%method, path, status = status.as_u16(), "server error answered");
    } else if status.is_client_error() {
        tracing::debug!(%method, path, status = status.as_u16(), "client error answered");
    }
}

/// True when a path segment names a dotfile or dot-folder (`.git`, `.env`, `.%2e`), also
/// percent-encoded: such files in the page folder are never served.
pub(crate) fn names_a_dotfile(path: &str) -> bool {
    path.split('/').any(|segment| {
        segment.starts_with('.')
            || segment
                .get(..3)
                .is_some_and(|p| p.eq_ignore_ascii_case("%2e"))
    })
}

/// Middleware in front of the page folder: a dotfile is a 404 like any missing file.
pub(crate) async fn refuse_dotfiles(request: Request, next: Next) -> Response {
    if names_a_dotfile(request.uri().path()) {
        return AppError::not_found(format!(
            "no route {}: files whose name starts with a dot are never served",
            request.uri().path()
        ))
        .into_response();
    }
    next.run(request).await
}

/// The base of absolute URLs in answers: the configured public URL without its
/// trailing slash, or empty (root-relative URLs). Never the request's `Host`, which a client
/// controls and a shared cache would keep.
pub(crate) fn base_url(public_url: Option<&str>) -> &str {
    public_url.map_or("", |u| u.trim_end_matches('/'))
}

/// The base of the absolute URLs GIS clients need (OGC API links, the WMTS `ResourceURL`
/// template, the vector TileJSON and MapLibre style: QGIS, GDAL, OWSLib and MapLibre accept no
/// relative URL there): the configured public URL, or,
/// only when none is configured, `http(s)://` and the request's `Host`. Those answers carry
/// `Vary: Host` (see [`finish`]), so a shared cache never gives one client's host to another;
/// SECURITY.md tells operators behind a proxy to set `--public-url`.
pub(crate) fn client_base(public_url: Option<&str>, headers: &HeaderMap) -> String {
    if let Some(url) = public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        });
    let proto = match headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
    {
        Some("https") => "https",
        _ => "http",
    };
    host.map(|h| format!("{proto}://{h}")).unwrap_or_default()
}

/// True for the answers whose URLs [`client_base`] may take from `Host`.
pub(crate) fn varies_with_host(path: &str) -> bool {
    path == "/ogc"
        || path.starts_with("/ogc/")
        || path.starts_with("/wmts/")
        || path.starts_with("/styles/")
        || path.ends_with("/vector.json")
}

/// Check a `--frame-ancestors` value: CSP sources separated by spaces (`'self'`, `'none'`, `*`,
/// `https://news.example`), nothing that could end the directive.
pub fn parse_frame_ancestors(value: &str) -> Result<String, String> {
    let value = value.trim();
    let ok = !value.is_empty()
        && value
            .bytes()
            .all(|b| (b.is_ascii_graphic() || b == b' ') && b != b';' && b != b',');
    if ok {
        Ok(value.to_string())
    } else {
        Err(format!(
            "{value:?} is not a list of CSP sources: give sites separated by spaces, \
             e.g. \"'self' https://news.example\", or * for any site"
        ))
    }
}

/// Check a `--public-url` value: `http(s)://host[:port][/prefix]`, as clients reach the server.
pub fn parse_public_url(value: &str) -> Result<String, String> {
    let ok = (value.starts_with("https://") || value.starts_with("http://"))
        && value.len() > "https://".len()
        && !value.contains(['?', '#', ' ', '"', '<', '>', '\\'])
        && value.is_ascii();
    if ok {
        Ok(value.trim_end_matches('/').to_string())
    } else {
        Err(format!(
            "{value:?} is not a public URL: give the address clients use, \
             e.g. https://maps.example.org or https://example.org/atlas"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basemap_sources() {
        assert_eq!(
            basemap_source("https://tile.openstreetmap.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://tile.openstreetmap.org")
        );
        assert_eq!(
            basemap_source("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png")
                .as_deref(),
            Some("https://*.basemaps.cartocdn.com")
        );
        assert_eq!(
            basemap_source("http://localhost:8081/{z}/{x}/{y}.png").as_deref(),
            Some("http://localhost:8081")
        );
        assert_eq!(basemap_source("javascript:alert(1)"), None);
        assert_eq!(basemap_source("https://a.example;script-src */x"), None);
    }

    #[test]
    fn versions_in_urls() {
        let mut url = "/tiles/nc/x/{z}/{x}/{y}.png?method=quantile".to_string();
        add_version(&mut url, "00ff");
        assert!(url.ends_with("?method=quantile&v=00ff"));
        assert!(names_version(Some("method=quantile&v=00ff"), "00ff"));
        assert!(!names_version(Some("v=00fe"), "00ff"));
        assert!(!names_version(Some("xv=00ff"), "00ff"));
        assert!(!names_version(None, "00ff"));
        let versions: LayerVersions = [("nc".to_string(), "00ff".to_string())].into();
        assert!(is_versioned_tile(
            "/tiles/nc/sids/7/35/50.png",
            Some("v=00ff"),
            &versions
        ));
        assert!(is_versioned_tile(
            "/tiles/nc/sids/7/35/50@2x.png",
            Some("a=1&v=00ff"),
            &versions
        ));
        // Another layer's version, an old one, a vector tile, another route: not versioned.
        assert!(!is_versioned_tile(
            "/tiles/boston/x/7/35/50.png",
            Some("v=00ff"),
            &versions
        ));
        assert!(!is_versioned_tile(
            "/tiles/nc/sids/7/35/50.png",
            Some("v=00fe"),
            &versions
        ));
        assert!(!is_versioned_tile(
            "/tiles/nc/sids/7/35/50.mvt",
            Some("v=00ff"),
            &versions
        ));
        assert!(!is_versioned_tile(
            "/api/layers/nc",
            Some("v=00ff"),
            &versions
        ));
    }

    #[test]
    fn dotfiles() {
        assert!(names_a_dotfile("/.git/config"));
        assert!(names_a_dotfile("/vendor/.env"));
        assert!(names_a_dotfile("/%2egit/HEAD"));
        assert!(names_a_dotfile("/%2Ehtaccess"));
        assert!(!names_a_dotfile("/vendor/leaflet/leaflet.js"));
        assert!(!names_a_dotfile("/"));
    }

    #[test]
    fn frame_ancestors_are_checked() {
        let h = SecurityHeaders::new(None, Some("https://news.example 'self'"));
        let csp = h.csp.to_str().unwrap();
        assert!(
            csp.ends_with("frame-ancestors https://news.example 'self'"),
            "{csp}"
        );
        assert!(h.frame_options.is_none());
        // A value that would smuggle another directive falls back to the default.
        let h = SecurityHeaders::new(None, Some("'self'; script-src *"));
        assert!(!h.csp.to_str().unwrap().contains("frame-ancestors"));
        assert!(h.frame_options.is_none());
        let h = SecurityHeaders::new(None, Some("'self'"));
        assert_eq!(h.frame_options.unwrap(), "SAMEORIGIN");
    }
}
