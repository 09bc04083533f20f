//! The command line of `quartier`, defined once with clap's derive API; `--help` is generated
//! from these definitions and their doc comments.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use quartier_geo::import::ImportOptions;

const EXAMPLES: &str = "\
Examples:
  Serve the bundled demo atlas (geodata/atlas.toml) and open http://127.0.0.1:8080/:
    quartier serve

  Serve your own atlas on all interfaces, port 3000:
    quartier serve my-city.toml --bind 0.0.0.0:3000

  Serve a shapefile directly (layer `nc`, every numeric field an indicator):
    quartier serve nc.shp

  See what a boundary file holds before writing a manifest:
    quartier inspect districts.shp --crs EPSG:25832

  Check an atlas exactly as the server will load it (exit 0 usable, 1 not usable, 2 error):
    quartier check my-city.toml

Exit status: 0 success, 1 the data is not usable (inspect, check), 2 an error.
Logging goes to stderr; set RUST_LOG (e.g. RUST_LOG=debug, RUST_LOG=tower_http=debug) for more.";

const SERVE_EXAMPLES: &str = "\
Examples:
  quartier serve                                   # the bundled demo atlas
  quartier serve geodata/atlas.toml --bind 127.0.0.1:0   # any free port (the log says which)
  quartier serve nc.shp --id-field FIPS --name-field NAME
  quartier serve counties.shp --crs EPSG:4269      # a shapefile without .prj
  quartier serve a.toml b.geojson                  # the layers of both, merged
  quartier serve --no-cache                        # render every tile (benchmarks)

Routes (see docs/api.md):
  /                                                  the map page (web/)
  /api/layers, /api/layers/{layer}                   layers, indicators, statistics
  /api/layers/{layer}/at?lon=..&lat=..               the district at a point
  /api/layers/{layer}/features.geojson               districts with their values
  /api/layers/{layer}/indicators/{ind}/legend.json   classes, breaks, colours
  /tiles/{layer}/{ind}/{z}/{x}/{y}.png (@2x.png)     PNG tiles
  /tiles/{layer}/{ind}/tilejson.json                 TileJSON 3.0.0
  /static/{layer}/{ind}.png|svg|pdf                  a print map (size, dpi, bbox, district, ...)
  /report/{layer}.pdf, /report/{layer}/{id}.pdf      the report, one district's profile
Style parameters on tiles, legend and TileJSON: method, classes, palette, breaks, centre, border.

Updating the data while serving: edit the files, run `quartier check`, then
  kill -HUP <pid>                                  # the log prints the pid at start
Every source is loaded again; only when all of it loads and passes the publish guards (as
`quartier check` judges it, and no fewer joined districts or values than live) does the new data
go live. When it fails, the error is logged with the numbers and the last good data stays live.
  kill -USR1 <pid>                                 # the same, accepting fewer values (forced)
With QUARTIER_ADMIN_TOKEN (or --admin-token-file) and --data-dir, the admin API stages,
previews, publishes and rolls back versions over HTTP (docs/api.md, SECURITY.md).";

const INSPECT_EXAMPLES: &str = "\
Examples:
  quartier inspect tests/fixtures/nc_sids/nc.shp
  quartier inspect districts.shp --crs EPSG:25832 --encoding cp1252
  quartier inspect boroughs.topojson --json | jq .validation

Exit status: 0 usable, 1 the file has districts that cannot be used, 2 an error
(file missing or unreadable, no .prj and no --crs, unknown CRS).";

const CHECK_EXAMPLES: &str = "\
Examples:
  quartier check geodata/atlas.toml
  quartier check my-city.toml --json > report.json

Exit status: 0 usable, 1 not usable (invalid geometry, duplicate ids), 2 an error
(the manifest or a file cannot be read, a key is unknown, a join fails).";

