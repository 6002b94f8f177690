//! Private scanning: `vt scan file --private`, `vt scan url --private`, `vt private file`,
//! `vt private analysis [--wait]`, `vt private url`, `vt private files`.
//!
//! Every object printed keeps its API type (`private_file`, `private_url`,
//! `private_analysis`), so private results are never mistaken for public ones downstream.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::Value;
use vt_api::private::PrivateScanOptions;
use vt_model::{AnalysisId, FileHash, PrivateAnalysisDocument, UrlId};

use crate::batch::{self, ItemError, collect_inputs, validate_all};
use crate::cli::{BatchArgs, PageArgs, ScanFileArgs, ScanUrlArgs};
use crate::commands::files::{check_file, parse_hash};
use crate::commands::urls::{check_url, parse_url_or_id};
use crate::commands::{Context, item_error, list, lookup_batch, shape_for, to_value};
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
fn file_options(args: &ScanFileArgs) -> CliResult<PrivateScanOptions> {
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

fn url_options(args: &PrivateUrlScanArgs) -> CliResult<PrivateScanOptions> {
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

/// The private analysis object with its envelope's `meta` kept as its `meta` member.
fn analysis_value(doc: &PrivateAnalysisDocument) -> Result<Value, ItemError> {
    let mut value = to_value(&doc.data)?;
    if let (Some(meta), Some(object)) = (doc.meta(), value.as_object_mut()) {
        object.insert("meta".into(), Value::Object(meta.clone()));
    }
    Ok(value)
}

/// Waits for a private analysis, with a spinner for a single input.
async fn wait_private(
    client: &crate::commands::ApiClient,
    id: &str,
    options: vt_api::WaitOptions,
    spinner: &indicatif::ProgressBar,
) -> Result<Value, ItemError> {
    let id: AnalysisId = id.parse().map_err(|e: vt_model::IdError| ItemError::Api {
        code: "InvalidArgumentError".into(),
        message: e.to_string(),
    })?;
    spinner.set_message(format!("waiting for private analysis {id}"));
    let doc = client
        .private()
        .wait(&id, options)
        .await
        .map_err(|e| item_error(&e))?;
    analysis_value(&doc)
}

/// `vt scan file --private`.
pub async fn scan_file(ctx: &Context, args: ScanFileArgs) -> CliResult<Exit> {
    let options = file_options(&args)?;
    let inputs = collect_inputs(&args.paths)?;
    let items = validate_all("file", inputs, |p| check_file(p, true))?;
    let client = ctx.client()?;
    let single = items.len() == 1;
    let mut printer = ctx.printer(shape_for(&items));
    let (wait, progress) = (args.wait, ctx.progress);
    let wait_options = &ctx.wait;
    let options = &options;
    batch::run(
        items,
        &mut printer,
        ctx.batch("file", &args.batch),
        |_, path: PathBuf| {
            let client = client.clone();
            async move {
                let bar = if single {
                    progress.bytes(
                        std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
                        "upload",
                    )
                } else {
                    indicatif::ProgressBar::hidden()
                };
                let b = bar.clone();
                let options = options.clone().progress(move |done, total| {
                    if total > 0 {
                        b.set_length(total);
                    }
                    b.set_position(done);
                });
                let sent = client.private().upload_with(&path, options).await;
                bar.finish_and_clear();
                let descriptor = sent.map_err(|e| item_error(&e))?;
                if !wait {
                    return to_value(&descriptor);
                }
                let spinner = if single {
                    progress.spinner("")
                } else {
                    indicatif::ProgressBar::hidden()
                };
                let r = wait_private(
                    &client,
                    descriptor.get().id_str(),
                    wait_options.clone(),
                    &spinner,
                )
                .await;
                spinner.finish_and_clear();
                r
            }
        },
    )
    .await
}

/// `vt scan url --private`.
pub async fn scan_url(ctx: &Context, args: ScanUrlArgs) -> CliResult<Exit> {
    let options = url_options(&args.private)?;
    let inputs = collect_inputs(&args.urls)?;
    let items = validate_all("url", inputs, check_url)?;
    let client = ctx.client()?;
    let single = items.len() == 1;
    let mut printer = ctx.printer(shape_for(&items));
    let (wait, progress) = (args.wait, ctx.progress);
    let wait_options = &ctx.wait;
    let options = &options;
    batch::run(
        items,
        &mut printer,
        ctx.batch("url", &args.batch),
        |url, ()| {
            let client = client.clone();
            async move {
                let descriptor = client
                    .private()
                    .scan_url_with(&url, options.clone())
                    .await
                    .map_err(|e| item_error(&e))?;
                if !wait {
                    return to_value(&descriptor);
                }
                let spinner = if single {
                    progress.spinner("")
                } else {
                    indicatif::ProgressBar::hidden()
                };
                let r = wait_private(
                    &client,
                    descriptor.get().id_str(),
                    wait_options.clone(),
                    &spinner,
                )
                .await;
                spinner.finish_and_clear();
                r
            }
        },
    )
    .await
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
        PrivateCommand::Analysis(args) => analysis(ctx, args).await,
        PrivateCommand::Files(args) => {
            let client = ctx.client()?;
            let pages = client.private().files();
            list(ctx, pages, &args.page, "private files", Shape::Many).await
        }
    }
}

/// `vt private analysis [--wait]`.
async fn analysis(ctx: &Context, args: PrivateAnalysisArgs) -> CliResult<Exit> {
    let inputs = collect_inputs(&args.ids)?;
    let items = validate_all("private_analysis", inputs, |s| {
        s.parse::<AnalysisId>().map_err(|e| e.to_string())
    })?;
    let client = ctx.client()?;
    let mut printer = ctx.printer(shape_for(&items));
    let wait = args.wait.then(|| ctx.wait.clone());
    batch::run(
        items,
        &mut printer,
        ctx.batch("private_analysis", &args.batch),
        |_, id| {
            let (client, wait) = (client.clone(), wait.clone());
            async move {
                let doc = match wait {
                    Some(options) => client.private().wait(&id, options).await,
                    None => client.private().analysis(&id).await,
                };
                analysis_value(&doc.map_err(|e| item_error(&e))?)
            }
        },
    )
    .await
}
