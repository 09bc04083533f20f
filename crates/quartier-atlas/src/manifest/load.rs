//! Loading: a manifest and everything it names, or a boundary file alone, into a [`LoadedAtlas`].

use std::path::Path;

use quartier_geo::import::{self, ImportOptions};
use quartier_geo::layer::{AttributeValues, Layer};
use quartier_geo::limits;

use super::error::ManifestError;
use super::fingerprint::Fingerprint;
use super::indicators::{self, Context};
use super::report::{AtlasReport, IndicatorSummary, LayerReport};
use super::spec::{LayerSpec, Manifest};
use super::styles::{builtin_style, resolve_style};
use super::tables::Tables;
use super::types::{AtlasLayer, Indicator, LoadedAtlas, StartView, StyleSpec};
use super::typology;

/// The largest manifest read: a manifest is a few KiB of TOML even for a national atlas, so
/// anything near this is the wrong file (and is refused before it is read).
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;

impl LoadedAtlas {
    /// Load a manifest and everything it names, as the server and `quartier check` do.
    pub fn load(path: &Path) -> Result<(LoadedAtlas, AtlasReport), ManifestError> {
        let io = |source| ManifestError::Io {
            path: path.to_path_buf(),
            source,
        };
        let bytes = limits::read_file(path, MAX_MANIFEST_BYTES, "an atlas manifest (atlas.toml)")
            .map_err(io)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "not UTF-8 text (byte {}): save the manifest as UTF-8",
                    e.utf8_error().valid_up_to()
                ),
            ))
        })?;
        let manifest: Manifest = toml::from_str(&text).map_err(|e| ManifestError::Syntax {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut fp = Fingerprint::new();
        fp.add(text.as_bytes());
        // Each layer's own part of the manifest and the atlas-wide style defaults: with its files,
        // what its data version covers (so a new table for one layer leaves the others' alone).
        let raw: Option<toml::Value> = toml::from_str(&text).ok();
        let shared = raw
            .as_ref()
            .and_then(|r| r.get("style"))
            .map(toml::Value::to_string)
            .unwrap_or_default();
        let mut report = AtlasReport {
            path: path.to_path_buf(),
            layers: Vec::new(),
        };
        let mut layers = Vec::new();
        let atlas_style = manifest.style.or(&builtin_style());
        let invalid = |context: String, message: String| ManifestError::Invalid {
            path: path.to_path_buf(),
            context,
            message,
        };
        if manifest.layers.is_empty() {
            return Err(invalid(
                "atlas".into(),
                "no layers: add at least one [[layer]] with an id and a source file".into(),
            ));
        }
        for (i, spec) in manifest.layers.iter().enumerate() {
            super::guards::check_layer_spec(spec)
                .map_err(|message| invalid(format!("layer {:?}", spec.id), message))?;
            if layers.iter().any(|l: &AtlasLayer| l.id == spec.id) {
                return Err(invalid(
                    format!("layer {:?}", spec.id),
                    "the id is used twice: layer ids must be unique".into(),
                ));
            }
            let own = raw
                .as_ref()
                .and_then(|r| r.get("layer"))
                .and_then(|l| l.get(i))
                .map(toml::Value::to_string)
                .unwrap_or_default();
            let mut layer_fp = Fingerprint::new();
            layer_fp.add(own.as_bytes());
            layer_fp.add(shared.as_bytes());
            let (mut layer, layer_report) =
                load_layer(path, base, spec, &atlas_style, &mut layer_fp, &invalid)?;
            layer.version = layer_fp.hex();
            fp.add(layer.version.as_bytes());
            layers.push(layer);
            report.layers.push(layer_report);
        }
        if let Some(start) = &manifest.start {
            check_start(start, &layers).map_err(|message| invalid("[start]".into(), message))?;
        }
        let atlas = LoadedAtlas {
            title: manifest.title.unwrap_or_else(|| "Quartier".into()),
            description: manifest.description,
            basemap: manifest.basemap,
            start: manifest.start,
            layers,
            version: fp.hex(),
        };
        Ok((atlas, report))
    }

    /// A one-layer atlas from a boundary file: the layer id is the file stem and every numeric
    /// attribute becomes an indicator whose id is the field name (`nc.shp` gives layer `nc` with
    /// indicator `SID74`).
    pub fn from_boundary_file(
        path: &Path,
        opts: &ImportOptions,
    ) -> Result<(LoadedAtlas, AtlasReport), ManifestError> {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "layer".into());
        let id = opts.layer_id.clone().unwrap_or(stem);
        let imported = import::read_layer(path, opts).map_err(|source| ManifestError::Import {
            layer: id.clone(),
            source: Box::new(source),
        })?;
        let mut fp = Fingerprint::new();
        fp.add_source(path);
        let style =
            resolve_style(&builtin_style(), &[]).map_err(|message| ManifestError::Invalid {
                path: path.to_path_buf(),
                context: "style".into(),
                message,
            })?;
        let mut layer = imported.layer;
        layer.id = id.clone();
        let indicators: Vec<Indicator> = layer
            .attributes
            .iter()
            .filter_map(|a| match &a.values {
                AttributeValues::Number(v) => {
                    Some(Indicator::from_field(&a.name, v.clone(), style.clone()))
                }
                AttributeValues::Text(_) => None,
            })
            .collect();
        let summary = summarize(&indicators, &layer);
        let report = AtlasReport {
            path: path.to_path_buf(),
            layers: vec![LayerReport {
                id: id.clone(),
                import: imported.report,
                joins: Vec::new(),
                tables: Vec::new(),
                aggregate: None,
                indicators: summary,
            }],
        };
        let atlas = LoadedAtlas {
            title: id.as_str().into(),
            description: None,
            basemap: None,
            start: None,
            layers: vec![AtlasLayer {
                id: id.clone(),
                title: id.as_str().into(),
                attribution: None,
                layer,
                indicators,
                view: None,
                version: fp.hex(),
            }],
            version: fp.hex(),
        };
        Ok((atlas, report))
    }

    /// The layer with this id.
    pub fn layer(&self, id: &str) -> Option<&AtlasLayer> {
        self.layers.iter().find(|l| l.id == id)
    }
}

