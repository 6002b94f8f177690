//! VT Monitor: `vt monitor items|get|delete|analyses|download|upload|details|sync`.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use serde_json::{Value, json};
use vt_api::{DownloadOptions, MonitorFilter, MonitorTag, UploadOptions};
use vt_model::MonitorItemId;

use crate::batch;
use crate::cli::{
    BatchArgs, MonitorAnalysesArgs, MonitorCommand, MonitorDetailsArgs, MonitorDownloadArgs,
    MonitorIdsArgs, MonitorItemsArgs, MonitorSyncArgs, MonitorUploadArgs,
};
use crate::commands::{
    ApiClient, Context, fail, item_error, list, lookup_batch, print_one, to_value,
};
use crate::exit::{CliError, CliResult, Exit};
use crate::output::Shape;

/// Runs a `vt monitor` command.
pub async fn run(ctx: &Context, cmd: MonitorCommand) -> CliResult<Exit> {
    match cmd {
        MonitorCommand::Items(a) => items(ctx, a).await,
        MonitorCommand::Get(a) => get(ctx, a).await,
        MonitorCommand::Delete(a) => delete(ctx, a).await,
        MonitorCommand::Analyses(a) => analyses(ctx, a).await,
        MonitorCommand::Download(a) => download(ctx, a).await,
        MonitorCommand::Upload(a) => upload(ctx, a).await,
        MonitorCommand::Details(a) => details(ctx, a).await,
        MonitorCommand::Sync(a) => sync(ctx, a).await,
    }
}

/// A Monitor item id by the library's shape rule: any well-formed id is sent; one not of
/// today's `vtmonitor-v1` form gets a `-v` note.
fn parse_id(s: &str) -> Result<MonitorItemId, String> {
    let id = s.parse::<MonitorItemId>().map_err(|e| e.to_string())?;
    if !id.is_known_form() {
        tracing::info!(target: "vt", "monitor item id {s}: not of the vtmonitor-v1 form this version knows; sent as given");
    }
    Ok(id)
}

/// A remote path by the library's Monitor path rule.
fn check_folder(path: &str) -> CliResult<()> {
    vt_model::MonitorPath::parse(path)
        .map(drop)
        .map_err(|e| CliError::usage(e.to_string()))
}

/// The filter of `vt monitor items`: one of `--path`, `--item`, `--tag` (repeatable) or
/// `--filter` (clap refuses combinations: the API documents one modifier per query).
pub fn filter_of(args: &MonitorItemsArgs) -> CliResult<Option<MonitorFilter>> {
    if let Some(text) = &args.filter {
        return text
            .parse::<MonitorFilter>()
            .map(Some)
            .map_err(|e| CliError::usage(format!("--filter: {e}")));
    }
    if let Some(p) = &args.path {
        check_folder(p)?;
        let folder = if p.ends_with('/') {
            p.clone()
        } else {
            format!("{p}/")
        };
        return Ok(Some(MonitorFilter::path(folder)));
    }
    if let Some(item) = &args.item {
        return Ok(Some(MonitorFilter::Item(
            parse_id(item).map_err(CliError::usage)?,
        )));
    }
    if args.tag.is_empty() {
        return Ok(None);
    }
    let filter = MonitorFilter::tags(args.tag.iter().map(|t| MonitorTag::parse(t)));
    filter
        .validate()
        .map_err(|e| CliError::usage(format!("--tag: {e}")))?;
    Ok(Some(filter))
}

async fn items(ctx: &Context, args: MonitorItemsArgs) -> CliResult<Exit> {
    let filter = filter_of(&args)?;
    let c = ctx.client()?;
    let pages = match &filter {
        Some(f) => c.monitor().items_filtered(f),
        None => c.monitor().items(),
    };
    list(ctx, pages, &args.page, "monitor items", Shape::Many).await
}

async fn get(ctx: &Context, args: MonitorIdsArgs) -> CliResult<Exit> {
    let none = BatchArgs::default();
    lookup_batch(
        ctx,
        &args.ids,
        &none,
        "monitor_item",
        parse_id,
        |c, id| async move { c.monitor().item(&id).await },
    )
    .await
}

