//! The [`Context`] every command gets: settings, output options, progress, and the API
//! client built on first use.

use std::sync::OnceLock;

use clap::ArgMatches;

use crate::batch::BatchSettings;
use crate::cli::{BatchArgs, GlobalArgs};
use crate::commands::client::ApiClient;
use crate::config::Settings;
use crate::exit::{CliError, CliResult};
use crate::output::fields::FieldFilter;
use crate::output::{OutputOptions, Printer, Shape};
use crate::progress::Progress;

/// What every command gets: settings, output options, progress, and the client (built on
/// first use, so local commands never need a key).
pub struct Context {
    /// Effective settings.
    pub settings: Settings,
    /// Output options.
    pub output: OutputOptions,
    /// Progress bars on stderr.
    pub progress: Progress,
    /// How `--wait` polls an analysis (`--wait-timeout`).
    pub wait: vt_api::WaitOptions,
    client: OnceLock<ApiClient>,
}

impl Context {
    /// Builds the context from the parsed global options (`creating`: the command is
    /// `vt config init`, which may run before any configuration exists).
    pub fn new(global: &GlobalArgs, matches: &ArgMatches, creating: bool) -> CliResult<Context> {
        let settings = Settings::resolve(global, matches, creating)?;
        let filter =
            FieldFilter::parse(&global.include, &global.exclude).map_err(CliError::usage)?;
        let output = OutputOptions::new(settings.format.0, filter, global.identifiers_only);
        let progress = Progress::new(settings.quiet);
        let mut wait = vt_api::WaitOptions::new();
        if let Some(timeout) = global.wait_timeout {
            wait = wait.timeout(timeout);
        }
        Ok(Context {
            settings,
            output,
            progress,
            wait,
            client: OnceLock::new(),
        })
    }

    /// A printer on stdout.
    pub fn printer(&self, shape: Shape) -> Printer {
        Printer::stdout(self.output.clone(), shape)
    }

    /// The settings of a batch over `kind` objects.
    pub fn batch<'a>(&self, kind: &'a str, args: &'a BatchArgs) -> BatchSettings<'a> {
        BatchSettings {
            kind,
            args,
            concurrency: self.settings.concurrency.0,
            progress: self.progress,
            quiet: self.settings.quiet,
            resume_hint: crate::batch::resume_hint(std::env::args()),
        }
    }

    /// The API client (the key is required from here on).
    pub fn client(&self) -> CliResult<ApiClient> {
        if let Some(c) = self.client.get() {
            return Ok(c.clone());
        }
        let client = super::client::build_client(&self.settings)?;
        Ok(self.client.get_or_init(|| client).clone())
    }
}
