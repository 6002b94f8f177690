//! VT Monitor: `vt monitor items|get|delete|analyses|download|upload|replace|mkdir|details|
//! sync|download-url|owner|comments|statistics|events`.

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
    MonitorIdArgs, MonitorIdsArgs, MonitorItemsArgs, MonitorMkdirArgs, MonitorReplaceArgs,
    MonitorSyncArgs, MonitorUploadArgs, PageArgs,
};
use crate::commands::client::ApiClient;
use crate::commands::context::Context;
use crate::commands::identifiers::check_file;
use crate::commands::lookup::lookup_batch;
use crate::commands::printing::{list, print_one};
use crate::exit::{CliError, CliResult, Exit};
use crate::item_error::{fail, item_error, to_value};
use crate::output::Shape;
use crate::progress::follow;

/// Runs a `vt monitor` command.
pub async fn run(ctx: &Context, cmd: MonitorCommand) -> CliResult<Exit> {
    match cmd {
        MonitorCommand::Items(a) => items(ctx, a).await,
        MonitorCommand::Get(a) => get(ctx, a).await,
        MonitorCommand::Delete(a) => delete(ctx, a).await,
        MonitorCommand::Analyses(a) => analyses(ctx, a).await,
        MonitorCommand::Download(a) => download(ctx, a).await,
        MonitorCommand::Upload(a) => upload(ctx, a).await,
        MonitorCommand::Replace(a) => replace(ctx, a).await,
        MonitorCommand::Mkdir(a) => mkdir(ctx, a).await,
        MonitorCommand::Details(a) => details(ctx, a).await,
        MonitorCommand::Sync(a) => sync(ctx, a).await,
        MonitorCommand::DownloadUrl(a) => download_url(ctx, a).await,
        MonitorCommand::Owner(a) => owner(ctx, a).await,
        MonitorCommand::Comments(a) => comments(ctx, a).await,
        MonitorCommand::Statistics => statistics(ctx).await,
        MonitorCommand::Events(page) => events(ctx, page).await,
        MonitorCommand::Watch(a) => super::monitor_watch::watch(ctx, a).await,
    }
}

/// The id argument of a one-item command: a usage error naming it when malformed.
fn one_id(text: &str) -> CliResult<MonitorItemId> {
    parse_id(text.trim()).map_err(CliError::usage)
}

async fn download_url(ctx: &Context, args: MonitorIdArgs) -> CliResult<Exit> {
    let id = one_id(&args.id)?;
    if let Some(folder) = id.path().filter(|_| id.is_folder()) {
        return Err(CliError::usage(format!(
            "monitor item {id} ({folder}) is a folder: only files have a download URL"
        )));
    }
    let c = ctx.client()?;
    let url = c
        .monitor()
        .download_url(&id)
        .await
        .map_err(|e| fail(&format!("monitor item {id}"), &e))?;
    print_one(ctx, &Value::String(url))
}

async fn owner(ctx: &Context, args: MonitorIdArgs) -> CliResult<Exit> {
    let id = one_id(&args.id)?;
    let c = ctx.client()?;
    let what = format!("monitor item {id}");
    let owner = c.monitor().owner(&id).await.map_err(|e| fail(&what, &e))?;
    print_one(ctx, &to_value(&owner).map_err(|e| e.into_cli_error(&what))?)
}

async fn comments(ctx: &Context, args: MonitorAnalysesArgs) -> CliResult<Exit> {
    item_list(ctx, &args, |c, id| c.monitor().comments(id)).await
}

/// A paged list about one item (its analyses, its comments).
async fn item_list<T>(
    ctx: &Context,
    args: &MonitorAnalysesArgs,
    pages: impl FnOnce(&ApiClient, &MonitorItemId) -> vt_api::Paginator<T>,
) -> CliResult<Exit>
where
    T: serde::Serialize + Send + 'static,
{
    let id = one_id(&args.id)?;
    let c = ctx.client()?;
    let pages = pages(&c, &id);
    let what = format!("monitor item {id}");
    list(ctx, pages, &args.page, &what, Shape::Many).await
}

async fn statistics(ctx: &Context) -> CliResult<Exit> {
    let c = ctx.client()?;
    let stats = c
        .monitor()
        .statistics()
        .await
        .map_err(|e| fail("monitor statistics", &e))?;
    print_one(ctx, &stats)
}

