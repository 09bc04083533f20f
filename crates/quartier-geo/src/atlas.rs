//! The atlas manifest: one TOML file that says which layers a city publishes, which tables are
//! joined to them and how each indicator is computed, titled and styled.
//!
//! # Brief overview
//!
//! [`Atlas::load`] reads a manifest, imports every layer with [`crate::import`], reads and joins
//! its tables with [`crate::table`] and [`crate::join`], computes each [`Indicator`] (a field, or a
//! ratio `numerator / denominator × factor`), and returns the atlas together with an
//! [`AtlasReport`] (import, validation and join reports) that `quartier check` prints.
//! [`Atlas::from_boundary_file`] makes a one-layer atlas from a boundary file alone, as
//! `quartier serve nc.shp` does: every numeric attribute becomes an indicator.
//!
//! The manifest format is documented with a commented example in `geodata/atlas.toml` and in
//! `docs/manifest.md`.
//! Unknown keys are an error with the line and column, so a typo never silently drops a setting.
//! Relative paths are resolved against the manifest's folder.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::aggregate::{self, derive, AggregateManifest, AggregateReport, ChangeSpec};
use crate::classify::{Method, MAX_CLASSES, MIN_CLASSES};
use crate::import::files::source_files;
use crate::import::{self, ImportOptions, ImportReport};
use crate::join::{self, JoinOptions, JoinReport};
use crate::layer::{AttributeValues, Layer};
use crate::palette;
use crate::table::{Table, TableOptions};

/// Errors that make an atlas unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AtlasError {
    /// The manifest could not be read.
    #[error("cannot read atlas manifest {path}: {source}")]
    Io {
        /// The manifest path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The manifest is not valid TOML or does not follow the schema.
    #[error("atlas manifest {path} is invalid: {message}")]
    Syntax {
        /// The manifest path.
        path: PathBuf,
        /// What the TOML parser said, with line and column.
        message: String,
    },
    /// A setting is present but wrong; the message says what to do.
    #[error("atlas manifest {path}: {context}: {message}")]
    Invalid {
        /// The manifest path.
        path: PathBuf,
        /// Where in the manifest (`layer "boston", indicator "crime"`).
        context: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A layer's boundary file could not be imported.
    #[error("layer {layer:?}: {source}")]
    Import {
        /// The layer id.
        layer: String,
        /// The import error (names the file and feature).
        #[source]
        source: Box<import::ImportError>,
    },
    /// A table could not be read or a column is unusable.
    #[error("layer {layer:?}: {source}")]
    Table {
        /// The layer id.
        layer: String,
        /// The table error (names the file, line and column).
        #[source]
        source: Box<crate::table::TableError>,
    },
    /// A table could not be joined (e.g. a duplicate key).
    #[error("layer {layer:?}: {source}")]
    Join {
        /// The layer id.
        layer: String,
        /// The join error.
        #[source]
        source: Box<join::JoinError>,
    },
    /// An aggregated layer (`[layer.aggregate]`) could not be computed.
    #[error("layer {layer:?}: cannot aggregate: {source}")]
    Aggregate {
        /// The layer id.
        layer: String,
        /// The aggregation error (names the file, feature or line).
        #[source]
        source: Box<aggregate::AggregateError>,
    },
}

/// A title or label in German and English.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Localized {
    /// The same text in every language.
    One(String),
    /// Separate texts; a missing language falls back to the other.
    Both {
        /// German text.
        #[serde(default)]
        de: Option<String>,
        /// English text.
        #[serde(default)]
        en: Option<String>,
    },
}

impl Localized {
    /// The text in `lang` (`"de"` or `"en"`), falling back to the other language.
    pub fn get(&self, lang: &str) -> &str {
        match self {
            Localized::One(s) => s,
            Localized::Both { de, en } => {
                let (first, second) = if lang == "de" { (de, en) } else { (en, de) };
                first.as_deref().or(second.as_deref()).unwrap_or("")
            }
        }
    }

