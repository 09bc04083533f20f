//! The subcommands: thin calls into `quartier-geo` and `quartier_server`.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use quartier_atlas::manifest::LoadedAtlas as Atlas;
use quartier_atlas::Restyle;
use quartier_geo::import::read_layer;
use quartier_server::admin::Admin;
use quartier_server::reload::{LiveApp, Reloader};
use quartier_server::serve;
use quartier_server::source;
use quartier_server::state::ServerOptions;

use crate::flags::{CheckArgs, InspectArgs, ServeArgs};

/// Exit status when the data was read but is not usable.
const NOT_USABLE: u8 = 1;

/// The error and its causes on one line (see [`quartier_server::error::error_chain`]).
pub fn error_chain(err: &anyhow::Error) -> String {
    quartier_server::error::error_chain(err.as_ref())
}

/// Print to stdout; a closed pipe surfaces as an `io::Error` that `main` treats as success.
fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

fn to_json(value: &impl serde::Serialize) -> anyhow::Result<String> {
    serde_json::to_string_pretty(value).context("cannot write the report as JSON")
}

/// `quartier inspect FILE`.
pub fn inspect(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let is_table = args.file.extension().is_some_and(|e| {
        ["csv", "tsv", "txt"]
            .iter()
            .any(|t| e.eq_ignore_ascii_case(t))
    });
    if is_table {
        return inspect_table(args);
    }
    let imported = read_layer(&args.file, &args.import.options())
        .with_context(|| format!("cannot inspect {}", args.file.display()))?;
    let report = &imported.report;
    if args.json {
        print(&to_json(report)?)?;
    } else {
        print(&report.to_string())?;
    }
    Ok(if report.validation.is_usable() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(NOT_USABLE)
    })
}