/// Quartier: publish a city's district indicators as fast, correct choropleth maps.
///
/// Quartier imports district boundaries (shapefiles in any CRS and codepage, GeoJSON, TopoJSON)
/// and indicator tables (CSV from Excel or GENESIS), joins and classifies them, and serves tiles,
/// legends and data over HTTP together with a map page.
#[derive(Debug, Parser)]
#[command(name = "quartier", version, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve an atlas over HTTP: PNG tiles, legends, data and the map page.
    ///
    /// SOURCE is an atlas manifest (.toml) or a boundary file (.shp, .zip, .geojson, .json,
    /// .topojson). A boundary file becomes one layer named after the file, with every numeric
    /// field as an indicator. Several sources merge their layers. With no SOURCE the bundled demo
    /// atlases are served: geodata/de/atlas.toml (the 401 German Kreise over the years) first,
    /// then geodata/atlas.toml (Boston, North Carolina, Montréal, London).
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(ServeArgs),
    /// Describe one boundary file: format, CRS, codepage, fields, counts, bounds and validity.
    ///
    /// Like `ogrinfo` for district layers: run it before writing a manifest.
    #[command(after_help = INSPECT_EXAMPLES)]
    Inspect(InspectArgs),
    /// Load an atlas exactly as the server will and print its validation and join reports.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Aggregate points or finer units into districts: one CSV row per district.
    Aggregate(crate::aggregate_cmd::AggregateArgs),
    /// Print one map as PNG, SVG or PDF, with the live map's classes, colours and legend.
    Render(crate::print_cmd::RenderArgs),
    /// Write a layer's report as one PDF: title page, a map per indicator, a profile per
    /// district, sources.
    Report(crate::print_cmd::ReportArgs),
    /// Write one indicator's tiles into a PMTiles or MBTiles archive, on every core.
    ///
    /// The tiles are those `quartier serve` answers for the same style, byte for byte; the
    /// archive carries the bounds, zooms, attribution and legend. For static hosts, CDNs and
    /// GIS clients (QGIS reads both formats).
    Seed(crate::seed_cmd::SeedArgs),
    /// Write the atlas as a static site (page, JSON, legends, one PMTiles archive per indicator)
    /// for any web host, object storage or CDN, with no Quartier process (docs/deploy.md).
    Export(crate::export_cmd::ExportArgs),
}

/// What a boundary file does not say about itself.
#[derive(Debug, Clone, Default, Args)]
pub struct ImportFlags {
    /// CRS of the coordinates, when the file has no .prj or it is wrong
    /// (EPSG:25832, 31467, a +proj string or WKT).
    #[arg(long, value_name = "CRS")]
    pub crs: Option<String>,
    /// Text encoding of the DBF, when .cpg, header and detection are wrong
    /// (UTF-8, cp1252, ISO-8859-1, 850).
    #[arg(long, value_name = "ENCODING")]
    pub encoding: Option<String>,
    /// Field holding the district key (kept as text: leading zeros stay).
    #[arg(long, value_name = "FIELD")]
    pub id_field: Option<String>,
    /// Field holding the district name shown on hover and in the profile.
    #[arg(long, value_name = "FIELD")]
    pub name_field: Option<String>,
}

impl ImportFlags {
    /// The import options these flags give.
    pub fn options(&self) -> ImportOptions {
        ImportOptions {
            crs: self.crs.clone(),
            encoding: self.encoding.clone(),
            id_field: self.id_field.clone(),
            name_field: self.name_field.clone(),
            ..ImportOptions::default()
        }
    }
}

/// The style of tiles, as the query parameters of a tile URL (`docs/api.md`): each flag is one
/// parameter, `--style KEY=VALUE` any other. Shared by `seed`, `render` and `report`, so the
/// three take the same style as the tile URLs.
#[derive(Debug, Clone, Default, Args)]
pub struct StyleFlags {
    /// Classification: quantile, equal, jenks, stddev, pretty or manual [default: the manifest's].
    #[arg(long, value_name = "METHOD")]
    pub method: Option<String>,
    /// Number of classes, 2 to 9.
    #[arg(long, value_name = "N")]
    pub classes: Option<String>,
    /// Colour scheme (YlOrRd, Blues, RdBu, viridis, ...).
    #[arg(long, value_name = "NAME")]
    pub palette: Option<String>,
    /// Class breaks for --method manual, comma-separated.
    #[arg(long, value_name = "B1,B2,...", allow_hyphen_values = true)]
    pub breaks: Option<String>,
    /// Centre of a diverging palette: a number or `mean`.
    #[arg(long, value_name = "VALUE", allow_hyphen_values = true)]
    pub centre: Option<String>,
    /// Border width in pixels, 0 to 4.
    #[arg(long, value_name = "PX")]
    pub border: Option<String>,
    /// The period (year) shown [default: each indicator's latest].
    #[arg(long, value_name = "YEAR")]
    pub period: Option<String>,
    /// A change map: the value of --period (or the latest) minus that of this period.
    #[arg(long, value_name = "YEAR")]
    pub compare: Option<String>,
    /// With --compare: `absolute` (percentage points for shares) or `percent`.
    #[arg(long, value_name = "KIND")]
    pub change: Option<String>,
    /// Classify over `all` periods pooled (the default for indicators with periods: a colour
    /// means the same in every year) or over this `period` only.
    #[arg(long, value_name = "SCOPE")]
    pub scope: Option<String>,
    /// Any other style parameter of the tile URL; repeat for more.
    #[arg(long = "style", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub extra: Vec<(String, String)>,
}

fn parse_key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("{text:?} is not KEY=VALUE (e.g. --style border=0)")),
    }
}

