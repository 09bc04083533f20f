//! Loading: a manifest and everything it names, or a boundary file alone, into a [`LoadedAtlas`].

use std::collections::BTreeMap;
use std::path::Path;

use quartier_geo::aggregate::{self, derive};
use quartier_geo::import::{self, ImportOptions};
use quartier_geo::join::{self, JoinOptions};
use quartier_geo::layer::AttributeValues;
use quartier_geo::limits;
use quartier_geo::table::{Table, TableOptions};

use super::error::ManifestError;
use super::fingerprint::Fingerprint;
use super::report::{AtlasReport, IndicatorSummary, LayerReport};
use super::spec::{LayerSpec, Manifest};
use super::styles::{builtin_style, resolve_style};
use super::types::{AtlasLayer, Indicator, LoadedAtlas, StyleSpec};

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
        for spec in &manifest.layers {
            super::guards::check_layer_spec(spec)
                .map_err(|message| invalid(format!("layer {:?}", spec.id), message))?;
            if layers.iter().any(|l: &AtlasLayer| l.id == spec.id) {
                return Err(invalid(
                    format!("layer {:?}", spec.id),
                    "the id is used twice: layer ids must be unique".into(),
                ));
            }
            let (layer, layer_report) =
                load_layer(path, base, spec, &atlas_style, &mut fp, &invalid)?;
            layers.push(layer);
            report.layers.push(layer_report);
        }
        let atlas = LoadedAtlas {
            title: manifest.title.unwrap_or_else(|| "Quartier".into()),
            description: manifest.description,
            basemap: manifest.basemap,
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
        let summary = summarize(&indicators);
        let report = AtlasReport {
            path: path.to_path_buf(),
            layers: vec![LayerReport {
                id: id.clone(),
                import: imported.report,
                joins: Vec::new(),
                aggregate: None,
                indicators: summary,
            }],
        };
        let atlas = LoadedAtlas {
            title: id.as_str().into(),
            description: None,
            basemap: None,
            layers: vec![AtlasLayer {
                id: id.clone(),
                title: id.as_str().into(),
                attribution: None,
                layer,
                indicators,
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

fn summarize(indicators: &[Indicator]) -> Vec<IndicatorSummary> {
    indicators
        .iter()
        .map(|i| {
            let values = i.values.iter().filter(|v| v.is_some()).count();
            IndicatorSummary {
                id: i.id.clone(),
                values,
                missing: i.values.len() - values,
                suppressed: i.suppressed.iter().filter(|s| **s).count(),
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

    // Tables, joined once each.
    let mut tables: BTreeMap<&str, (Table, join::Join)> = BTreeMap::new();
    let mut joins = Vec::new();
    for t in &spec.tables {
        let ctx = || format!("layer {:?}, table {:?}", spec.id, t.id);
        let delimiter = match t.delimiter.as_deref() {
            None => None,
            Some("\\t") | Some("tab") | Some("\t") => Some(b'\t'),
            Some(d) if d.len() == 1 => d.bytes().next(),
            Some(d) => {
                return Err(invalid(
                    ctx(),
                    format!("delimiter = {d:?}: use one character such as \";\", \",\" or \"tab\""),
                ))
            }
        };
        let table_path = base.join(&t.path);
        fp.add_file(&table_path);
        let opts = TableOptions {
            delimiter,
            encoding: t.encoding.clone(),
            decimal: t.decimal,
            header_row: t.header_row,
        };
        let table_error = |source| ManifestError::Table {
            layer: spec.id.clone(),
            source: Box::new(source),
        };
        let mut table = Table::read(&table_path, &opts).map_err(table_error)?;
        if let Some(f) = &t.filter {
            table = table.filter(&f.column, &f.value).map_err(table_error)?;
        }
        let jopts = JoinOptions {
            pad_width: t.pad,
            case_sensitive: !t.case_insensitive,
        };
        let joined =
            join::join(&ids, &table, &t.key, &jopts).map_err(|source| ManifestError::Join {
                layer: spec.id.clone(),
                source: Box::new(source),
            })?;
        joins.push(joined.report.clone());
        if tables.insert(t.id.as_str(), (table, joined)).is_some() {
            return Err(invalid(
                ctx(),
                "the table id is used twice in this layer".into(),
            ));
        }
    }

    // Indicators.
    let layer_style = spec.style.or(atlas_style);
    let column =
        |table: Option<&str>, field: &str, ctx: &str| -> Result<Vec<Option<f64>>, ManifestError> {
            match table {
                None => layer.numeric(field).map(<[_]>::to_vec).ok_or_else(|| {
                    let numeric: Vec<&str> = layer
                        .attributes
                        .iter()
                        .filter(|a| matches!(a.values, AttributeValues::Number(_)))
                        .map(|a| a.name.as_str())
                        .collect();
                    invalid(
                        ctx.to_string(),
                        format!(
                        "the boundary file has no numeric field {field:?}; numeric fields are: {}; \
                         for a table column add table = \"<table id>\"",
                        numeric.join(", ")
                    ),
                    )
                }),
                Some(tid) => {
                    let (table, joined) = tables.get(tid).ok_or_else(|| {
                        invalid(
                            ctx.to_string(),
                            format!(
                                "no table {tid:?} in this layer; tables: {}",
                                tables.keys().copied().collect::<Vec<_>>().join(", ")
                            ),
                        )
                    })?;
                    joined
                        .numeric(table, field)
                        .map_err(|source| ManifestError::Table {
                            layer: spec.id.clone(),
                            source: Box::new(source),
                        })
                }
            }
        };
    let mut indicators: Vec<Indicator> = Vec::new();
    let areas: std::cell::OnceCell<Vec<f64>> = std::cell::OnceCell::new();
    for ind in &spec.indicators {
        let ctx = format!("layer {:?}, indicator {:?}", spec.id, ind.id);
        if indicators.iter().any(|i| i.id == ind.id) {
            return Err(invalid(
                ctx,
                "the indicator id is used twice in this layer".into(),
            ));
        }
        let table = ind.table.as_deref();
        // Small-number suppression of an input field: counts (by name, or `suppress = true`)
        // below the layer's threshold.
        let n_districts = layer.districts.len();
        let counts_below = |field: &str, values: &[Option<f64>]| -> Vec<bool> {
            match (spec.suppress_below, table) {
                (None, _) => vec![false; n_districts],
                (Some(t), None) => derive::suppressed_field(&layer, field, ind.suppress, t),
                (Some(t), Some(_)) if ind.suppress == Some(true) => {
                    derive::suppress_counts(values, t)
                }
                (Some(_), Some(_)) => vec![false; n_districts],
            }
        };
        let derived = (&ind.density, &ind.change);
        let (values, formula, suppressed) = match (&ind.field, &ind.numerator, &ind.denominator, derived) {
            (None, None, None, (Some(field), None)) => {
                let v = column(table, field, &ctx)?;
                // Geodesic areas cost about 0.5 µs per vertex: computed once per layer, or taken
                // from an aggregated layer's `area_km2`.
                let areas = areas.get_or_init(|| match layer.numeric(aggregate::AREA_KM2) {
                    Some(a) if spec.aggregate.is_some() => a.iter().map(|x| x.unwrap_or(0.0)).collect(),
                    _ => derive::areas_km2(&layer),
                });
                let suppressed = counts_below(field, &v);
                (derive::density_per_km2(&v, areas), format!("{field} / area (km²)"), suppressed)
            }
            (None, None, None, (None, Some(change))) => {
                let from = column(table, &change.from, &ctx)?;
                let to = column(table, &change.to, &ctx)?;
                let suppressed = derive::either(&counts_below(&change.from, &from), &counts_below(&change.to, &to));
                (derive::change(&from, &to, change.kind()), change.formula(), suppressed)
            }
            (Some(field), None, None, (None, None)) => {
                if ind.factor.is_some() {
                    return Err(invalid(ctx, "factor only goes with numerator and denominator".into()));
                }
                let v = column(table, field, &ctx)?;
                let suppressed = counts_below(field, &v);
                (v, field.clone(), suppressed)
            }
            (None, Some(num), Some(den), (None, None)) => {
                let n = column(table, num, &ctx)?;
                let d = column(table, den, &ctx)?;
                // A rate is withheld when its denominator is a small count, or its numerator is
                // one (numerator = rate × denominator would give it away).
                let suppressed = derive::either(&counts_below(num, &n), &counts_below(den, &d));
                let factor = ind.factor.unwrap_or(1.0);
                let values = n
                    .iter()
                    .zip(&d)
                    .map(|(n, d)| match (n, d) {
                        // A zero denominator has no rate: missing, not infinity.
                        (Some(n), Some(d)) if *d != 0.0 => Some(n / d * factor),
                        _ => None,
                    })
                    .collect();
                let formula = if factor == 1.0 {
                    format!("{num} / {den}")
                } else {
                    format!("{num} / {den} × {factor}")
                };
                (values, formula, suppressed)
            }
            _ => {
                return Err(invalid(
                    ctx,
                    "say one of: field = \"NAME\"; numerator = \"A\" and denominator = \"B\" (with an optional factor); density = \"NAME\" (per km²); change = { from = \"A\", to = \"B\" }".into(),
                ))
            }
        };
        let values: Vec<Option<f64>> = values
            .into_iter()
            .zip(&suppressed)
            .map(|(v, s)| if *s { None } else { v })
            .collect();
        let style = resolve_style(&ind.style.or(&layer_style), &values)
            .map_err(|message| invalid(ctx.clone(), message))?;
        indicators.push(Indicator {
            id: ind.id.clone(),
            title: ind.title.clone().unwrap_or_else(|| ind.id.as_str().into()),
            unit: ind.unit.clone().unwrap_or_else(|| "".into()),
            theme: ind.theme,
            source: ind.source.clone(),
            year: ind.year,
            description: ind.description.clone(),
            decimals: ind.decimals,
            formula,
            style,
            values,
            suppressed,
            suppress_below: spec.suppress_below,
        });
    }
    let layer_report = LayerReport {
        id: spec.id.clone(),
        import: imported.report,
        joins,
        aggregate: aggregate_report,
        indicators: summarize(&indicators),
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
        },
        layer_report,
    ))
}
