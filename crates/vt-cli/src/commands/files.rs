//! Files: `vt file`, `vt hash`, `vt scan file`, `vt download`, `vt download-url` (sandbox
//! reports are in [`super::sandbox`], private scans in [`super::private`] and [`super::private_scan`]).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use vt_api::private::PrivateScanOptions;
use vt_api::{DownloadOptions, UploadOptions, UploadOutcome};
use vt_model::FileHash;

use crate::batch::{self, ItemError, collect_inputs, validate_all};
use crate::cli::{DownloadArgs, DownloadUrlArgs, FileArgs, HashAlg, HashArgs, ScanFileArgs};
use crate::commands::analyses::Scope;
use crate::commands::client::ApiClient;
use crate::commands::context::Context;
use crate::commands::identifiers::{FileInput, check_file, parse_file_input};
use crate::commands::lookup::lookup_batch;
use crate::commands::printing::{print_one, shape_for};
use crate::commands::private_scan;
use crate::commands::scanning::{Submitted, submit_then_wait};
use crate::exit::{CliError, CliResult, Exit};
use crate::item_error::{fail, item_error, to_value};
use crate::progress::{Progress, follow};

/// Parses a hash; the error names the input.
pub fn parse_hash(input: &str) -> Result<FileHash, String> {
    input.parse::<FileHash>().map_err(|e| e.to_string())
}

/// `vt file`.
pub async fn file(ctx: &Context, args: FileArgs) -> CliResult<Exit> {
    if args.plan {
        return super::quota_plan::plan_batch(ctx, crate::cli::ObjectKind::File, &args.inputs)
            .await;
    }
    let fetch = |c: crate::commands::client::ApiClient, input| async move {
        let hash = match input {
            FileInput::Hash(h) => h,
            FileInput::Path(p) => {
                FileHash::Sha256(vt_api::hashing::hash_file_async(&p).await?.sha256)
            }
        };
        c.files().report_json(&hash).await
    };
    lookup_batch(
        ctx,
        &args.inputs,
        &args.batch,
        "file",
        parse_file_input,
        fetch,
    )
    .await
}

/// `vt hash`: local MD5/SHA-1/SHA-256, no request.
pub async fn hash(ctx: &Context, args: HashArgs) -> CliResult<Exit> {
    let inputs = collect_inputs(&args.paths)?;
    let items = validate_all("file", inputs, |p| check_file(p, false))?;
    let mut printer = ctx.printer(shape_for(&items));
    let mut failed = false;
    for (input, path) in items {
        match vt_api::hashing::hash_file_async(&path).await {
            Ok(d) => {
                let mut attrs = serde_json::Map::new();
                attrs.insert("path".into(), json!(input));
                if matches!(args.alg, HashAlg::Md5 | HashAlg::All) {
                    attrs.insert("md5".into(), json!(d.md5.as_str()));
                }
                if matches!(args.alg, HashAlg::Sha1 | HashAlg::All) {
                    attrs.insert("sha1".into(), json!(d.sha1.as_str()));
                }
                if matches!(args.alg, HashAlg::Sha256 | HashAlg::All) {
                    attrs.insert("sha256".into(), json!(d.sha256.as_str()));
                }
                attrs.insert("size".into(), json!(d.size));
                let id = match args.alg {
                    HashAlg::Md5 => d.md5.as_str().to_owned(),
                    HashAlg::Sha1 => d.sha1.as_str().to_owned(),
                    _ => d.sha256.as_str().to_owned(),
                };
                printer.object(&json!({"type": "file_hashes", "id": id, "attributes": attrs}))?;
            }
            Err(e) => {
                printer.failure("file", &input, "InvalidInputError", &e.to_string())?;
                failed = true;
            }
        }
    }
    printer.finish()?;
    Ok(if failed { Exit::ItemsFailed } else { Exit::Ok })
}

/// How `vt scan file` uploads: publicly, or privately with the private-scan options.
#[derive(Clone)]
enum FileScan {
    Public {
        skip_known: bool,
        password: Option<String>,
    },
    Private(Box<PrivateScanOptions>),
}

impl FileScan {
    fn scope(&self) -> Scope {
        match self {
            FileScan::Public { .. } => Scope::Public,
            FileScan::Private(_) => Scope::Private,
        }
    }

    /// Uploads `path`, its bytes counted on `progress`'s upload bar.
    async fn upload(
        &self,
        client: &ApiClient,
        path: &Path,
        progress: Progress,
    ) -> Result<Submitted, ItemError> {
        let bar = progress.upload(path);
        let submitted = match self {
            FileScan::Public {
                skip_known,
                password,
            } => {
                let mut options = UploadOptions::new().skip_known(*skip_known);
                if let Some(pw) = password {
                    options = options.password(pw.clone());
                }
                let outcome = client
                    .files()
                    .upload_with(path, options.progress(follow(&bar)))
                    .await;
                match outcome.map_err(|e| item_error(&e)) {
                    Ok(UploadOutcome::Known(report)) => to_value(&report).map(Submitted::Final),
                    Ok(UploadOutcome::Submitted(d)) => Submitted::analysis(&d, d.id_str()),
                    Err(e) => Err(e),
                }
            }
            FileScan::Private(options) => client
                .private()
                .upload_with(path, (**options).clone().progress(follow(&bar)))
                .await
                .map_err(|e| item_error(&e))
                .and_then(|d| Submitted::analysis(&d, d.get().id_str())),
        };
        bar.finish_and_clear();
        submitted
    }
}