    /// English first: the text used where only one language fits (logs, CLI).
    pub fn en(&self) -> &str {
        self.get("en")
    }
}

impl From<&str> for Localized {
    fn from(s: &str) -> Self {
        Localized::One(s.to_string())
    }
}

/// The six themes of a Sozialraumbericht, plus "other".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Demography and integration (Demografie und Integration).
    Demography,
    /// Work and employment (Arbeit).
    Work,
    /// Income and transfer benefits (Einkommen).
    Income,
    /// Education and upbringing (Bildung und Erziehung).
    Education,
    /// Housing (Wohnen).
    Housing,
    /// Safety (Sicherheit).
    Safety,
    /// Anything else.
    #[default]
    Other,
}

impl Theme {
    /// All themes in report order.
    pub const ALL: [Theme; 7] = [
        Theme::Demography,
        Theme::Work,
        Theme::Income,
        Theme::Education,
        Theme::Housing,
        Theme::Safety,
        Theme::Other,
    ];

    /// The manifest and API name (`"demography"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Demography => "demography",
            Theme::Work => "work",
            Theme::Income => "income",
            Theme::Education => "education",
            Theme::Housing => "housing",
            Theme::Safety => "safety",
            Theme::Other => "other",
        }
    }

    /// The theme's title in `lang`.
    pub fn title(self, lang: &str) -> &'static str {
        let de = lang == "de";
        match self {
            Theme::Demography if de => "Demografie und Integration",
            Theme::Demography => "Demography and integration",
            Theme::Work if de => "Arbeit",
            Theme::Work => "Work",
            Theme::Income if de => "Einkommen",
            Theme::Income => "Income",
            Theme::Education if de => "Bildung und Erziehung",
            Theme::Education => "Education and upbringing",
            Theme::Housing if de => "Wohnen",
            Theme::Housing => "Housing",
            Theme::Safety if de => "Sicherheit",
            Theme::Safety => "Safety",
            Theme::Other if de => "Sonstiges",
            Theme::Other => "Other",
        }
    }
}

/// Default classification of an indicator (manifest `[style]`, a layer's or an indicator's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct StyleSpec {
    /// Classification method name (`quantile`, `equal`, `jenks`, `stddev`, `pretty`, `manual`).
    pub method: Option<String>,
    /// Number of classes, 2 to 9.
    pub classes: Option<usize>,
    /// Colour scheme name (`YlOrRd`, `viridis`, ...).
    pub palette: Option<String>,
    /// Breaks for `manual`.
    pub breaks: Option<Vec<f64>>,
    /// Centre of a diverging scheme: a number, or `"mean"` for the layer average.
    pub centre: Option<Centre>,
}

/// Where a diverging scheme is centred.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Centre {
    /// A fixed value.
    Value(f64),
    /// A named statistic: `"mean"` (the layer average).
    Named(String),
}

/// The resolved default style of an indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Style {
    /// Classification method.
    pub method: Method,
    /// Number of classes.
    pub classes: usize,
    /// Colour scheme name.
    pub palette: String,
    /// Breaks for the manual method.
    pub breaks: Option<Vec<f64>>,
    /// Centre value for a diverging scheme.
    pub centre: Option<f64>,
}

impl StyleSpec {
    /// `self` with unset fields taken from `fallback`.
    fn or(&self, fallback: &StyleSpec) -> StyleSpec {
        StyleSpec {
            method: self.method.clone().or_else(|| fallback.method.clone()),
            classes: self.classes.or(fallback.classes),
            palette: self.palette.clone().or_else(|| fallback.palette.clone()),
            breaks: self.breaks.clone().or_else(|| fallback.breaks.clone()),
            centre: self.centre.clone().or_else(|| fallback.centre.clone()),
        }
    }
}

/// Basemap under the districts (optional: the page reads well without one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Basemap {
    /// XYZ URL template, e.g. `https://tile.openstreetmap.org/{z}/{x}/{y}.png`.
    pub url: String,
    /// Attribution text shown on the map.
    pub attribution: String,
}