fn summarize(indicators: &[Indicator], layer: &Layer) -> Vec<IndicatorSummary> {
    indicators
        .iter()
        .map(|i| {
            let values = i.values.iter().filter(|v| v.is_some()).count();
            // Districts without a value that is not withheld: the gaps an officer has to fill.
            let missing_districts = i
                .values
                .iter()
                .zip(&layer.districts)
                .enumerate()
                .filter(|(k, (v, _))| {
                    v.is_none() && !i.suppressed.get(*k).copied().unwrap_or(false)
                })
                .map(|(_, (_, d))| {
                    if d.name.is_empty() || d.name == d.id {
                        d.id.clone()
                    } else {
                        format!("{} ({})", d.id, d.name)
                    }
                })
                .collect();
            IndicatorSummary {
                id: i.id.clone(),
                values,
                missing: i.values.len() - values,
                suppressed: i.suppressed.iter().filter(|s| **s).count(),
                missing_districts,
            }
        })
        .collect()
}

fn load_layer(
    manifest_path: &Path,
    base: &Path,
    spec: &LayerSpec,
    atlas_style: &StyleSpec,
    fp: &mut Fingerprint,
    invalid: &dyn Fn(String, String) -> ManifestError,
) -> Result<(AtlasLayer, LayerReport), ManifestError> {
    let _ = manifest_path;
    let source = base.join(&spec.source);
    fp.add_source(&source);
    let opts = ImportOptions {
        crs: spec.crs.clone(),
        encoding: spec.encoding.clone(),
        id_field: spec.id_field.clone(),
        name_field: spec.name_field.clone(),
        layer_id: Some(spec.id.clone()),
    };
    let imported = import::read_layer(&source, &opts).map_err(|source| ManifestError::Import {
        layer: spec.id.clone(),
        source: Box::new(source),
    })?;
    let mut layer = imported.layer;
    layer.id = spec.id.clone();
    if let Some(template) = &spec.name {
        if spec.name_field.is_some() {
            return Err(invalid(
                format!("layer {:?}", spec.id),
                "give either name_field (one field) or name (a template like \"{GEN} ({BEZ})\"), not both".into(),
            ));
        }
        super::names::apply_name_template(&mut layer, template)
            .map_err(|message| invalid(format!("layer {:?}", spec.id), message))?;
    }
    let mut aggregate_report = None;
    if let Some(agg) = &spec.aggregate {
        agg.validate().map_err(|message| {
            invalid(format!("layer {:?}, [layer.aggregate]", spec.id), message)
        })?;
        if let Some(from) = agg.source_path(base) {
            fp.add_source(&from);
        }
        let out = agg
            .apply(base, layer, &source, &imported.report.crs)
            .map_err(|e| ManifestError::Aggregate {
                layer: spec.id.clone(),
                source: Box::new(e),
            })?;
        layer = out.layer;
        layer.id = spec.id.clone();
        aggregate_report = Some(out.report);
    }
    let ids: Vec<&str> = layer.districts.iter().map(|d| d.id.as_str()).collect();
    // Tables, joined once each (a long table once per period).
    let (tables, joins, table_summaries) = Tables::load(spec, base, &ids, fp, invalid)?;

    // Indicators, then composite indices over them.
    let layer_style = spec.style.or(atlas_style);
    let context = Context {
        spec,
        layer: &layer,
        tables: &tables,
        areas: std::cell::OnceCell::new(),
        invalid,
    };
    let mut indicators: Vec<Indicator> = Vec::new();
    for ind in &spec.indicators {
        if indicators.iter().any(|i| i.id == ind.id) {
            return Err(invalid(
                format!("layer {:?}, indicator {:?}", spec.id, ind.id),
                "the indicator id is used twice in this layer".into(),
            ));
        }
        indicators.push(context.indicator(ind, &layer_style)?);
    }
    for ix in &spec.indices {
        if indicators.iter().any(|i| i.id == ix.id) {
            return Err(invalid(
                format!("layer {:?}, index {:?}", spec.id, ix.id),
                "the id is already used by an indicator or index of this layer".into(),
            ));
        }
        let built = indicators::index(&spec.id, ix, &indicators, &layer_style, invalid)?;
        indicators.push(built);
    }
    for ty in &spec.typologies {
        let ctx = format!("layer {:?}, typology {:?}", spec.id, ty.id);
        if indicators.iter().any(|i| i.id == ty.id) {
            return Err(invalid(
                ctx,
                "the id is already used by an indicator or index of this layer".into(),
            ));
        }
        // The style of a categorical indicator only carries the border: classes and colours
        // are its categories.
        let style = resolve_style(&layer_style, &[]).map_err(|m| invalid(ctx, m))?;
        let built = typology::typology(&spec.id, ty, &indicators, style, invalid)?;
        indicators.push(built);
    }
    let layer_report = LayerReport {
        id: spec.id.clone(),
        import: imported.report,
        joins,
        tables: table_summaries,
        aggregate: aggregate_report,
        indicators: summarize(&indicators, &layer),
    };
    Ok((
        AtlasLayer {
            id: spec.id.clone(),
            title: spec
                .title
                .clone()
                .unwrap_or_else(|| spec.id.as_str().into()),
            attribution: spec.attribution.clone(),
            layer,
            indicators,
            view: spec.view.clone(),
            // Set by the caller, once every file of the layer is in its fingerprint.
            version: String::new(),
        },
        layer_report,
    ))
}