/// `vt scan file [--private]`.
pub async fn scan_file(ctx: &Context, args: ScanFileArgs) -> CliResult<Exit> {
    let scan = if args.private.private {
        FileScan::Private(Box::new(private_scan::file_options(
            &args.private,
            args.password.as_ref(),
        )?))
    } else {
        FileScan::Public {
            skip_known: args.skip_known,
            password: args.password.clone(),
        }
    };
    let inputs = collect_inputs(&args.paths)?;
    let items = validate_all("file", inputs, |p| check_file(p, true))?;
    let client = ctx.client()?;
    let single = items.len() == 1;
    let mut printer = ctx.printer(shape_for(&items));
    let wait = args.wait.then(|| ctx.wait.clone());
    let progress = if single {
        ctx.progress
    } else {
        Progress::new(true)
    };
    batch::run(
        items,
        &mut printer,
        ctx.batch("file", &args.batch),
        |_, path, checkpoint| {
            let (client, wait, scan) = (client.clone(), wait.clone(), scan.clone());
            async move {
                let upload = || scan.upload(&client, &path, progress);
                submit_then_wait(&client, &checkpoint, scan.scope(), wait, progress, upload).await
            }
        },
    )
    .await
}

/// Where `vt download` writes one hash.
fn download_target(output: Option<&Path>, hash: &FileHash, single: bool) -> PathBuf {
    match output {
        Some(p) if p.is_dir() => p.join(hash.as_str()),
        Some(p) if single => p.to_owned(),
        Some(p) => p.join(hash.as_str()),
        None => PathBuf::from(hash.as_str()),
    }
}

/// `vt download`.
pub async fn download(ctx: &Context, args: DownloadArgs) -> CliResult<Exit> {
    let inputs = collect_inputs(&args.hashes)?;
    let items = validate_all("file", inputs, parse_hash)?;
    let single = items.len() == 1;
    // One hash to a path: its directory must exist (checked before the request, so a typo
    // costs no download); a trailing `/` means a directory that must exist.
    if let Some(out) = &args.output
        && single
        && !out.is_dir()
    {
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
        if out.as_os_str().as_encoded_bytes().ends_with(b"/") {
            return Err(CliError::usage(format!(
                "output directory {}: no such directory",
                out.display()
            )));
        }
        if let Some(parent) = parent
            && !parent.is_dir()
        {
            return Err(CliError::usage(format!(
                "output {}: directory {} does not exist",
                out.display(),
                parent.display()
            )));
        }
    }
    if let Some(out) = &args.output
        && !single
        && !out.is_dir()
    {
        std::fs::create_dir_all(out)
            .map_err(|e| CliError::usage(format!("output directory {}: {e}", out.display())))?;
    }
    let client = ctx.client()?;
    let mut printer = ctx.printer(shape_for(&items));
    let output = args.output.clone();
    let sync = !args.no_sync;
    let progress = ctx.progress;
    let batch_args = crate::cli::BatchArgs::default();
    batch::run(
        items,
        &mut printer,
        ctx.batch("file", &batch_args),
        |_, hash, _| {
            let client = client.clone();
            let dest = download_target(output.as_deref(), &hash, single);
            async move {
                let bar = if single {
                    progress.bytes(0, "download")
                } else {
                    indicatif::ProgressBar::hidden()
                };
                let options = DownloadOptions::new().sync(sync).progress(follow(&bar));
                let r = client.files().download_to_path(&hash, &dest, options).await;
                bar.finish_and_clear();
                let size = r.map_err(|e| item_error(&e))?;
                Ok(json!({"type": "download", "id": hash.as_str(),
                      "attributes": {"path": dest.display().to_string(), "size": size}}))
            }
        },
    )
    .await
}

/// `vt download-url`.
pub async fn download_url(ctx: &Context, args: DownloadUrlArgs) -> CliResult<Exit> {
    let hash = parse_hash(&args.hash).map_err(CliError::usage)?;
    let client = ctx.client()?;
    let url = client
        .files()
        .download_url(&hash)
        .await
        .map_err(|e| fail(&format!("file {hash}"), &e))?;
    print_one(ctx, &Value::String(url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_inputs_are_hashes_or_existing_files() {
        assert!(matches!(
            parse_file_input("44d88612fea8a8f36de82e1278abb02f"),
            Ok(FileInput::Hash(_))
        ));
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x");
        std::fs::write(&p, b"x").unwrap();
        assert!(matches!(
            parse_file_input(p.to_str().unwrap()),
            Ok(FileInput::Path(_))
        ));
        let err = parse_file_input("nothex").unwrap_err();
        assert!(err.contains("\"nothex\""), "{err}");
        assert!(err.contains("no file of that name"), "{err}");
        assert!(parse_file_input(dir.path().to_str().unwrap()).is_err());
    }

    #[test]
    fn download_targets() {
        let h: FileHash = "44d88612fea8a8f36de82e1278abb02f".parse().unwrap();
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            download_target(Some(dir.path()), &h, true),
            dir.path().join(h.as_str())
        );
        assert_eq!(
            download_target(Some(Path::new("out.bin")), &h, true),
            PathBuf::from("out.bin")
        );
        assert_eq!(download_target(None, &h, false), PathBuf::from(h.as_str()));
    }
}