/// The manifest as written (serde form).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    title: Option<Localized>,
    #[serde(default)]
    description: Option<Localized>,
    #[serde(default)]
    style: StyleSpec,
    basemap: Option<Basemap>,
    #[serde(default, rename = "layer")]
    layers: Vec<LayerSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerSpec {
    id: String,
    title: Option<Localized>,
    source: PathBuf,
    crs: Option<String>,
    encoding: Option<String>,
    id_field: Option<String>,
    name_field: Option<String>,
    attribution: Option<String>,
    #[serde(default)]
    style: StyleSpec,
    #[serde(default, rename = "table")]
    tables: Vec<TableSpec>,
    #[serde(default, rename = "indicator")]
    indicators: Vec<IndicatorSpec>,
    /// Small-number suppression: counts below this are published as suppressed.
    suppress_below: Option<f64>,
    /// The layer's values are aggregated from points or finer units.
    aggregate: Option<AggregateManifest>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableSpec {
    id: String,
    path: PathBuf,
    key: String,
    pad: Option<usize>,
    #[serde(default)]
    case_insensitive: bool,
    delimiter: Option<String>,
    encoding: Option<String>,
    decimal: Option<char>,
    header_row: Option<usize>,
    filter: Option<RowFilter>,
}

/// Keep only the rows whose `column` equals `value`, e.g. one year of a GENESIS time series.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RowFilter {
    column: String,
    value: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorSpec {
    id: String,
    title: Option<Localized>,
    unit: Option<Localized>,
    #[serde(default)]
    theme: Theme,
    source: Option<String>,
    year: Option<i32>,
    table: Option<String>,
    field: Option<String>,
    numerator: Option<String>,
    denominator: Option<String>,
    factor: Option<f64>,
    decimals: Option<u8>,
    description: Option<Localized>,
    #[serde(default)]
    style: StyleSpec,
    /// A field per km² of the district's geodesic area.
    density: Option<String>,
    /// The change between two years' fields.
    change: Option<ChangeSpec>,
    /// Whether the input fields are counts for small-number suppression (default: by name for
    /// aggregation output, `count` and `*_sum`).
    suppress: Option<bool>,
}

/// One published indicator of a layer, with its values aligned to the layer's districts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    /// Id used in URLs (`/tiles/{layer}/{indicator}/...`).
    pub id: String,
    /// Title in German and English.
    pub title: Localized,
    /// Unit (`%`, `per 1,000 births`, `EUR`), possibly per language.
    pub unit: Localized,
    /// Theme of the report.
    pub theme: Theme,
    /// Source of the numbers.
    pub source: Option<String>,
    /// Reference year.
    pub year: Option<i32>,
    /// Longer explanation.
    pub description: Option<Localized>,
    /// Suggested decimals for display.
    pub decimals: Option<u8>,
    /// How the value is computed, for the profile and the docs (`CRIM`, `SID74 / BIR74 × 1000`).
    pub formula: String,
    /// Default classification.
    pub style: Style,
    /// Values per district (layer order); `None` is missing.
    #[serde(skip)]
    pub values: Vec<Option<f64>>,
    /// Per district: withheld by small-number suppression (its value is then `None` too, but it is
    /// to be shown as "suppressed", not as "no data").
    #[serde(skip)]
    pub suppressed: Vec<bool>,
    /// The layer's suppression threshold, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppress_below: Option<f64>,
}

impl Indicator {
    /// An indicator that is just a numeric field: titled by its name, no unit, theme "other",
    /// nothing withheld. What a boundary file served without a manifest publishes.
    pub fn from_field(name: &str, values: Vec<Option<f64>>, style: Style) -> Indicator {
        Indicator {
            id: name.to_string(),
            title: name.into(),
            unit: "".into(),
            theme: Theme::Other,
            source: None,
            year: None,
            description: None,
            decimals: None,
            formula: name.to_string(),
            style,
            suppressed: vec![false; values.len()],
            values,
            suppress_below: None,
        }
    }
}

