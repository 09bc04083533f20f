//! RESTful WMTS 1.0.0: `/wmts/1.0.0/WMTSCapabilities.xml` lists one layer per (layer,
//! indicator), named `{layer}.{indicator}` as the OGC API collections are, in the
//! WebMercatorQuad tile matrix set (Google Maps compatible), with a `ResourceURL` template on
//! the PNG tile route. QGIS, GDAL (`WMTS:` driver) and OWSLib read it.
//!
//! Style parameters on the capabilities URL are carried into every tile template.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use quartier_atlas::style::url_escape;
use quartier_render::{TileCoord, MERCATOR_HALF_EXTENT};

use super::ogc::{OGC_MAX_ZOOM, SCALE_ZOOM_0, TMS_ID};
use super::respond::{bytes_response, JSON_CACHE_CONTROL};
use crate::error::AppResult;
use crate::state::AppState;

/// Escape text for XML content and attribute values.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The capabilities document.
fn capabilities(state: &AppState, base: &str, query: Option<&str>) -> String {
    let q = query.filter(|q| !q.is_empty());
    let mut s = String::with_capacity(16 * 1024);
    let _ = write!(
        s,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.opengis.net/wmts/1.0 http://schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd" version="1.0.0">
<ows:ServiceIdentification><ows:Title>{}</ows:Title><ows:ServiceType>OGC WMTS</ows:ServiceType><ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion></ows:ServiceIdentification>
<Contents>
"#,
        xml(state.title.get("en"))
    );
    for layer in &state.layers {
        let [w, south, e, n] = layer
            .bounds
            .unwrap_or([-180.0, -85.051_129, 180.0, 85.051_129]);
        for ind in &layer.atlas.indicators {
            let id = format!("{}.{}", layer.id(), ind.id);
            let mut template = format!(
                "{base}/tiles/{}/{}/{{TileMatrix}}/{{TileCol}}/{{TileRow}}.png",
                url_escape(layer.id()),
                url_escape(&ind.id)
            );
            if let Some(q) = q {
                template.push('?');
                template.push_str(q);
            }
            let _ = writeln!(
                s,
                r#"<Layer><ows:Title>{title}</ows:Title><ows:Abstract>{abstract_}</ows:Abstract><ows:WGS84BoundingBox><ows:LowerCorner>{w} {south}</ows:LowerCorner><ows:UpperCorner>{e} {n}</ows:UpperCorner></ows:WGS84BoundingBox><ows:Identifier>{id}</ows:Identifier><Style isDefault="true"><ows:Identifier>default</ows:Identifier></Style><Format>image/png</Format><TileMatrixSetLink><TileMatrixSet>{TMS_ID}</TileMatrixSet></TileMatrixSetLink><ResourceURL format="image/png" resourceType="tile" template="{template}"/></Layer>"#,
                title = xml(&format!(
                    "{}: {}",
                    layer.atlas.title.get("en"),
                    ind.title.get("en")
                )),
                abstract_ = xml(layer.atlas.attribution.as_deref().unwrap_or_default()),
                id = xml(&id),
                template = xml(&template),
            );
        }
    }
    let e = MERCATOR_HALF_EXTENT;
    let _ = writeln!(
        s,
        "<TileMatrixSet><ows:Identifier>{TMS_ID}</ows:Identifier><ows:SupportedCRS>urn:ogc:def:crs:EPSG::3857</ows:SupportedCRS><WellKnownScaleSet>urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible</WellKnownScaleSet>"
    );
    for z in 0..=OGC_MAX_ZOOM {
        let n = TileCoord::tiles_per_side(z);
        let _ = writeln!(
            s,
            "<TileMatrix><ows:Identifier>{z}</ows:Identifier><ScaleDenominator>{}</ScaleDenominator><TopLeftCorner>{} {e}</TopLeftCorner><TileWidth>256</TileWidth><TileHeight>256</TileHeight><MatrixWidth>{n}</MatrixWidth><MatrixHeight>{n}</MatrixHeight></TileMatrix>",
            SCALE_ZOOM_0 / f64::from(n),
            -e
        );
    }
    s.push_str("</TileMatrixSet>\n</Contents>\n");
    let _ = writeln!(
        s,
        r#"<ServiceMetadataURL xlink:href="{}"/>"#,
        xml(&format!("{base}/wmts/1.0.0/WMTSCapabilities.xml"))
    );
    s.push_str("</Capabilities>\n");
    s
}

// ---------------------------------------------------------------------------------------------
// GET /wmts/1.0.0/WMTSCapabilities.xml

/// The RESTful capabilities document.
pub(super) async fn capabilities_route(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> AppResult<Response> {
    // OWSLib and others append their KVP parameters (service, request, version); only style
    // parameters belong on the tile URLs.
    let style_query: Option<String> = raw.map(|q| {
        q.split('&')
            .filter(|kv| {
                let key = kv.split('=').next().unwrap_or_default();
                !matches!(
                    key.to_ascii_lowercase().as_str(),
                    "service" | "request" | "version" | "acceptversions"
                )
            })
            .collect::<Vec<_>>()
            .join("&")
    });
    let body = capabilities(
        &state,
        &super::security::client_base(state.public_url.as_deref(), &headers),
        style_query.as_deref(),
    );
    Ok(bytes_response(
        &state,
        &headers,
        Bytes::from(body),
        "application/xml",
        JSON_CACHE_CONTROL,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping() {
        assert_eq!(xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}