/// A start view inside the map and naming a layer and indicator that exist.
fn check_start(start: &StartView, layers: &[AtlasLayer]) -> Result<(), String> {
    // A range never contains NaN: NaN and infinities fail here too.
    if !(-180.0..=180.0).contains(&start.lon) || !(-85.05..=85.05).contains(&start.lat) {
        return Err(format!(
            "lon = {}, lat = {}: give the centre in WGS84 degrees (lon -180 to 180, lat -85 to 85)",
            start.lon, start.lat
        ));
    }
    if start.zoom > 19 {
        return Err(format!("zoom = {}: use 0 to 19", start.zoom));
    }
    let layer = match &start.layer {
        Some(id) => layers.iter().find(|l| &l.id == id).ok_or_else(|| {
            let ids: Vec<&str> = layers.iter().map(|l| l.id.as_str()).collect();
            format!(
                "layer = {id:?} is not a layer of this atlas ({})",
                ids.join(", ")
            )
        })?,
        None => match layers.first() {
            Some(l) => l,
            None => return Ok(()),
        },
    };
    if let Some(ind) = &start.indicator {
        if !layer.indicators.iter().any(|i| &i.id == ind) {
            return Err(format!(
                "indicator = {ind:?} is not an indicator of layer {:?}",
                layer.id
            ));
        }
    }
    Ok(())
}