async fn delete(ctx: &Context, args: MonitorIdsArgs) -> CliResult<Exit> {
    let none = BatchArgs::default();
    lookup_batch(
        ctx,
        &args.ids,
        &none,
        "monitor_item",
        parse_id,
        |c, id| async move {
            c.monitor().delete(&id).await?;
            Ok(json!({"type": "monitor_item", "id": id.as_str(),
              "attributes": {"path": id.path(), "deleted": true}}))
        },
    )
    .await
}

async fn analyses(ctx: &Context, args: MonitorAnalysesArgs) -> CliResult<Exit> {
    let id = parse_id(args.id.trim()).map_err(CliError::usage)?;
    let c = ctx.client()?;
    list(
        ctx,
        c.monitor().analyses(&id),
        &args.page,
        &format!("monitor item {id}"),
        Shape::Many,
    )
    .await
}

fn bytes_progress(ctx: &Context, what: &str) -> (indicatif::ProgressBar, DownloadOptions) {
    let bar = ctx.progress.bytes(0, what);
    let b = bar.clone();
    let options = DownloadOptions::new().progress(move |done, total| {
        if total > 0 {
            b.set_length(total);
        }
        b.set_position(done);
    });
    (bar, options)
}

async fn download(ctx: &Context, args: MonitorDownloadArgs) -> CliResult<Exit> {
    let id = parse_id(args.id.trim()).map_err(CliError::usage)?;
    if let Some(folder) = id.path().filter(|_| id.is_folder()) {
        return Err(CliError::usage(format!(
            "monitor item {id} ({folder}) is a folder"
        )));
    }
    let name = id
        .name()
        .filter(|n| !n.is_empty())
        .unwrap_or("monitor_item")
        .to_owned();
    let dest = match &args.output {
        Some(p) if p.is_dir() => p.join(&name),
        Some(p) => p.clone(),
        None => PathBuf::from(&name),
    };
    let c = ctx.client()?;
    let (bar, options) = bytes_progress(ctx, "download");
    let options = options.sync(!args.no_sync);
    let r = c.monitor().download_to_path(&id, &dest, options).await;
    bar.finish_and_clear();
    let size = r.map_err(|e| fail(&format!("monitor item {id}"), &e))?;
    print_one(
        ctx,
        &json!({"type": "download", "id": id.as_str(),
        "attributes": {"path": dest.display().to_string(), "remote_path": id.path(), "size": size}}),
    )
}

