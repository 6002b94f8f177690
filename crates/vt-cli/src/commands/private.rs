//! Private scanning: the options of `vt scan file --private` and `vt scan url --private`
//! (which run through [`super::scanning`] like public scans), `vt private file`,
//! `vt private analysis [--wait]`, `vt private url`, `vt private files`.
//!
//! Every object printed keeps its API type (`private_file`, `private_url`,
//! `private_analysis`), so private results are never mistaken for public ones downstream.

use clap::{Args, Subcommand};
use vt_api::private::PrivateScanOptions;
use vt_model::{FileHash, UrlId};

use crate::cli::{BatchArgs, PageArgs, ScanFileArgs};
use crate::commands::analyses::{Scope, analyses};
use crate::commands::files::parse_hash;
use crate::commands::urls::parse_url_or_id;
use crate::commands::{Context, list, lookup_batch};
use crate::exit::{CliError, CliResult, Exit};
use crate::output::Shape;

/// Private-scan options of `vt scan file`.
#[derive(Debug, Clone, Default, Args)]
pub struct PrivateFileScanArgs {
    /// Scan privately (Private Scanning licence): shared with no one, no antivirus verdicts,
    /// only sandbox and tool output; see `vt private`.
    #[arg(long, conflicts_with = "skip_known")]
    pub private: bool,
    /// Days VirusTotal keeps a private report (1 to 28) [default: the group's, 1].
    #[arg(long, value_name = "DAYS", requires = "private")]
    pub retention_days: Option<u32>,
    /// Where private data is stored: US or EU [default: the group's].
    #[arg(long, value_name = "REGION", requires = "private")]
    pub storage_region: Option<String>,
    /// Private scans: skip the sandboxes.
    #[arg(long, requires = "private")]
    pub disable_sandbox: bool,
    /// Private scans: let the sandbox reach the internet (true or false).
    #[arg(long, value_name = "BOOL", requires = "private")]
    pub enable_internet: Option<bool>,
    /// Private scans: intercept TLS in the sandbox (true or false).
    #[arg(long, value_name = "BOOL", requires = "private")]
    pub intercept_tls: Option<bool>,
    /// Private scans: the command line the sandbox runs the file with.
    #[arg(long, value_name = "ARGS", requires = "private")]
    pub command_line: Option<String>,
    /// Private scans: the sandbox's locale, e.g. EN_US, DE_DE.
    #[arg(long, value_name = "LOCALE", requires = "private")]
    pub locale: Option<String>,
}

/// Private-scan options of `vt scan url`.
#[derive(Debug, Clone, Default, Args)]
pub struct PrivateUrlScanArgs {
    /// Scan privately (Private Scanning licence); see `vt private`.
    #[arg(long)]
    pub private: bool,
    /// Days VirusTotal keeps a private report (1 to 28) [default: the group's, 1].
    #[arg(long, value_name = "DAYS", requires = "private")]
    pub retention_days: Option<u32>,
    /// Where private data is stored: US, CA, EU or GB [default: the group's].
    #[arg(long, value_name = "REGION", requires = "private")]
    pub storage_region: Option<String>,
    /// Private scans: the sandboxes to open the URL in, comma-separated (e.g.
    /// chrome_headless_linux,cape_win,zenbox_windows).
    #[arg(long, value_name = "LIST", value_delimiter = ',', requires = "private")]
    pub sandboxes: Vec<String>,
    /// Private scans: the User-Agent the sandbox browses with.
    #[arg(long, value_name = "UA", requires = "private")]
    pub user_agent: Option<String>,
}

/// `vt private`.
#[derive(Debug, Subcommand)]
pub enum PrivateCommand {
    /// Private file reports by MD5/SHA-1/SHA-256; `-` reads stdin.
    File(PrivateIdsArgs),
    /// Private analyses by id; `--wait` waits for them to complete.
    Analysis(PrivateAnalysisArgs),
    /// Private URL reports by URL or URL identifier; `-` reads stdin.
    Url(PrivateIdsArgs),
    /// The files you scanned privately, by SHA-256.
    Files(PrivateFilesArgs),
}

