//! `vt`: the VirusTotal command line.
//!
//! A thin layer over `vt-api`: argument parsing ([`cli`]), configuration ([`config`]),
//! output formats ([`output`]), batches that never lose work ([`batch`]), exit codes
//! ([`exit`]) and one module per command family ([`commands`]). The user guide is
//! `docs/cli.md`.
// The doc comments of `cli` are clap's help text, where URLs stay plain text.
#![allow(rustdoc::bare_urls)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod batch;
mod cache_config;
mod cli;
mod command_line;
mod commands;
mod config;
mod config_file;
mod exit;
mod item_error;
mod logging;
mod man;
mod output;
mod progress;
mod signals;
mod version;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::command_line::Cli;
use crate::exit::{CliError, Exit};

fn main() -> ExitCode {
    // A non-UTF-8 argument: clap would say "invalid UTF-8" without naming it.
    if let Some((i, arg)) = std::env::args_os()
        .enumerate()
        .skip(1)
        .find(|(_, a)| a.to_str().is_none())
    {
        eprintln!(
            "vt: argument {i} ({}) is not valid UTF-8; pass such paths through stdin with `-`, or rename them",
            arg.to_string_lossy().escape_debug()
        );
        return ExitCode::from(2);
    }
    let matches = match without_empty_env(
        Cli::command()
            .version(version::long())
            .subcommand(man::command()),
    )
    .try_get_matches()
    {
        Ok(m) => m,
        Err(e) => usage_error(e),
    };
    if let Some(("generate-man", sub)) = matches.subcommand() {
        return man::run(sub);
    }
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => usage_error(e),
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

/// An environment variable set to the empty string (`VT_RATE_LIMIT=`) means unset, for every
/// option read from the environment, as shells and `env -u` users expect.
fn without_empty_env(mut cmd: clap::Command) -> clap::Command {
    let empty: Vec<clap::Id> = cmd
        .get_arguments()
        .filter(|a| {
            a.get_env()
                .and_then(std::env::var_os)
                .is_some_and(|v| v.is_empty())
        })
        .map(|a| a.get_id().clone())
        .collect();
    for id in empty {
        cmd = cmd.mut_arg(id, |a| a.env(None::<&str>));
    }
    cmd
}

/// `vt emulator ...` for its help alone: a server, not a client, so its help lists no client
/// options (key, base URL, rate, formats, ...).
#[cfg(feature = "emulator")]
#[derive(clap::Parser)]
#[command(name = "vt emulator", about = "The local VirusTotal emulator")]
struct EmulatorHelp {
    #[command(subcommand)]
    command: cli::EmulatorCommand,
}

/// Prints the help of `vt emulator ...` without the client options and exits, when that is
/// what `args` ask for.
#[cfg(feature = "emulator")]
fn emulator_help(args: &[String]) {
    if args.get(1).map(String::as_str) != Some("emulator") {
        return;
    }
    let own = std::iter::once("vt emulator".to_owned()).chain(args.iter().skip(2).cloned());
    if let Err(e) = EmulatorHelp::command().try_get_matches_from(own)
        && matches!(
            e.kind(),
            clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        )
    {
        e.exit()
    }
}

/// Help and version go out as clap prints them; every other argument error is one line on
/// stderr (the error, then clap's extra lines such as the possible values, joined), exit 2.
fn usage_error(e: clap::Error) -> ! {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        #[cfg(feature = "emulator")]
        emulator_help(&std::env::args().collect::<Vec<_>>());
        e.exit()
    }
    let text = e.render().to_string();
    let parts: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("For more information") && !l.starts_with("Usage:")
        })
        .collect();
    let line = parts.join(" ");
    let line = line.strip_prefix("error: ").unwrap_or(&line);
    let _ = writeln!(std::io::stderr(), "vt: {}", logging::scrub(line));
    std::process::exit(2)
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