/// A layer of the atlas: imported districts plus their indicators.
#[derive(Debug, Clone)]
pub struct AtlasLayer {
    /// Layer id used in URLs.
    pub id: String,
    /// Title in German and English.
    pub title: Localized,
    /// Attribution for the boundaries.
    pub attribution: Option<String>,
    /// The districts.
    pub layer: Layer,
    /// Published indicators in manifest order.
    pub indicators: Vec<Indicator>,
}

impl AtlasLayer {
    /// The indicator with this id.
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }
}

/// What `quartier check` prints: everything found while loading, per layer.
#[derive(Debug, Clone, Serialize, Default)]
pub struct AtlasReport {
    /// The manifest path (or the boundary file for a one-file atlas).
    pub path: PathBuf,
    /// Per layer: import report and join reports.
    pub layers: Vec<LayerReport>,
}

/// The reports of one layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    /// The layer id.
    pub id: String,
    /// Import and validation report of its boundary file.
    pub import: ImportReport,
    /// One join report per table.
    pub joins: Vec<JoinReport>,
    /// What the aggregation of an aggregated layer did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aggregate: Option<AggregateReport>,
    /// Indicators and their value counts.
    pub indicators: Vec<IndicatorSummary>,
}

/// How many values an indicator has.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorSummary {
    /// The indicator id.
    pub id: String,
    /// Districts with a value.
    pub values: usize,
    /// Districts without.
    pub missing: usize,
    /// Districts whose value is withheld by small-number suppression (counted in `missing` too).
    pub suppressed: usize,
}

impl AtlasReport {
    /// True when every layer is usable (no validation errors).
    pub fn is_usable(&self) -> bool {
        self.layers.iter().all(|l| l.import.validation.is_usable())
    }
}

impl fmt::Display for AtlasReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "atlas {}", self.path.display())?;
        for l in &self.layers {
            writeln!(f, "\n== layer {} ==", l.id)?;
            writeln!(f, "{}", l.import)?;
            for j in &l.joins {
                writeln!(f, "{j}")?;
            }
            if let Some(a) = &l.aggregate {
                writeln!(f, "aggregation:\n{a}")?;
            }
            writeln!(f, "indicators:")?;
            for i in &l.indicators {
                write!(
                    f,
                    "  {:<24} {} values, {} missing",
                    i.id, i.values, i.missing
                )?;
                if i.suppressed > 0 {
                    write!(f, " ({} suppressed)", i.suppressed)?;
                }
                writeln!(f)?;
            }
        }
        Ok(())
    }
}

/// A loaded atlas: what the server publishes.
#[derive(Debug, Clone)]
pub struct Atlas {
    /// Atlas title.
    pub title: Localized,
    /// Longer description.
    pub description: Option<Localized>,
    /// Optional basemap.
    pub basemap: Option<Basemap>,
    /// Layers in manifest order.
    pub layers: Vec<AtlasLayer>,
    /// A fingerprint of every input file's bytes: changes whenever the data changes (ETags).
    pub version: String,
}

/// The built-in style defaults when the manifest says nothing.
fn builtin_style() -> StyleSpec {
    StyleSpec {
        method: Some("quantile".into()),
        classes: Some(5),
        palette: Some(palette::DEFAULT_SCHEME.into()),
        breaks: None,
        centre: None,
    }
}

/// FNV-1a, stable across runs and Rust versions, so ETags survive restarts.
#[derive(Debug, Clone, Copy)]
struct Fingerprint(u64);

