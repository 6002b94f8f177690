//! Private scanning: `vt private file`, `vt private analysis [--wait]`, `vt private url`,
//! `vt private files` (`vt scan file|url --private` run through [`super::scanning`] like
//! public scans, with the options of [`super::private_scan`]).
//!
//! Every object printed keeps its API type (`private_file`, `private_url`,
//! `private_analysis`), so private results are never mistaken for public ones downstream.

use clap::{Args, Subcommand};
use vt_model::{FileHash, UrlId};

use crate::cli::{BatchArgs, PageArgs};
use crate::commands::analyses::{Scope, analyses};
use crate::commands::context::Context;
use crate::commands::files::parse_hash;
use crate::commands::identifiers::parse_url_or_id;
use crate::commands::lookup::lookup_batch;
use crate::commands::printing::list;
use crate::exit::{CliResult, Exit};
use crate::output::Shape;

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

/// `vt private ...`.
pub async fn run(ctx: &Context, cmd: PrivateCommand) -> CliResult<Exit> {
    match cmd {
        PrivateCommand::File(args) => {
            let fetch = |c: crate::commands::client::ApiClient, hash: FileHash| async move {
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
            let fetch = |c: crate::commands::client::ApiClient, id: UrlId| async move {
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
