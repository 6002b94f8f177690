//! Sandbox reports: `vt behaviours HASH [--sandbox NAME]`, `vt behaviour-summary HASH`,
//! `vt mitre HASH`, and the artefacts `vt pcap|html|evtx|memdump SANDBOX_ID -o PATH`.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;
use vt_api::DownloadOptions;
use vt_api::files::SandboxArtifact;
use vt_model::SandboxId;

use crate::cli::PageArgs;
use crate::commands::context::Context;
use crate::commands::files::parse_hash;
use crate::commands::printing::{list, print_one};
use crate::exit::{CliError, CliResult, Exit};
use crate::item_error::{fail, to_value};
use crate::output::Shape;

/// `vt behaviours`.
#[derive(Debug, Args)]
pub struct BehavioursArgs {
    /// The file's MD5, SHA-1 or SHA-256.
    pub hash: String,
    /// Only the report of this sandbox (e.g. Zenbox, "VirusTotal Jujubox"; any case).
    #[arg(long, value_name = "NAME")]
    pub sandbox: Option<String>,
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
}

/// `vt behaviour-summary`, `vt mitre`.
#[derive(Debug, Args)]
pub struct SandboxHashArgs {
    /// The file's MD5, SHA-1 or SHA-256.
    pub hash: String,
}

/// `vt pcap|html|evtx|memdump`.
#[derive(Debug, Args)]
pub struct ArtifactArgs {
    /// The sandbox report id, `<sha256>_<sandbox name>` (see `vt behaviours HASH -I`).
    #[arg(value_name = "SANDBOX_ID")]
    pub sandbox_id: String,
    /// Where to write the artefact (through a temporary file renamed at the end).
    #[arg(short, long, value_name = "PATH")]
    pub output: PathBuf,
    /// Do not wait for the file to reach the disk (no fsync) before reporting it done.
    #[arg(long)]
    pub no_sync: bool,
}

/// `vt behaviours`.
pub async fn behaviours(ctx: &Context, args: BehavioursArgs) -> CliResult<Exit> {
    let hash = parse_hash(&args.hash).map_err(CliError::usage)?;
    if let Some(name) = &args.sandbox {
        // The library's rule for a sandbox name (checked before any request).
        if let Some(sha256) = hash.as_sha256() {
            SandboxId::new(sha256, name).map_err(|e| CliError::usage(e.to_string()))?;
        } else if name.trim().is_empty() {
            return Err(CliError::usage("--sandbox: empty sandbox name"));
        }
        let client = ctx.client()?;
        let report = client
            .files()
            .behaviour_of(&hash, name)
            .await
            .map_err(|e| fail(&format!("file {hash}, sandbox {name:?}"), &e))?;
        let value = to_value(&report).map_err(|e| e.into_cli_error("behaviour"))?;
        return print_one(ctx, &value);
    }
    let client = ctx.client()?;
    let pages = client.files().behaviours(&hash);
    list(ctx, pages, &args.page, &format!("file {hash}"), Shape::Many).await
}

/// `vt behaviour-summary`.
pub async fn summary(ctx: &Context, args: SandboxHashArgs) -> CliResult<Exit> {
    let hash = parse_hash(&args.hash).map_err(CliError::usage)?;
    let client = ctx.client()?;
    let summary = client
        .files()
        .behaviour_summary(&hash)
        .await
        .map_err(|e| fail(&format!("file {hash}"), &e))?;
    let attributes = to_value(&summary).map_err(|e| e.into_cli_error("behaviour summary"))?;
    print_one(
        ctx,
        &json!({"type": "behaviour_summary", "id": hash.as_str(), "attributes": attributes}),
    )
}

/// `vt mitre`.
pub async fn mitre(ctx: &Context, args: SandboxHashArgs) -> CliResult<Exit> {
    let hash = parse_hash(&args.hash).map_err(CliError::usage)?;
    let client = ctx.client()?;
    let trees = client
        .files()
        .behaviour_mitre_trees(&hash)
        .await
        .map_err(|e| fail(&format!("file {hash}"), &e))?;
    let attributes = to_value(&trees).map_err(|e| e.into_cli_error("MITRE trees"))?;
    print_one(
        ctx,
        &json!({"type": "behaviour_mitre_trees", "id": hash.as_str(), "attributes": attributes}),
    )
}

/// `vt pcap|html|evtx|memdump`.
pub async fn artifact(
    ctx: &Context,
    artifact: SandboxArtifact,
    args: ArtifactArgs,
) -> CliResult<Exit> {
    let id: SandboxId = args
        .sandbox_id
        .parse()
        .map_err(|e: vt_model::IdError| CliError::usage(e.to_string()))?;
    if args.output.is_dir() {
        return Err(CliError::usage(format!(
            "output {}: is a directory; give a file path",
            args.output.display()
        )));
    }
    if let Some(dir) = args.output.parent()
        && !dir.as_os_str().is_empty()
        && !dir.is_dir()
    {
        return Err(CliError::usage(format!(
            "output {}: no such directory",
            args.output.display()
        )));
    }
    let client = ctx.client()?;
    let bar = ctx.progress.bytes(0, artifact.as_str());
    let b = bar.clone();
    let options = DownloadOptions::new()
        .sync(!args.no_sync)
        .progress(move |done, total| {
            if total > 0 {
                b.set_length(total);
            }
            b.set_position(done);
        });
    let r = client
        .files()
        .behaviour_artifact_to_path(&id, artifact, &args.output, options)
        .await;
    bar.finish_and_clear();
    let size = r.map_err(|e| fail(&format!("sandbox report {id} ({artifact})"), &e))?;
    print_one(
        ctx,
        &json!({"type": "download", "id": id.as_str(), "attributes": {
            "artifact": artifact.as_str(),
            "path": args.output.display().to_string(),
            "size": size,
        }}),
    )
}
