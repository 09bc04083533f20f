//! `quartier.toml`: every setting of `quartier serve` in one file, for operators who start the
//! server from systemd, a container or a deploy script.
//!
//! Precedence, highest first: command-line flags, `QUARTIER_*` environment variables (clap reads
//! them), the file, the built-in defaults. The file only fills what neither a flag nor a variable
//! set. Paths in the file are relative to the file's folder. Unknown keys are an error that names
//! the key, so a typo never silently falls back to a default.
//!
//! ```toml
//! sources = ["geodata/atlas.toml"]   # QUARTIER_* has no variable for sources: use the file or arguments
//! bind = "0.0.0.0:8080"              # QUARTIER_BIND
//! cache_mb = 256                     # QUARTIER_CACHE_MB
//! no_cache = false                   # QUARTIER_NO_CACHE
//! web = "web"                        # QUARTIER_WEB
//! public_url = "https://maps.example.org"
//! frame_ancestors = "'self' https://news.example.org"
//! data_dir = "/var/lib/quartier"      # with admin_token_file: the admin API
//! admin_token_file = "/etc/quartier/admin-token"
//! # For boundary-file sources:
//! crs = "EPSG:25832"
//! encoding = "cp1252"
//! id_field = "SCHLUESSEL"
//! name_field = "NAME"
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::parser::ValueSource;
use clap::ArgMatches;
use serde::Deserialize;

use crate::flags::ServeArgs;

/// The file's settings, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    sources: Option<Vec<PathBuf>>,
    bind: Option<SocketAddr>,
    cache_mb: Option<u64>,
    no_cache: Option<bool>,
    web: Option<PathBuf>,
    public_url: Option<String>,
    frame_ancestors: Option<String>,
    data_dir: Option<PathBuf>,
    admin_token_file: Option<PathBuf>,
    crs: Option<String>,
    encoding: Option<String>,
    id_field: Option<String>,
    name_field: Option<String>,
}

impl ServeConfig {
    /// Read and check a config file; relative paths become relative to its folder.
    pub fn read(path: &Path) -> anyhow::Result<ServeConfig> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        let mut config: ServeConfig = toml::from_str(&text).with_context(|| {
            format!(
                "config file {} is not valid (keys: sources, bind, cache_mb, no_cache, web, \
                 public_url, frame_ancestors, data_dir, admin_token_file, crs, encoding, \
                 id_field, name_field)",
                path.display()
            )
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let rebase = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = dir.join(&*p);
            }
        };
        config.sources.iter_mut().flatten().for_each(rebase);
        config.web.iter_mut().for_each(rebase);
        config.data_dir.iter_mut().for_each(rebase);
        config.admin_token_file.iter_mut().for_each(rebase);
        if let Some(url) = &config.public_url {
            quartier_server::http::parse_public_url(url)
                .map_err(|e| anyhow::anyhow!("config file {}: public_url: {e}", path.display()))?;
        }
        if let Some(sources) = &config.frame_ancestors {
            quartier_server::http::parse_frame_ancestors(sources).map_err(|e| {
                anyhow::anyhow!("config file {}: frame_ancestors: {e}", path.display())
            })?;
        }
        Ok(config)
    }
}

/// True when the setting `id` was not given as a flag or environment variable.
fn unset(matches: Option<&ArgMatches>, id: &str) -> bool {
    matches
        .and_then(|m| m.value_source(id))
        .is_none_or(|s| s == ValueSource::DefaultValue)
}

/// Fill what flags and environment variables left unset from the config file, if one is given.
pub fn apply(args: &mut ServeArgs, matches: Option<&ArgMatches>) -> anyhow::Result<()> {
    let Some(path) = args.config.clone() else {
        return Ok(());
    };
    let c = ServeConfig::read(&path)?;
    tracing::info!("settings from {}", path.display());
    if args.sources.is_empty() {
        args.sources = c.sources.unwrap_or_default();
    }
    if let (Some(v), true) = (c.bind, unset(matches, "bind")) {
        args.bind = v;
    }
    if let (Some(v), true) = (c.cache_mb, unset(matches, "cache_mb")) {
        args.cache_mb = v;
    }
    if let (Some(v), true) = (c.no_cache, unset(matches, "no_cache")) {
        args.no_cache = v;
    }
    for (flag, value) in [(&mut args.web, c.web), (&mut args.data_dir, c.data_dir)] {
        if flag.is_none() {
            *flag = value;
        }
    }
    if args.admin_token_file.is_none() {
        args.admin_token_file = c.admin_token_file;
    }
    if args.public_url.is_none() {
        args.public_url = c.public_url;
    }
    if args.frame_ancestors.is_none() {
        args.frame_ancestors = c.frame_ancestors.map(|s| s.trim().to_string());
    }
    let import = &mut args.import;
    for (flag, value) in [
        (&mut import.crs, c.crs),
        (&mut import.encoding, c.encoding),
        (&mut import.id_field, c.id_field),
        (&mut import.name_field, c.name_field),
    ] {
        if flag.is_none() {
            *flag = value;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::{Cli, Command};
    use clap::{CommandFactory, FromArgMatches};

    fn serve(args: &[&str], file: &str) -> ServeArgs {
        let dir = std::env::temp_dir().join(format!("quartier-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("quartier.toml");
        std::fs::write(&path, file).unwrap();
        let mut argv = vec!["quartier", "serve", "--config", path.to_str().unwrap()];
        argv.extend_from_slice(args);
        let matches = Cli::command().try_get_matches_from(argv).unwrap();
        let Command::Serve(mut s) = Cli::from_arg_matches(&matches).unwrap().command else {
            panic!("not serve")
        };
        apply(&mut s, matches.subcommand_matches("serve")).unwrap();
        s
    }

    #[test]
    fn the_file_fills_what_flags_leave_unset() {
        let s = serve(
            &["--cache-mb", "8"],
            "bind = \"0.0.0.0:3000\"\ncache_mb = 256\nsources = [\"a.toml\"]\ncrs = \"EPSG:25832\"\n",
        );
        assert_eq!(s.bind.to_string(), "0.0.0.0:3000");
        assert_eq!(s.cache_mb, 8, "the flag wins");
        assert!(s.sources[0].ends_with("a.toml") && s.sources[0].is_absolute());
        assert_eq!(s.import.crs.as_deref(), Some("EPSG:25832"));
    }

    #[test]
    fn unknown_keys_are_named() {
        let dir = std::env::temp_dir().join(format!("quartier-config-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("quartier.toml");
        std::fs::write(&path, "bnid = \"0.0.0.0:1\"\n").unwrap();
        let err = format!("{:#}", ServeConfig::read(&path).unwrap_err());
        assert!(err.contains("bnid"), "{err}");
    }
}