impl StyleFlags {
    /// The style, built from key/value pairs exactly as the HTTP query builds it.
    pub fn style(&self) -> quartier_atlas::Style {
        let named = [
            ("method", &self.method),
            ("classes", &self.classes),
            ("palette", &self.palette),
            ("breaks", &self.breaks),
            ("centre", &self.centre),
            ("border", &self.border),
            ("period", &self.period),
            ("compare", &self.compare),
            ("change", &self.change),
            ("scope", &self.scope),
        ];
        let pairs = named
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_string(), v.clone())))
            .chain(self.extra.iter().cloned());
        quartier_atlas::Style::from_pairs(pairs)
    }
}

/// `quartier serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Atlas manifests (.toml) or boundary files to serve [default: geodata/atlas.toml].
    #[arg(value_name = "SOURCE")]
    pub sources: Vec<PathBuf>,
    /// Address to listen on; port 0 picks a free port.
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:8080",
        env = "QUARTIER_BIND"
    )]
    pub bind: SocketAddr,
    /// Import options for boundary-file sources (manifests set these per layer).
    #[command(flatten)]
    pub import: ImportFlags,
    /// Memory for rendered tiles, in MiB.
    #[arg(long, value_name = "MB", default_value_t = quartier_server::state::DEFAULT_CACHE_MB, env = "QUARTIER_CACHE_MB")]
    pub cache_mb: u64,
    /// Keep no rendered tiles: render every request (for benchmarks of the renderer).
    #[arg(long, conflicts_with = "cache_mb", env = "QUARTIER_NO_CACHE")]
    pub no_cache: bool,
    /// Restyled tiles (a tile in a new style, made from its kept district raster) in the
    /// renderer's exact bytes, compressed again, instead of its exact pixels behind a new palette
    /// (microseconds; the default).
    #[arg(long)]
    pub exact_tiles: bool,
    /// Folder of the map page [default: web/ in the current directory or the checkout].
    #[arg(long, value_name = "DIR", env = "QUARTIER_WEB")]
    pub web: Option<PathBuf>,
    /// Limits on clients: timeouts and the connection cap (see SECURITY.md).
    #[command(flatten)]
    pub limits: LimitFlags,
    /// The address clients reach this server at (e.g. <https://maps.example.org>, behind a
    /// proxy), used for absolute URLs in TileJSON. Without it those URLs are root-relative;
    /// they are never built from the request's Host header.
    #[arg(long, value_name = "URL", value_parser = quartier_server::http::parse_public_url)]
    pub public_url: Option<String>,
    /// Sites allowed to show the page in a frame (CSP frame-ancestors), separated by spaces:
    /// e.g. "'self' news.example.org", or 'self' for this server only [default: *, any
    /// site, for the page's embed snippets].
    #[arg(long, value_name = "SOURCES", value_parser = quartier_server::http::parse_frame_ancestors)]
    pub frame_ancestors: Option<String>,
    /// Folder for the versions the admin API stages and publishes (created if missing). The
    /// server starts on the last published version found there.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// File holding the admin token (at least 16 characters); turns the admin API on. Or set
    /// the environment variable QUARTIER_ADMIN_TOKEN. Never give the token itself as an option.
    #[arg(long, value_name = "FILE")]
    pub admin_token_file: Option<PathBuf>,
    /// A configuration file (quartier.toml) with any of these settings; flags and QUARTIER_*
    /// environment variables override it (docs/deploy.md).
    #[arg(long, value_name = "FILE", env = "QUARTIER_CONFIG")]
    pub config: Option<PathBuf>,
}

/// How long clients may take and how many may be connected (`quartier serve`).
#[derive(Debug, Clone, Args)]
pub struct LimitFlags {
    /// Seconds a client has to send a request's headers, counted from connecting or from the
    /// previous answer (so also the idle keep-alive timeout); slower connections are closed.
    #[arg(long, value_name = "SECS", default_value_t = quartier_server::serve::DEFAULT_HEADER_TIMEOUT_S,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: u64,
    /// Seconds a request may take to be answered; slower ones get 503 with Retry-After.
    #[arg(long, value_name = "SECS", default_value_t = quartier_server::serve::DEFAULT_REQUEST_TIMEOUT_S,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout: u64,
    /// Connections open at once; more wait in the kernel's queue. Keep it well below the
    /// open-file limit (`ulimit -n`).
    #[arg(long, value_name = "N", default_value_t = quartier_server::serve::DEFAULT_MAX_CONNECTIONS,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_connections: usize,
    /// Milliseconds a tile waits for a free render slot (one per core) before it is answered
    /// 503 with Retry-After.
    #[arg(long, value_name = "MS", default_value_t = quartier_server::state::DEFAULT_RENDER_WAIT_MS)]
    pub render_wait: u64,
}