/// `quartier inspect TABLE.csv`: how the table will be read, before a manifest names it.
fn inspect_table(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let delimiter = match args.delimiter.as_deref() {
        None => None,
        Some("\\t" | "\t" | "tab") => Some(b'\t'),
        Some(d) if d.len() == 1 => Some(d.as_bytes()[0]),
        Some(d) => anyhow::bail!("--delimiter {d:?}: give one character, e.g. \";\" or \"\\t\""),
    };
    let options = quartier_geo::table::TableOptions {
        delimiter,
        encoding: args.import.encoding.clone(),
        decimal: args.decimal,
        header_row: args.header_row,
    };
    let table = quartier_geo::table::Table::read(&args.file, &options)
        .with_context(|| format!("cannot inspect {}", args.file.display()))?;
    let report = table.inspect();
    if args.json {
        print(&to_json(&report)?)?;
    } else {
        print(&report.to_string())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `quartier check ATLAS.toml`.
pub fn check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let (_, report) = Atlas::load(&args.atlas)
        .with_context(|| format!("cannot load atlas {}", args.atlas.display()))?;
    tracing::debug!(elapsed = ?started.elapsed(), "atlas loaded");
    // The same guards as `serve` and every reload: what fails them never goes live.
    let guards = quartier_server::guards::check_publishable(std::slice::from_ref(&report));
    // A layer without indicators is a map with nothing to show: `serve` still publishes its
    // outlines, but `check` says the atlas is not ready.
    let empty: Vec<&str> = report
        .layers
        .iter()
        .filter(|l| l.indicators.is_empty())
        .map(|l| l.id.as_str())
        .collect();
    let publishable = report.is_usable() && guards.is_ok();
    let usable = publishable && empty.is_empty();
    if args.json {
        print(&to_json(&report)?)?;
    } else {
        print(&report.to_string())?;
        if let Err(e) = &guards {
            print(&format!("\n{e}"))?;
        }
        for id in &empty {
            print(&format!(
                "\nlayer {id:?} publishes no indicator: add [[layer.indicator]] entries (a field, \
                 numerator and denominator, or a density; docs/manifest.md); the map page would \
                 show its outlines only"
            ))?;
        }
        let verdict = if usable {
            "usable: `quartier serve` will publish it"
        } else if publishable {
            "NOT usable: a layer publishes no indicator (see above); `quartier serve` would show \
             its outlines only"
        } else {
            "NOT usable: fix the errors above; `quartier serve` will refuse it"
        };
        print(&format!("\natlas {}: {verdict}", args.atlas.display()))?;
    }
    if let (true, Err(e)) = (args.json, &guards) {
        tracing::error!("{e}");
    }
    Ok(if usable {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(NOT_USABLE)
    })
}

/// The admin token from QUARTIER_ADMIN_TOKEN or `--admin-token-file`, if either is set.
fn admin_token(args: &ServeArgs) -> anyhow::Result<Option<String>> {
    if let Ok(token) = std::env::var("QUARTIER_ADMIN_TOKEN") {
        if !token.trim().is_empty() {
            return Ok(Some(token));
        }
    }
    match &args.admin_token_file {
        Some(path) => {
            let bytes = quartier_geo::limits::read_file(path, 4096, "an admin token file")
                .with_context(|| format!("cannot read the admin token file {}", path.display()))?;
            Ok(Some(String::from_utf8_lossy(&bytes).trim().to_string()))
        }
        None => Ok(None),
    }
}

/// The URL to open for a bound address (an unspecified address is reachable on loopback).
fn url_to_open(addr: SocketAddr) -> String {
    let ip = if addr.ip().is_unspecified() {
        match addr {
            SocketAddr::V4(_) => "127.0.0.1".to_string(),
            SocketAddr::V6(_) => "[::1]".to_string(),
        }
    } else {
        match addr {
            SocketAddr::V4(a) => a.ip().to_string(),
            SocketAddr::V6(a) => format!("[{}]", a.ip()),
        }
    };
    format!("http://{ip}:{}/", addr.port())
}

/// `quartier serve [SOURCE...]`.
pub fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let sources = if args.sources.is_empty() {
        source::default_atlases()?
    } else {
        args.sources.clone()
    };
    let web_dir = match args.web.clone() {
        Some(dir) => Some(dir),
        None => source::default_web_dir(),
    };
    if web_dir.is_none() {
        tracing::warn!("no map page found (web/index.html); serving the API only");
    }
    let options = ServerOptions {
        cache_bytes: if args.no_cache {
            0
        } else {
            args.cache_mb.saturating_mul(1024 * 1024)
        },
        web_dir,
        render_threads: 0,
        restyle: if args.exact_tiles {
            Restyle::Exact
        } else {
            Restyle::Spliced
        },
        public_url: args.public_url.clone(),
        frame_ancestors: args.frame_ancestors.clone(),
        render_wait: std::time::Duration::from_millis(args.limits.render_wait),
    };
    let token = admin_token(&args)?;
    let sources = match (&token, &args.data_dir) {
        (Some(_), None) => {
            anyhow::bail!("the admin API needs --data-dir DIR, a folder for its versions")
        }
        (Some(_), Some(dir)) => match Admin::published_manifest(dir) {
            Some(manifest) => {
                tracing::info!(
                    manifest = %manifest.display(),
                    "starting on the version last published with the admin API"
                );
                vec![manifest]
            }
            None => sources,
        },
        (None, _) => sources,
    };
    // Loaded and checked by the publish guards, as every reload will be.
    let reloader = Reloader::new(sources, args.import.options(), options);
    let state = reloader.start()?;
    for layer in &state.layers {
        tracing::info!(
            layer = %layer.id(),
            districts = layer.atlas.layer.districts.len(),
            indicators = layer.atlas.indicators.len(),
            "layer loaded"
        );
        if layer.atlas.indicators.is_empty() {
            tracing::warn!(
                layer = %layer.id(),
                "the layer publishes no indicator: the map page shows its outlines only (a \
                 boundary file publishes its numeric fields; a manifest needs [[layer.indicator]] \
                 entries, see docs/manifest.md)"
            );
        }
    }
    tracing::info!(
        load = ?started.elapsed(),
        version = %state.version,
        "atlas ready"
    );
    // This runtime accepts connections, waits for signals and reloads: the connections are
    // served on one thread per core, each with its own runtime (`workers.rs`).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let (listener, addr) = serve::bind(args.bind).await?;
        tracing::info!(
            "Quartier is serving {} layer(s) on {addr}; open {} (ready {:.0?} after start)",
            state.layers.len(),
            url_to_open(addr),
            started.elapsed()
        );
        tracing::info!("send SIGHUP (kill -HUP {}) to reload the data; if it fails to load, the current data stays live", std::process::id());
        let limits = args.limits.connection_limits();
        let live = LiveApp::new(state);
        let admin = match (token, &args.data_dir) {
            (Some(token), Some(dir)) => {
                tracing::info!(data_dir = %dir.display(), "admin API on (/admin/...)");
                Some(Admin::new(&token, dir, live.clone(), reloader.clone())?)
            }
            _ => None,
        };
        serve::serve(listener, live, Some(reloader), limits, admin).await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_to_open() {
        assert_eq!(
            url_to_open("127.0.0.1:8080".parse().unwrap()),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(
            url_to_open("0.0.0.0:3000".parse().unwrap()),
            "http://127.0.0.1:3000/"
        );
        assert_eq!(url_to_open("[::]:80".parse().unwrap()), "http://[::1]:80/");
    }

    #[test]
    fn chains_leave_out_quoted_causes() {
        #[derive(Debug, thiserror::Error)]
        #[error("layer \"nc\": {0}")]
        struct Outer(#[source] std::io::Error);
        let inner = std::io::Error::other("nc.shp has no .prj file");
        let err = anyhow::Error::new(Outer(inner)).context("cannot load geodata/atlas.toml");
        assert_eq!(
            error_chain(&err),
            "cannot load geodata/atlas.toml: layer \"nc\": nc.shp has no .prj file"
        );
    }
}
