//! `quartier aggregate`: points or finer units into districts, one CSV row per district.
//!
//! Glue only: the flags become [`AggregateOptions`], [`aggregate_files_with_progress`] does the
//! work, and the report goes to stderr so that the CSV can go to stdout.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use quartier_geo::aggregate::{
    aggregate_files_with_progress, AggregateOptions, AggregateSpec, AreaMode, Mean, SourceOptions,
};
use quartier_geo::crs::Crs;
use quartier_geo::import::ImportOptions;

/// Items below which no progress bar is shown.
const PROGRESS_MIN_ITEMS: usize = 50_000;

const AGGREGATE_EXAMPLES: &str = "\
Examples:
  Count docking stations per borough and sum their bikes:
    quartier aggregate cycle_hire.geojson --into londonBoroughs.json --sum nbikes -o boroughs.csv

  Addresses from a CSV in UTM metres, counted into Sozialräume:
    quartier aggregate kinder.csv --crs EPSG:25832 --x Rechtswert --y Hochwert --into sozialraeume.shp -o kinder.csv

  Census tracts dissolved into towns by their TOWN field, population-weighted mean of a share:
    quartier aggregate boston_tracts.shp --by-key TOWN --sum POP --mean LSTAT --weight POP -o towns.csv

  A 100 m grid apportioned by area, intersected in the grid's own CRS:
    quartier aggregate zensus_grid.shp --into bezirke.shp --sum Einwohner --area-crs EPSG:3035 -o bezirke.csv

Output: one row per district: id, name, count, FIELD_sum..., FIELD_mean..., area_km2 (geodesic).
The report (assigned, split, outside, skipped, with lines and features) goes to stderr.
Exit status: 0 success (skipped points are reported, not fatal), 2 an error.";

/// Flags of `quartier aggregate`.
#[derive(Debug, Clone, Args)]
#[command(after_help = AGGREGATE_EXAMPLES)]
pub struct AggregateArgs {
    /// Points (GeoJSON, point shapefile, CSV with coordinate columns) or finer units (any
    /// boundary file) to aggregate.
    #[arg(value_name = "SOURCE")]
    pub source: PathBuf,
    /// The district boundaries to aggregate into; may be left out with --by-key, which then
    /// dissolves the units into one district per key.
    #[arg(long, value_name = "DISTRICTS")]
    pub into: Option<PathBuf>,
    /// A numeric field to sum per district (output column FIELD_sum); repeat for more.
    #[arg(long, value_name = "FIELD")]
    pub sum: Vec<String>,
    /// A numeric field to average per district (output column FIELD_mean); repeat for more.
    #[arg(long, value_name = "FIELD")]
    pub mean: Vec<String>,
    /// The field that weights every --mean (e.g. the population for a share).
    #[arg(long, value_name = "FIELD", requires = "mean")]
    pub weight: Option<String>,
    /// Units carry their district's id in this field (without --into: dissolve by it).
    #[arg(long, value_name = "FIELD")]
    pub by_key: Option<String>,
    /// CRS of SOURCE when it does not say (a CSV or GeoJSON without one is WGS84 lon/lat).
    #[arg(long, value_name = "CRS")]
    pub crs: Option<String>,
    /// Text encoding of SOURCE (DBF codepage or CSV encoding).
    #[arg(long, value_name = "ENCODING")]
    pub encoding: Option<String>,
    /// CSV column of the x coordinate (default: lon, lng, longitude, x, easting, Rechtswert, ...).
    #[arg(long, value_name = "COLUMN")]
    pub x: Option<String>,
    /// CSV column of the y coordinate (default: lat, latitude, y, northing, Hochwert, ...).
    #[arg(long, value_name = "COLUMN")]
    pub y: Option<String>,
    /// CRS of DISTRICTS when it has no .prj.
    #[arg(long, value_name = "CRS")]
    pub into_crs: Option<String>,
    /// Field of DISTRICTS holding the district id.
    #[arg(long, value_name = "FIELD")]
    pub id_field: Option<String>,
    /// Field of DISTRICTS holding the district name.
    #[arg(long, value_name = "FIELD")]
    pub name_field: Option<String>,
    /// Intersect and measure units by area in this projected CRS (default: geodesic areas).
    #[arg(long, value_name = "CRS")]
    pub area_crs: Option<String>,
    /// Write counts and sums from 1 up to below N (and means of fewer than N items) as "."
    /// (small-number suppression).
    #[arg(long, value_name = "N")]
    pub suppress_below: Option<f64>,
    /// The CSV to write; `-` or nothing for stdout.
    #[arg(short = 'o', long, value_name = "OUT.csv")]
    pub output: Option<PathBuf>,
}

impl AggregateArgs {
    fn options(&self) -> anyhow::Result<AggregateOptions> {
        let area = match &self.area_crs {
            None => AreaMode::Geodesic,
            Some(text) => {
                AreaMode::Planar(Crs::parse(text).with_context(|| format!("--area-crs {text:?}"))?)
            }
        };
        Ok(AggregateOptions {
            source: SourceOptions {
                crs: self.crs.clone(),
                encoding: self.encoding.clone(),
                x: self.x.clone(),
                y: self.y.clone(),
                delimiter: None,
            },
            districts: ImportOptions {
                crs: self.into_crs.clone(),
                id_field: self.id_field.clone(),
                name_field: self.name_field.clone(),
                ..Default::default()
            },
            spec: AggregateSpec {
                sum: self.sum.clone(),
                mean: self
                    .mean
                    .iter()
                    .map(|f| Mean {
                        field: f.clone(),
                        weight: self.weight.clone(),
                    })
                    .collect(),
                key: self.by_key.clone(),
                area,
            },
        })
    }
}