impl LimitFlags {
    /// The connection limits these flags give.
    pub fn connection_limits(&self) -> quartier_server::serve::ConnectionLimits {
        quartier_server::serve::ConnectionLimits {
            header_timeout: std::time::Duration::from_secs(self.header_timeout),
            request_timeout: std::time::Duration::from_secs(self.request_timeout),
            max_connections: self.max_connections,
            ..Default::default()
        }
    }
}

/// `quartier inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The boundary file (.shp, .zip, .geojson, .json, .topojson), or a table (.csv, .tsv,
    /// .txt): then how it will be read (encoding, delimiter, decimal mark, header row, skipped
    /// title and note rows) and every column with its type and missing values.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Import options (`--encoding` also for tables).
    #[command(flatten)]
    pub import: ImportFlags,
    /// Tables: the field delimiter, e.g. ";" or "\t" [default: detected].
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// Tables: the decimal mark, "." or "," [default: detected].
    #[arg(long, value_name = "CHAR")]
    pub decimal: Option<char>,
    /// Tables: the 1-based line of the header row [default: detected].
    #[arg(long, value_name = "LINE")]
    pub header_row: Option<usize>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `quartier check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The atlas manifest.
    #[arg(value_name = "ATLAS.toml")]
    pub atlas: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_defaults() {
        let cli = Cli::try_parse_from(["quartier", "serve"]).unwrap();
        let Command::Serve(s) = cli.command else {
            panic!("not serve")
        };
        assert!(s.sources.is_empty());
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.cache_mb, 64);
        assert!(!s.no_cache);
    }

    #[test]
    fn serve_with_everything() {
        let cli = Cli::try_parse_from([
            "quartier",
            "serve",
            "a.toml",
            "nc.shp",
            "--bind",
            "0.0.0.0:0",
            "--crs",
            "EPSG:4269",
            "--id-field",
            "GEOID",
            "--cache-mb",
            "8",
        ])
        .unwrap();
        let Command::Serve(s) = cli.command else {
            panic!("not serve")
        };
        assert_eq!(s.sources.len(), 2);
        assert_eq!(s.bind.port(), 0);
        assert_eq!(s.import.options().crs.as_deref(), Some("EPSG:4269"));
        assert_eq!(s.import.options().id_field.as_deref(), Some("GEOID"));
        assert_eq!(s.cache_mb, 8);
    }

    #[test]
    fn seed_flags_build_the_style_of_the_query() {
        let cli = Cli::try_parse_from([
            "quartier",
            "seed",
            "a.toml",
            "--layer",
            "nc",
            "--method",
            "jenks",
            "--classes",
            "4",
            "--style",
            "palette=Blues",
            "--zoom",
            "3-5",
            "--bbox",
            "-80,34,-78,36",
            "-o",
            "x.pmtiles",
        ])
        .unwrap();
        let Command::Seed(s) = cli.command else {
            panic!("not seed")
        };
        assert_eq!(
            s.style.style(),
            quartier_atlas::Style::from_pairs([
                ("method", "jenks"),
                ("classes", "4"),
                ("palette", "Blues")
            ])
        );
        assert_eq!(s.zoom, crate::seed_cmd::Zooms(3, 5));
        assert_eq!(
            s.bbox,
            Some(crate::seed_cmd::Bbox([-80.0, 34.0, -78.0, 36.0]))
        );
        assert!(Cli::try_parse_from([
            "quartier",
            "seed",
            "a.toml",
            "--style",
            "x",
            "-o",
            "o.pmtiles"
        ])
        .is_err());
    }

    #[test]
    fn bad_bind_address_is_a_usage_error() {
        let err = Cli::try_parse_from(["quartier", "serve", "--bind", "localhost"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn inspect_and_check() {
        let cli = Cli::try_parse_from([
            "quartier",
            "inspect",
            "x.shp",
            "--json",
            "--encoding",
            "cp1252",
        ])
        .unwrap();
        let Command::Inspect(i) = cli.command else {
            panic!("not inspect")
        };
        assert!(i.json);
        assert_eq!(i.import.encoding.as_deref(), Some("cp1252"));
        let cli = Cli::try_parse_from(["quartier", "check", "a.toml"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Check(CheckArgs { json: false, .. })
        ));
    }

    #[test]
    fn help_teaches_with_examples() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("quartier serve nc.shp"), "{help}");
        let mut cmd = Cli::command();
        let serve = cmd.find_subcommand_mut("serve").unwrap();
        let help = serve.render_long_help().to_string();
        assert!(help.contains("--bind"));
        assert!(help.contains("/tiles/{layer}/{ind}/{z}/{x}/{y}.png"));
    }
}
