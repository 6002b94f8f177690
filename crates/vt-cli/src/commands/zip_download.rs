//! `vt download --zip OUT.zip [--password P] HASH...|-`: one ZIP of many files, built by
//! VirusTotal (`/intelligence/zip_files`), with its progress on stderr while it is built,
//! then downloaded through a temporary file renamed to OUT.zip only once complete.
//!
//! Every hash, the password and OUT.zip are checked before any request (exit 2). A bundle
//! VirusTotal gives up on (`timeout`, `error-*`) or one still unfinished after
//! `--wait-timeout` is one line and exit 1; nothing is left under OUT.zip.

use std::io::Write as _;

use serde_json::json;
use vt_api::DownloadOptions;

use crate::batch::{collect_inputs, validate_all};
use crate::cli::DownloadArgs;
use crate::commands::context::Context;
use crate::commands::files::parse_hash;
use crate::commands::printing::print_one;
use crate::exit::{CliError, CliResult, Exit};
use crate::item_error::{fail, to_value};

/// `vt download --zip`.
pub async fn download(ctx: &Context, args: DownloadArgs) -> CliResult<Exit> {
    let Some(out) = args.zip.clone() else {
        return Err(CliError::usage("--zip OUT.zip is required"));
    };
    let inputs = collect_inputs(&args.hashes)?;
    let hashes: Vec<_> = validate_all("file", inputs, parse_hash)?
        .into_iter()
        .map(|(_, h)| h)
        .collect();
    if args.password.as_deref().is_some_and(str::is_empty) {
        return Err(CliError::usage(
            "--password: the ZIP password cannot be empty",
        ));
    }
    if out.is_dir() || out.as_os_str().as_encoded_bytes().ends_with(b"/") {
        return Err(CliError::usage(format!(
            "--zip {}: a directory; give the ZIP's file name",
            out.display()
        )));
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        return Err(CliError::usage(format!(
            "--zip {}: directory {} does not exist",
            out.display(),
            parent.display()
        )));
    }
    let client = ctx.client()?;
    let intel = client.intelligence();
    let zip = intel
        .create_zip(&hashes, args.password.as_deref())
        .await
        .map_err(|e| fail("ZIP file", &e))?;
    let id = zip.id_str().to_owned();
    let what = format!("ZIP file {id}");
    let bar = ctx.progress.bytes(100, "building ZIP");
    let quiet = ctx.settings.quiet;
    let shown = bar.is_hidden();
    let last = std::sync::Mutex::new(String::new());
    let done = intel
        .wait_zip(&id, ctx.wait.clone(), |z| {
            let status = z
                .attributes
                .status
                .as_ref()
                .map_or("unknown", |s| s.as_str())
                .to_owned();
            let percent = z.attributes.progress_percent();
            bar.set_position(u64::from(percent));
            bar.set_message(status.clone());
            // Without a terminal: one line per change of state.
            let line = format!("vt: {what}: {status} {percent}%");
            if shown
                && !quiet
                && let Ok(mut last) = last.lock()
                && *last != line
            {
                let _ = writeln!(std::io::stderr(), "{line}");
                *last = line;
            }
        })
        .await;
    bar.finish_and_clear();
    let done = done.map_err(|e| match &e {
        vt_api::Error::ZipTimeout { .. } | vt_api::Error::ZipFailed { .. } => {
            CliError::new(Exit::ItemsFailed, e.to_string())
        }
        _ => fail(&what, &e),
    })?;
    let bar = ctx.progress.bytes(0, "download");
    let b = bar.clone();
    let options = DownloadOptions::new()
        .sync(!args.no_sync)
        .progress(move |written, total| {
            if total > 0 {
                b.set_length(total);
            }
            b.set_position(written);
        });
    let size = intel
        .download_zip_to_path(&id, &out, options)
        .await
        .map_err(|e| fail(&what, &e));
    bar.finish_and_clear();
    let size = size?;
    let mut attributes = to_value(&done.attributes).map_err(|e| e.into_cli_error(&what))?;
    if let Some(map) = attributes.as_object_mut() {
        map.insert("path".into(), json!(out.display().to_string()));
        map.insert("size".into(), json!(size));
    }
    print_one(
        ctx,
        &json!({"type": "zip_file", "id": id, "attributes": attributes}),
    )
}