async fn events(ctx: &Context, page: PageArgs) -> CliResult<Exit> {
    let c = ctx.client()?;
    list(
        ctx,
        c.monitor().events(),
        &page,
        "monitor events",
        Shape::Many,
    )
    .await
}

async fn replace(ctx: &Context, args: MonitorReplaceArgs) -> CliResult<Exit> {
    let id = one_id(&args.id)?;
    if let Some(folder) = id.path().filter(|_| id.is_folder()) {
        return Err(CliError::usage(format!(
            "monitor item {id} ({folder}) is a folder: only a file's content can be replaced"
        )));
    }
    let local = args.local.to_string_lossy().into_owned();
    let path = check_file(&local, true).map_err(CliError::usage)?;
    let c = ctx.client()?;
    let what = format!("monitor item {id}");
    let (bar, options) = upload_progress(ctx, &path);
    let r = c.monitor().replace(&path, &id, options).await;
    bar.finish_and_clear();
    let d = r.map_err(|e| fail(&what, &e))?;
    print_one(ctx, &to_value(&d).map_err(|e| e.into_cli_error(&what))?)
}

async fn mkdir(ctx: &Context, args: MonitorMkdirArgs) -> CliResult<Exit> {
    check_folder(&args.path)?;
    let path = folder(&args.path);
    let c = ctx.client()?;
    let what = format!("monitor folder {path}");
    let d = c
        .monitor()
        .create_folder(&path)
        .await
        .map_err(|e| fail(&what, &e))?;
    print_one(ctx, &to_value(&d).map_err(|e| e.into_cli_error(&what))?)
}

/// A bytes bar for uploading `path`, and upload options that move it.
fn upload_progress(ctx: &Context, path: &Path) -> (indicatif::ProgressBar, UploadOptions) {
    let bar = ctx.progress.upload(path);
    let options = UploadOptions::new().progress(follow(&bar));
    (bar, options)
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
        let id = parse_id(item).map_err(CliError::usage)?;
        if let Some(file) = id.path().filter(|_| !id.is_folder()) {
            return Err(CliError::usage(format!(
                "--item {item}: {file} is a file; --item lists what a folder holds"
            )));
        }
        return Ok(Some(MonitorFilter::Item(id)));
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
    item_list(ctx, &args, |c, id| c.monitor().analyses(id)).await
}

