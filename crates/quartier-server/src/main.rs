//! The `quartier` command: `serve`, `inspect`, `check`, `aggregate`, `render`, `report`, `seed`
//! and `export`.
//!
//! Glue only: parse the command line, call `quartier-geo` and `quartier_server`, print.
//! `main` prints an error once with its causes and sets the exit status, as ripgrep does:
//! 0 success, 1 the data is not usable, 2 an error (clap's usage errors are 2 as well).

mod aggregate_cmd;
mod commands;
mod export_cmd;
mod flags;
mod print_cmd;
mod seed_cmd;
mod serve_config;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::flags::{Cli, Command};

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`quartier inspect x.shp | head`) is not an error.
            if err
                .chain()
                .filter_map(|e| e.downcast_ref::<std::io::Error>())
                .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("quartier: error: {}", commands::error_chain(&err));
            ExitCode::from(2)
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    init_logging();
    match cli.command {
        Command::Serve(mut args) => {
            serve_config::apply(&mut args, matches.subcommand_matches("serve"))?;
            commands::serve(args)
        }
        Command::Inspect(args) => commands::inspect(&args),
        Command::Check(args) => commands::check(&args),
        Command::Aggregate(args) => aggregate_cmd::run(&args),
        Command::Render(args) => print_cmd::render(&args),
        Command::Report(args) => print_cmd::report(&args),
        Command::Seed(args) => seed_cmd::run(&args),
        Command::Export(args) => export_cmd::run(&args),
    }
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`, but `usvg` only from `error`: it
/// warns about every use of the bundled minus-sign font, which is by design).
fn init_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,usvg=error"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