/// `vt private file|url`.
#[derive(Debug, Args)]
pub struct PrivateIdsArgs {
    /// Identifiers, or `-` for stdin (one per line).
    #[arg(required = true, value_name = "ID|-")]
    pub inputs: Vec<String>,
    /// Batch options.
    #[command(flatten)]
    pub batch: BatchArgs,
}

/// `vt private analysis`.
#[derive(Debug, Args)]
pub struct PrivateAnalysisArgs {
    /// Private analysis ids, or `-` for stdin.
    #[arg(required = true, value_name = "ID|-")]
    pub ids: Vec<String>,
    /// Wait for each analysis to complete.
    #[arg(short, long)]
    pub wait: bool,
    /// Batch options.
    #[command(flatten)]
    pub batch: BatchArgs,
}

/// `vt private files`.
#[derive(Debug, Args)]
pub struct PrivateFilesArgs {
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
}

/// The library options of `vt scan file --private`, checked by the library's rules.
pub(crate) fn file_options(args: &ScanFileArgs) -> CliResult<PrivateScanOptions> {
    let p = &args.private;
    let mut o = PrivateScanOptions::new();
    if let Some(pw) = &args.password {
        o = o.password(pw.clone());
    }
    if let Some(d) = p.retention_days {
        o = o.retention_period_days(d);
    }
    if let Some(r) = &p.storage_region {
        o = o.storage_region(r.clone());
    }
    if p.disable_sandbox {
        o = o.disable_sandbox(true);
    }
    if let Some(b) = p.enable_internet {
        o = o.enable_internet(b);
    }
    if let Some(b) = p.intercept_tls {
        o = o.intercept_tls(b);
    }
    if let Some(c) = &p.command_line {
        o = o.command_line(c.clone());
    }
    if let Some(l) = &p.locale {
        o = o.locale(l.clone());
    }
    o.check_for_file().map_err(|e| usage(&e))?;
    Ok(o)
}

/// The library options of `vt scan url --private`, checked by the library's rules.
pub(crate) fn url_options(args: &PrivateUrlScanArgs) -> CliResult<PrivateScanOptions> {
    let mut o = PrivateScanOptions::new();
    if let Some(d) = args.retention_days {
        o = o.retention_period_days(d);
    }
    if let Some(r) = &args.storage_region {
        o = o.storage_region(r.clone());
    }
    if !args.sandboxes.is_empty() {
        o = o.sandboxes(args.sandboxes.clone());
    }
    if let Some(ua) = &args.user_agent {
        o = o.user_agent(ua.clone());
    }
    o.check_for_url().map_err(|e| usage(&e))?;
    Ok(o)
}

fn usage(err: &vt_api::Error) -> CliError {
    CliError::usage(crate::exit::error_chain(err))
}

/// `vt private ...`.
pub async fn run(ctx: &Context, cmd: PrivateCommand) -> CliResult<Exit> {
    match cmd {
        PrivateCommand::File(args) => {
            let fetch = |c: crate::commands::ApiClient, hash: FileHash| async move {
                c.private().file_json(&hash).await
            };
            lookup_batch(
                ctx,
                &args.inputs,
                &args.batch,
                "private_file",
                parse_hash,
                fetch,
            )
            .await
        }
        PrivateCommand::Url(args) => {
            let fetch = |c: crate::commands::ApiClient, id: UrlId| async move {
                let report = c.private().url(&id).await?;
                Ok::<_, vt_api::Error>(report.into_inner())
            };
            lookup_batch(
                ctx,
                &args.inputs,
                &args.batch,
                "private_url",
                parse_url_or_id,
                fetch,
            )
            .await
        }
        PrivateCommand::Analysis(args) => {
            analyses(ctx, Scope::Private, &args.ids, args.wait, &args.batch).await
        }
        PrivateCommand::Files(args) => {
            let client = ctx.client()?;
            let pages = client.private().files();
            list(ctx, pages, &args.page, "private files", Shape::Many).await
        }
    }
}