fn bytes_progress(ctx: &Context, what: &str) -> (indicatif::ProgressBar, DownloadOptions) {
    let bar = ctx.progress.bytes(0, what);
    let options = DownloadOptions::new().progress(follow(&bar));
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

async fn upload_one(
    c: &ApiClient,
    local: &Path,
    remote: &str,
    options: UploadOptions,
) -> Result<Value, vt_api::Error> {
    let d = c.monitor().upload(local, remote, options).await?;
    Ok(serde_json::to_value(&d).unwrap_or(Value::Null))
}

/// What `vt monitor upload LOCAL... REMOTE` uploads where: each file into the folder by its
/// name (or to REMOTE itself, for one file and a file path), each directory's tree below the
/// folder. Everything is checked before the first upload (exit 2).
fn upload_plan(locals: &[PathBuf], remote: &str) -> CliResult<Vec<(PathBuf, String)>> {
    check_folder(remote)?;
    let into_folder = remote.ends_with('/');
    if !into_folder && (locals.len() > 1 || locals.iter().any(|l| l.is_dir())) {
        return Err(CliError::usage(format!(
            "remote path {remote:?}: several files or a directory go into a folder (end it with `/`)"
        )));
    }
    let mut plan = Vec::new();
    for local in locals {
        if local.is_dir() {
            let base = folder(remote);
            plan.extend(
                walk(local)?
                    .into_iter()
                    .map(|(p, rel)| (p, format!("{base}{rel}"))),
            );
            continue;
        }
        let text = local.to_string_lossy().into_owned();
        let path = check_file(&text, true).map_err(CliError::usage)?;
        let target = if into_folder {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!("{remote}{name}")
        } else {
            remote.to_owned()
        };
        plan.push((path, target));
    }
    for (p, _) in &plan {
        vt_api::check_upload_file(p).map_err(|e| CliError::usage(crate::exit::error_chain(&e)))?;
    }
    Ok(plan)
}

async fn upload(ctx: &Context, args: MonitorUploadArgs) -> CliResult<Exit> {
    let plan = upload_plan(&args.local, &args.remote_path)?;
    let c = ctx.client()?;
    let single = plan.len() == 1 && !args.local.iter().any(|l| l.is_dir());
    let items: Vec<(String, PathBuf)> = plan.into_iter().map(|(p, r)| (r, p)).collect();
    let mut printer = ctx.printer(if single { Shape::One } else { Shape::Many });
    let none = BatchArgs::default();
    // One file: a bytes bar; several: the batch's bar counts them.
    let progress = if single {
        ctx.progress
    } else {
        crate::progress::Progress::new(true)
    };
    batch::run(
        items,
        &mut printer,
        ctx.batch("monitor_item", &none),
        |remote, local, _| {
            let c = c.clone();
            async move {
                let bar = progress.upload(&local);
                let options = UploadOptions::new().progress(follow(&bar));
                let r = upload_one(&c, &local, &remote, options).await;
                bar.finish_and_clear();
                r.map_err(|e| item_error(&e))
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

/// Remote files under `root` (recursively, through `Monitor::walk`): path → sha256.
async fn remote_tree(c: &ApiClient, root: &str) -> Result<HashMap<String, String>, vt_api::Error> {
    let mut out = HashMap::new();
    let mut items = std::pin::pin!(c.monitor().walk(root));
    while let Some(item) = items.next().await {
        let item = item?;
        let attrs = &item.attributes;
        if let (Some(path), Some(sha)) = (&attrs.path, &attrs.sha256)
            && !path.ends_with('/')
        {
            out.insert(path.clone(), sha.clone());
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
    // What differs, decided before anything is uploaded.
    let mut plan: Vec<(String, (PathBuf, Value))> = Vec::new();
    let mut unchanged = 0usize;
    for (path, rel) in local {
        let remote_path = format!("{base}{rel}");
        let digests = vt_api::hashing::hash_file_async(&path)
            .await
            .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
        let sha = digests.sha256.as_str().to_owned();
        let reason = match remote.get(&remote_path) {
            Some(s) if s.eq_ignore_ascii_case(&sha) => {
                unchanged += 1;
                continue;
            }
            Some(_) => "changed",
            None => "new",
        };
        let record = json!({"type": "monitor_sync", "id": remote_path,
            "attributes": {"local": path.display().to_string(), "sha256": sha, "reason": reason,
                           "action": if args.dry_run { "would upload" } else { "uploaded" }}});
        plan.push((remote_path, (path, record)));
    }
    let quiet = ctx.settings.quiet;
    let say_unchanged = || {
        if !quiet {
            let _ = writeln!(std::io::stderr(), "vt: sync {base}: {unchanged} unchanged");
        }
    };
    let mut printer = ctx.printer(Shape::Many);
    if args.dry_run {
        for (_, (_, record)) in &plan {
            printer.object(record)?;
        }
        printer.finish()?;
        if !quiet {
            let _ = writeln!(
                std::io::stderr(),
                "vt: sync {base}: would upload {}, {unchanged} unchanged",
                plan.len()
            );
        }
        return Ok(Exit::Ok);
    }
    let none = BatchArgs::default();
    let exit = batch::run(
        plan,
        &mut printer,
        ctx.batch("monitor_item", &none),
        |remote_path, (path, mut record), _| {
            let c = c.clone();
            async move {
                let uploaded = upload_one(&c, &path, &remote_path, UploadOptions::new())
                    .await
                    .map_err(|e| item_error(&e))?;
                if let (Some(id), Some(obj)) = (uploaded.get("id").cloned(), record.as_object_mut())
                {
                    obj.insert("item".into(), id);
                }
                Ok(record)
            }
        },
    )
    .await;
    say_unchanged();
    exit
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
        let cli = crate::command_line::Cli::try_parse_from(
            ["vt", "monitor", "items"].iter().chain(argv).copied(),
        )?;
        match cli.command {
            crate::command_line::Command::Monitor(crate::cli::MonitorCommand::Items(a)) => Ok(a),
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
