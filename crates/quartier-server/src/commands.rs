//! The subcommands: thin calls into `quartier-geo` and `quartier_server`.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use quartier_atlas::manifest::LoadedAtlas as Atlas;
use quartier_geo::import::read_layer;
use quartier_server::reload::{LiveApp, Reloader};
use quartier_server::serve;
use quartier_server::source;
use quartier_server::state::{AppState, ServerOptions};

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

/// `quartier check ATLAS.toml`.
pub fn check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let (_, report) = Atlas::load(&args.atlas)
        .with_context(|| format!("cannot load atlas {}", args.atlas.display()))?;
    tracing::debug!(elapsed = ?started.elapsed(), "atlas loaded");
    if args.json {
        print(&to_json(&report)?)?;
    } else {
        print(&report.to_string())?;
        let verdict = if report.is_usable() {
            "usable: `quartier serve` will publish it"
        } else {
            "NOT usable: fix the errors above"
        };
        print(&format!("\natlas {}: {verdict}", args.atlas.display()))?;
    }
    Ok(if report.is_usable() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(NOT_USABLE)
    })
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
        vec![source::default_atlas()?]
    } else {
        args.sources.clone()
    };
    let (atlas, reports) = source::load_all(&sources, &args.import.options())?;
    for report in &reports {
        if !report.is_usable() {
            tracing::warn!(
                "{} has districts that cannot be used; they are left out of the map \
                 (run `quartier check` for the details)",
                report.path.display()
            );
        }
    }
    for layer in &atlas.layers {
        tracing::info!(
            layer = %layer.id,
            districts = layer.layer.districts.len(),
            indicators = layer.indicators.len(),
            "layer loaded"
        );
    }
    let loaded = started.elapsed();
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
    };
    let reloader = Reloader {
        sources,
        import: args.import.options(),
        options: options.clone(),
    };
    let mut state = AppState::new(atlas, &options);
    state.load_time += loaded;
    let state = Arc::new(state);
    tracing::info!(
        load = ?loaded,
        prepare = ?(started.elapsed() - loaded),
        version = %state.version,
        "atlas ready"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
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
        serve::serve(listener, LiveApp::new(state), Some(reloader)).await?;
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