/// `quartier aggregate SOURCE --into DISTRICTS ... -o OUT.csv`.
pub fn run(args: &AggregateArgs) -> anyhow::Result<ExitCode> {
    let opts = args.options()?;
    let mut bar: Option<indicatif::ProgressBar> = None;
    let show = std::io::stderr().is_terminal();
    let mut progress = |done: usize, total: usize| {
        if !show || total < PROGRESS_MIN_ITEMS {
            return;
        }
        let b = bar.get_or_insert_with(|| {
            let b = indicatif::ProgressBar::new(total as u64);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} {eta}")
            {
                b.set_style(style);
            }
            b
        });
        b.set_position(done as u64);
    };
    let out = aggregate_files_with_progress(
        &args.source,
        args.into.as_deref(),
        &opts,
        Some(&mut progress),
    )?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let districts = out.layer.districts.len();
    match args.output.as_deref() {
        Some(path) if path.as_os_str() != "-" => {
            write_atomically(path, |w| out.write_csv(w, args.suppress_below))?;
            eprint!("{}", out.report);
            eprintln!("wrote {districts} districts to {}", path.display());
        }
        _ => {
            let stdout = std::io::stdout();
            let mut w = stdout.lock();
            out.write_csv(&mut w, args.suppress_below)?;
            w.flush()?;
            eprint!("{}", out.report);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Write `path` through a temporary file in the same folder that is renamed over it at the end,
/// so a failed or interrupted run never leaves a half-written table where the last good one was.
fn write_atomically(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let tmp = path.with_file_name(format!(".{name}.quartier-tmp"));
    let result = (|| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        write(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        // Best effort: the temporary file is ours; the error that matters is the write's.
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::path::{Path, PathBuf};

    use clap::Parser;

    use crate::flags::{Cli, Command};

    fn fixture(rel: &str) -> String {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(rel)
            .display()
            .to_string()
    }

    fn args(list: &[&str]) -> super::AggregateArgs {
        let mut argv = vec!["quartier", "aggregate"];
        argv.extend_from_slice(list);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Aggregate(a) => a,
            other => panic!("parsed as {other:?}"),
        }
    }

    fn out_path(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("quartier-aggregate-cmd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    #[test]
    fn writes_one_row_per_borough() {
        let out = out_path("boroughs.csv");
        let src = fixture("london/cycle_hire.geojson");
        let into = fixture("london/londonBoroughs.json");
        let o = out.display().to_string();
        let a = args(&[
            &src,
            "--into",
            &into,
            "--sum",
            "nbikes",
            "--suppress-below",
            "40",
            "-o",
            &o,
        ]);
        assert_eq!(super::run(&a).unwrap(), std::process::ExitCode::SUCCESS);
        let text = std::fs::read_to_string(&out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 34);
        assert_eq!(lines[0], "id,name,count,nbikes_sum,area_km2");
        // Westminster: 173 stations, 1,337 bikes (shapely reference); the City's 38 are withheld.
        assert!(lines
            .iter()
            .any(|l| l.starts_with("Westminster,Westminster,173,1337,")));
        assert!(
            lines[33].starts_with("City of London,City of London,.,46,"),
            "{}",
            lines[33]
        );
    }

    #[test]
    fn means_need_fields_and_bad_fields_are_errors() {
        let src = fixture("boston_tracts/boston_tracts.shp");
        let a = args(&[
            &src, "--by-key", "TOWN", "--mean", "LSTAT", "--weight", "POP",
        ]);
        let opts = a.options().unwrap();
        assert_eq!(opts.spec.mean[0].weight.as_deref(), Some("POP"));
        assert_eq!(opts.spec.key.as_deref(), Some("TOWN"));
        // --weight without --mean is a usage error.
        let argv = ["quartier", "aggregate", "x.csv", "--weight", "POP"];
        assert!(Cli::try_parse_from(argv).is_err());
        // A field that does not exist: an error naming the file and the fields there are.
        let out = out_path("never.csv");
        let o = out.display().to_string();
        let a = args(&[&src, "--by-key", "TOWN", "--sum", "PEOPLE", "-o", &o]);
        let e = format!("{:#}", super::run(&a).unwrap_err());
        assert!(e.contains("has no field \"PEOPLE\""), "{e}");
        assert!(e.contains("POP"), "{e}");
        assert!(!out.exists());
        // A geographic area CRS is refused before anything is read.
        let a = args(&[&src, "--into", &src, "--area-crs", "EPSG:4326"]);
        let e = format!("{:#}", super::run(&a).unwrap_err());
        assert!(e.contains("planar areas need a projected CRS"), "{e}");
    }

    #[test]
    fn a_failed_write_keeps_the_last_good_file() {
        let dir = std::env::temp_dir().join(format!("quartier-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.csv");
        std::fs::write(&path, "id,count\nold,1\n").unwrap();
        let err = super::write_atomically(&path, |w| {
            w.write_all(b"id,count\nhalf")?;
            Err(std::io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(format!("{err:#}").contains("disk full"), "{err:#}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "id,count\nold,1\n");
        assert!(!dir.join(".out.csv.quartier-tmp").exists());

        super::write_atomically(&path, |w| w.write_all(b"id,count\nnew,2\n")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "id,count\nnew,2\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
