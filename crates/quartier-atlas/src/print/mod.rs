//! Print pages from the published atlas: static maps, district profiles and the whole report,
//! with exactly the classes, colours and legend labels of the live map.
//!
//! `quartier-render`'s `print` module lays out and encodes pages from plain data; this module
//! fills that data from the atlas's own entry points, so that a printed map cannot drift from the
//! web map:
//!
//! - the legend rows are [`Atlas::legend`]'s rows, converted one for one ([`print_legend`]);
//! - the district fills are the [`Classified`](crate::Classified) fills the tiles are drawn with;
//! - the profile numbers are the layer statistics `/api/layers/{layer}` and `/districts/{id}` give.
//!
//! Entry points: [`Atlas::map_page`] (one map, any view; [`Atlas::print_map`] composes and
//! encodes it as [`PrintFormat`]), [`Atlas::profile_page`] (one district), [`Atlas::report`]
//! (title page, a map per indicator grouped by theme, a profile per district, sources). Their
//! parameters ([`PrintParams`]) are parsed here once, for the CLI and HTTP alike. A period,
//! when the atlas has periods, comes in through [`Style`](crate::Style) like every other style
//! parameter; the profile's change column and charts are filled where an indicator has more
//! than one period (today every indicator has one).

mod legend;
mod map;
mod params;
mod profile;
mod report;

use geo::MultiPolygon;
use quartier_render::print::{PrintError, PrintLayer};

use crate::atlas::Atlas;
use crate::error::AtlasError;
use crate::lang::Lang;

pub use legend::print_legend;
pub use map::{MapRequest, PrintFormat};
pub use params::{parse_bbox, parse_size, PrintParams, PrintView};
pub use profile::ProfileRequest;
pub use report::{ReportProgress, ReportRequest};

/// Why a print page could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PrintRequestError {
    /// The layer, indicator, district or style does not exist or is malformed.
    #[error(transparent)]
    Atlas(#[from] AtlasError),
    /// A print parameter (size, dpi, bbox, orientation) is malformed or out of range; the
    /// message says what is allowed.
    #[error("{0}")]
    Params(String),
    /// The page could not be composed or encoded.
    #[error(transparent)]
    Print(#[from] PrintError),
}

impl PrintRequestError {
    /// Whether the request is to blame (a 400 or 404 for a server, not a 500).
    pub fn is_bad_request(&self) -> bool {
        match self {
            PrintRequestError::Atlas(AtlasError::Render(_)) => false,
            PrintRequestError::Atlas(_) | PrintRequestError::Params(_) => true,
            PrintRequestError::Print(e) => matches!(
                e,
                PrintError::Page(_) | PrintError::TooLarge { .. } | PrintError::View(_)
            ),
        }
    }
}

/// The districts of one layer in Web Mercator metres, as print pages need them next to the
/// layer's prepared [`TileLayer`](quartier_render::TileLayer) (for label positions and views).
///
/// The atlas keeps only the prepared tile geometry (a second copy of every vertex would double
/// the memory of a large layer); a page projects the WGS84 districts again with the same
/// spherical formula the import used ([`quartier_geo::crs::to_mercator`]), so the coordinates
/// are the same bit for bit. That takes milliseconds; a report does it once for all its pages.
#[derive(Debug, Clone)]
pub struct PrintGeometry {
    layer: usize,
    polygons: Vec<MultiPolygon<f64>>,
}

impl PrintGeometry {
    /// Number of districts.
    pub fn len(&self) -> usize {
        self.polygons.len()
    }

    /// Whether the layer has no districts.
    pub fn is_empty(&self) -> bool {
        self.polygons.is_empty()
    }
}

impl Atlas {
    /// The print geometry of layer `layer` (by id).
    pub fn print_geometry(&self, layer: &str) -> Result<PrintGeometry, AtlasError> {
        let (li, l) = self.layer(layer)?;
        let polygons = l
            .atlas
            .layer
            .districts
            .iter()
            .map(|d| quartier_geo::crs::to_mercator(&d.geometry))
            .collect();
        Ok(PrintGeometry {
            layer: li,
            polygons,
        })
    }

    /// The layer of `geometry` as the renderer takes it.
    fn print_layer<'a>(
        &'a self,
        geometry: &'a PrintGeometry,
    ) -> Result<PrintLayer<'a>, PrintRequestError> {
        let layer = self.layers.get(geometry.layer).ok_or_else(|| {
            PrintRequestError::Params("the print geometry belongs to another atlas".to_string())
        })?;
        Ok(PrintLayer::new(&geometry.polygons, &layer.render)?)
    }
}

/// The renderer's language for the atlas's.
pub(crate) fn render_lang(lang: Lang) -> quartier_render::print::Lang {
    match lang {
        Lang::De => quartier_render::print::Lang::De,
        Lang::En => quartier_render::print::Lang::En,
    }
}

/// `de` or `en` text.
pub(crate) fn pick(lang: Lang, de: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::De => de,
        Lang::En => en,
    }
}