impl Fingerprint {
    fn new() -> Self {
        Fingerprint(0xcbf2_9ce4_8422_2325)
    }
    fn add(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn add_file(&mut self, path: &Path) {
        // A file that cannot be read fails the import itself with a clear error; here it only
        // changes the fingerprint.
        match std::fs::read(path) {
            Ok(bytes) => self.add(&bytes),
            Err(_) => self.add(path.to_string_lossy().as_bytes()),
        }
    }
    fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

impl Atlas {
    /// Load a manifest and everything it names, as the server and `quartier check` do.
    pub fn load(path: &Path) -> Result<(Atlas, AtlasReport), AtlasError> {
        let text = std::fs::read_to_string(path).map_err(|source| AtlasError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let manifest: Manifest = toml::from_str(&text).map_err(|e| AtlasError::Syntax {
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
        let invalid = |context: String, message: String| AtlasError::Invalid {
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
        let atlas = Atlas {
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
    ) -> Result<(Atlas, AtlasReport), AtlasError> {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "layer".into());
        let id = opts.layer_id.clone().unwrap_or(stem);
        let imported = import::read_layer(path, opts).map_err(|source| AtlasError::Import {
            layer: id.clone(),
            source: Box::new(source),
        })?;
        let mut fp = Fingerprint::new();
        for f in source_files(path) {
            fp.add_file(&f);
        }
        let style =
            resolve_style(&builtin_style(), &[]).map_err(|message| AtlasError::Invalid {
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
        let atlas = Atlas {
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

/// Check a style for the things the classifier and palette will refuse, so a manifest error
/// shows at load time, not at the first tile.
fn resolve_style(spec: &StyleSpec, values: &[Option<f64>]) -> Result<Style, String> {
    let method: Method = spec
        .method
        .as_deref()
        .unwrap_or("quantile")
        .parse()
        .map_err(|e| format!("{e}"))?;
    let classes = spec.classes.unwrap_or(5);
    if !(MIN_CLASSES..=MAX_CLASSES).contains(&classes) {
        return Err(format!(
            "classes = {classes}: use {MIN_CLASSES} to {MAX_CLASSES} classes"
        ));
    }
    let palette = spec
        .palette
        .clone()
        .unwrap_or_else(|| palette::DEFAULT_SCHEME.into());
    let scheme = palette::scheme(&palette).map_err(|e| format!("{e}"))?;
    scheme.colors(classes).map_err(|e| format!("{e}"))?;
    if method == Method::Manual && spec.breaks.is_none() {
        return Err("method = \"manual\" needs breaks = [...]".into());
    }
    let centre = match &spec.centre {
        None => None,
        Some(Centre::Value(v)) => Some(*v),
        Some(Centre::Named(n)) if n == "mean" => {
            let vals: Vec<f64> = values.iter().flatten().copied().collect();
            (!vals.is_empty()).then(|| vals.iter().sum::<f64>() / vals.len() as f64)
        }
        Some(Centre::Named(n)) => {
            return Err(format!(
                "centre = {n:?}: use a number or \"mean\" (the layer average)"
            ))
        }
    };
    Ok(Style {
        method,
        classes,
        palette,
        breaks: spec.breaks.clone(),
        centre,
    })
}

fn load_layer(
    manifest_path: &Path,
    base: &Path,
    spec: &LayerSpec,
    atlas_style: &StyleSpec,
    fp: &mut Fingerprint,
    invalid: &dyn Fn(String, String) -> AtlasError,
) -> Result<(AtlasLayer, LayerReport), AtlasError> {
    let _ = manifest_path;
    let source = base.join(&spec.source);
    for f in source_files(&source) {
        fp.add_file(&f);
    }
    let opts = ImportOptions {
        crs: spec.crs.clone(),
        encoding: spec.encoding.clone(),
        id_field: spec.id_field.clone(),
        name_field: spec.name_field.clone(),
        layer_id: Some(spec.id.clone()),
    };
    let imported = import::read_layer(&source, &opts).map_err(|source| AtlasError::Import {
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
            for f in source_files(&from) {
                fp.add_file(&f);
            }
        }
        let out = agg
            .apply(base, layer, &source, &imported.report.crs)
            .map_err(|e| AtlasError::Aggregate {
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
        let table_error = |source| AtlasError::Table {
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
            join::join(&ids, &table, &t.key, &jopts).map_err(|source| AtlasError::Join {
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
        |table: Option<&str>, field: &str, ctx: &str| -> Result<Vec<Option<f64>>, AtlasError> {
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
                        .map_err(|source| AtlasError::Table {
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
