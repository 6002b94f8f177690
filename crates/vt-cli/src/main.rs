//! `vt`: the VirusTotal command line.
//!
//! A thin layer over `vt-api`: argument parsing ([`cli`]), configuration ([`config`]),
//! output formats ([`output`]), batches that never lose work ([`batch`]), exit codes
//! ([`exit`]) and one module per command family ([`commands`]). The user guide is
//! `docs/cli.md`.

mod batch;
mod cli;
mod commands;
mod config;
mod exit;
mod logging;
mod output;
mod progress;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::Cli;
use crate::exit::{CliError, Exit};

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    logging::init(cli.global.verbose);
    let verbose = cli.global.verbose;
    let exit = match run(cli, &matches) {
        Ok(exit) => exit,
        Err(err) => {
            report(&err, verbose);
            err.exit
        }
    };
    exit.into()
}

fn run(cli: Cli, matches: &clap::ArgMatches) -> Result<Exit, CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            CliError::new(
                Exit::Transport,
                format!("cannot start the async runtime: {e}"),
            )
        })?;
    runtime.block_on(commands::dispatch(cli, matches))
}

fn report(err: &CliError, verbose: u8) {
    if err.message.is_empty() {
        return;
    }
    let mut stderr = std::io::stderr();
    let _ = writeln!(stderr, "vt: {}", logging::scrub(&err.message));
    if verbose > 0
        && let Some(detail) = &err.detail
    {
        let _ = writeln!(stderr, "vt:   {}", logging::scrub(detail));
    }
}