/// Every regular file under `dir`, with its path relative to `dir` (`/`-separated), sorted.
/// Unreadable entries are errors (exit 2), never a panic or a silent skip.
pub fn walk(dir: &Path) -> CliResult<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, rel)) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .map_err(|e| CliError::usage(format!("directory {}: {e}", d.display())))?;
        for entry in entries {
            let entry =
                entry.map_err(|e| CliError::usage(format!("directory {}: {e}", d.display())))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
            let child = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if kind.is_dir() {
                stack.push((path, child));
            } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
                std::fs::File::open(&path)
                    .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
                out.push((path, child));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

fn folder(remote: &str) -> String {
    if remote.ends_with('/') {
        remote.to_owned()
    } else {
        format!("{remote}/")
    }
}

async fn upload_one(c: &ApiClient, local: &Path, remote: &str) -> Result<Value, vt_api::Error> {
    let d = c
        .monitor()
        .upload(local, remote, UploadOptions::new())
        .await?;
    let mut v = serde_json::to_value(&d).unwrap_or(Value::Null);
    if let Some(obj) = v.as_object_mut() {
        obj.insert(
            "attributes".into(),
            json!({"path": remote, "local": local.display().to_string()}),
        );
    }
    Ok(v)
}

async fn upload(ctx: &Context, args: MonitorUploadArgs) -> CliResult<Exit> {
    check_folder(&args.remote_path)?;
    let plan: Vec<(PathBuf, String)> = if args.local.is_dir() {
        let base = folder(&args.remote_path);
        walk(&args.local)?
            .into_iter()
            .map(|(p, rel)| (p, format!("{base}{rel}")))
            .collect()
    } else {
        let p = args.local.to_string_lossy().into_owned();
        let path = crate::commands::files::check_file(&p, true).map_err(CliError::usage)?;
        let remote = if args.remote_path.ends_with('/') {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!("{}{name}", args.remote_path)
        } else {
            args.remote_path.clone()
        };
        vec![(path, remote)]
    };
    for (p, _) in &plan {
        vt_api::check_upload_file(p).map_err(|e| CliError::usage(crate::exit::error_chain(&e)))?;
    }
    let c = ctx.client()?;
    let items: Vec<(String, PathBuf)> = plan.into_iter().map(|(p, r)| (r, p)).collect();
    let shape = if args.local.is_dir() {
        Shape::Many
    } else {
        Shape::One
    };
    let mut printer = ctx.printer(shape);
    let none = BatchArgs::default();
    batch::run(
        items,
        &mut printer,
        ctx.batch("monitor_item", &none),
        |remote, local| {
            let c = c.clone();
            async move {
                upload_one(&c, &local, &remote)
                    .await
                    .map_err(|e| item_error(&e))
            }
        },
    )
    .await
}

async fn details(ctx: &Context, args: MonitorDetailsArgs) -> CliResult<Exit> {
    let id = parse_id(args.id.trim()).map_err(CliError::usage)?;
    let c = ctx.client()?;
    let what = format!("monitor item {id}");
    let item = match (&args.text, args.clear) {
        (_, true) => c.monitor().clear_details(&id).await,
        (Some(text), false) => c.monitor().set_details(&id, text).await,
        (None, false) => return Err(CliError::usage("give the details TEXT or --clear")),
    }
    .map_err(|e| fail(&what, &e))?;
    print_one(ctx, &to_value(&item).map_err(|e| e.into_cli_error(&what))?)
}

/// Remote files under `folder` (recursively): path → sha256.
async fn remote_tree(c: &ApiClient, root: &str) -> Result<HashMap<String, String>, vt_api::Error> {
    let mut out = HashMap::new();
    let mut folders = vec![root.to_owned()];
    while let Some(f) = folders.pop() {
        let mut pages = c
            .monitor()
            .items_filtered(&MonitorFilter::path(f.clone()))
            .page_size(40);
        while let Some(item) = pages.next().await {
            let v = serde_json::to_value(&item?).unwrap_or(Value::Null);
            let attrs = v.get("attributes").cloned().unwrap_or(Value::Null);
            let path = attrs
                .get("path")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let is_folder = attrs.get("item_type").and_then(Value::as_str) == Some("folder")
                || path.ends_with('/');
            if is_folder {
                if path != f && path.starts_with(&f) {
                    folders.push(path);
                }
            } else if let Some(sha) = attrs.get("sha256").and_then(Value::as_str) {
                out.insert(path, sha.to_owned());
            }
        }
    }
    Ok(out)
}

async fn sync(ctx: &Context, args: MonitorSyncArgs) -> CliResult<Exit> {
    check_folder(&args.remote_dir)?;
    if !args.local_dir.is_dir() {
        return Err(CliError::usage(format!(
            "{}: not a directory",
            args.local_dir.display()
        )));
    }
    let base = folder(&args.remote_dir);
    let local = walk(&args.local_dir)?;
    let c = ctx.client()?;
    let remote = remote_tree(&c, &base)
        .await
        .map_err(|e| fail(&format!("monitor folder {base}"), &e))?;
    let mut printer = ctx.printer(Shape::Many);
    let mut exit = Exit::Ok;
    let (mut uploaded, mut unchanged) = (0usize, 0usize);
    for (path, rel) in local {
        let remote_path = format!("{base}{rel}");
        let digests = vt_api::hashing::hash_file_async(&path)
            .await
            .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
        let sha = digests.sha256.as_str().to_owned();
        let reason = match remote.get(&remote_path) {
            Some(s) if s.eq_ignore_ascii_case(&sha) => None,
            Some(_) => Some("changed"),
            None => Some("new"),
        };
        let Some(reason) = reason else {
            unchanged += 1;
            continue;
        };
        let mut record = json!({"type": "monitor_sync", "id": remote_path,
            "attributes": {"local": path.display().to_string(), "sha256": sha, "reason": reason,
                           "action": if args.dry_run { "would upload" } else { "uploaded" }}});
        if !args.dry_run {
            match upload_one(&c, &path, &remote_path).await {
                Ok(v) => {
                    if let (Some(id), Some(obj)) = (v.get("id").cloned(), record.as_object_mut()) {
                        obj.insert("item".into(), id);
                    }
                    uploaded += 1;
                }
                Err(e) => {
                    let ie = item_error(&e);
                    if let Some(stop) = ie.stops_batch() {
                        printer.finish()?;
                        return Err(ie
                            .into_cli_error(&format!("monitor upload {remote_path}"))
                            .with_detail(format!("{stop:?}")));
                    }
                    printer.failure("monitor_item", &remote_path, ie.code(), ie.message())?;
                    exit = Exit::ItemsFailed;
                    continue;
                }
            }
        } else {
            uploaded += 1;
        }
        printer.object(&record)?;
    }
    printer.finish()?;
    if !ctx.settings.quiet {
        let verb = if args.dry_run {
            "would upload"
        } else {
            "uploaded"
        };
        let _ = writeln!(
            std::io::stderr(),
            "vt: sync {}: {verb} {uploaded}, unchanged {unchanged}",
            base
        );
    }
    Ok(exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_lists_a_tree_with_relative_paths() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("top.txt"), b"1").unwrap();
        std::fs::write(dir.path().join("a/b/deep.bin"), b"2").unwrap();
        let files: Vec<String> = walk(dir.path())
            .unwrap()
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        assert_eq!(files, vec!["a/b/deep.bin", "top.txt"]);
        assert!(walk(&dir.path().join("missing")).is_err());
    }

    fn items_args(argv: &[&str]) -> Result<MonitorItemsArgs, clap::Error> {
        use clap::Parser;
        let cli = crate::cli::Cli::try_parse_from(
            ["vt", "monitor", "items"].iter().chain(argv).copied(),
        )?;
        match cli.command {
            crate::cli::Command::Monitor(crate::cli::MonitorCommand::Items(a)) => Ok(a),
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn each_option_gives_its_filter() {
        let f = |argv: &[&str]| filter_of(&items_args(argv).unwrap()).unwrap();
        assert_eq!(f(&[]), None);
        assert_eq!(f(&["--path", "/rel"]).unwrap().to_string(), "path:/rel/");
        assert_eq!(
            f(&["--tag", "detected", "--tag", "Kaspersky"])
                .unwrap()
                .to_string(),
            "tag:detected Kaspersky"
        );
        assert_eq!(
            f(&["--filter", " tag:solved-detections "]).unwrap(),
            MonitorFilter::tags([MonitorTag::SolvedDetections])
        );
    }

    #[test]
    fn filters_do_not_combine_and_bad_ones_are_usage_errors() {
        for argv in [
            &["--path", "/a/", "--tag", "detected"][..],
            &["--path", "/a/", "--filter", "tag:detected"],
            &["--tag", "detected", "--item", "x"],
        ] {
            let err = items_args(argv).expect_err("conflict");
            assert_eq!(
                err.kind(),
                clap::error::ErrorKind::ArgumentConflict,
                "{argv:?}"
            );
        }
        for argv in [
            &["--filter", "tags:detected"][..],
            &["--filter", "path:/a/ tag:detected"],
            &["--tag", "a b"],
            &["--tag", "tag:detected"],
        ] {
            let err = filter_of(&items_args(argv).unwrap()).expect_err("bad filter");
            assert_eq!(err.exit, Exit::Usage, "{argv:?}");
        }
    }
}
