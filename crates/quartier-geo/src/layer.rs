//! The district layer: what every importer produces and every consumer reads.

use geo::{BoundingRect, MultiPolygon, Rect};

/// One district (Sozialraum, ward, tract, county).
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    /// Key as a string, exactly as in the source (leading zeros kept: `"05358"`).
    pub id: String,
    /// Human-readable name; the id when the source has no name field.
    pub name: String,
    /// Geometry in EPSG:4326, `x` = longitude, `y` = latitude, exterior rings counter-clockwise.
    pub geometry: MultiPolygon<f64>,
    /// The same geometry in EPSG:3857 (Web Mercator metres), for tiles.
    pub mercator: MultiPolygon<f64>,
}

/// Values of one attribute column, one entry per district in layer order.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeValues {
    /// Numbers; `None` is a missing value, never zero.
    Number(Vec<Option<f64>>),
    /// Text (also keys and codes that look numeric but must keep their form).
    Text(Vec<Option<String>>),
}

/// A named attribute column.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Field name as in the source (DBF field, GeoJSON property, CSV header).
    pub name: String,
    /// The values, aligned with [`Layer::districts`].
    pub values: AttributeValues,
}

/// A set of districts with attributes, all geometry in one CRS (EPSG:4326, plus a Mercator copy).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layer {
    /// Layer id (manifest id, or the file stem).
    pub id: String,
    /// Districts in source order.
    pub districts: Vec<District>,
    /// Attribute columns aligned with `districts`.
    pub attributes: Vec<Attribute>,
}

impl Layer {
    /// The attribute column called `name`, if any.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The numeric column called `name`, if it exists and is numeric.
    pub fn numeric(&self, name: &str) -> Option<&[Option<f64>]> {
        match &self.attribute(name)?.values {
            AttributeValues::Number(v) => Some(v),
            AttributeValues::Text(_) => None,
        }
    }

    /// Position of the district with this id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.districts.iter().position(|d| d.id == id)
    }

    /// Bounds in WGS84 as `[west, south, east, north]`; `None` for a layer without geometry.
    pub fn bounds_wgs84(&self) -> Option<[f64; 4]> {
        let mut acc: Option<Rect<f64>> = None;
        for d in &self.districts {
            if let Some(r) = d.geometry.bounding_rect() {
                acc = Some(match acc {
                    None => r,
                    Some(a) => Rect::new(
                        (a.min().x.min(r.min().x), a.min().y.min(r.min().y)),
                        (a.max().x.max(r.max().x), a.max().y.max(r.max().y)),
                    ),
                });
            }
        }
        acc.map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
    }
}
