//! `vt feed files|urls|domains|ips|behaviours`: a feed as NDJSON, one line per item as
//! received (`-I`: the ids only), resumable exactly.
//!
//! With `--output FILE` every line is written and flushed, then the feed cursor after it is
//! recorded in `FILE.cursor` (with the length of FILE at that point, replaced atomically).
//! `--resume` cuts FILE back to that length (dropping a line half-written by a kill) and
//! goes on from that cursor: after a kill, a quota stop or Ctrl-C, nothing is written twice
//! and nothing is skipped.

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use vt_api::feeds::{FeedEnd, check_range, newest_available};
use vt_api::{DownloadOptions, Error as ApiError};
use vt_model::{FeedCursor, FeedKind, FeedMinute, Sha256};

use crate::commands::context::Context;
use crate::exit::{CliError, CliResult, Exit, error_chain};
use crate::item_error::item_error;

/// `vt feed`.
#[derive(Debug, Args)]
pub struct FeedArgs {
    /// The feed: files, urls, domains, ips or behaviours.
    #[arg(value_name = "TYPE", value_parser = parse_kind)]
    pub kind: FeedKind,
    /// First package: `YYYYMMDDhhmm` (UTC) or RFC 3339 (`2026-12-03T04:05:00Z`)
    /// [default: the newest package published].
    #[arg(long, value_name = "TIME", conflicts_with = "cursor")]
    pub from: Option<String>,
    /// Last package (same formats); without it the feed stops once caught up.
    #[arg(long, value_name = "TIME", conflicts_with = "follow")]
    pub to: Option<String>,
    /// Never stop: wait for each new package (a live tail).
    #[arg(long)]
    pub follow: bool,
    /// Start at a feed cursor `YYYYMMDDhhmm-N` (package, items already read), as printed
    /// at the end of a run or by vt-py/vt-go.
    #[arg(long, value_name = "CURSOR")]
    pub cursor: Option<String>,
    /// Write the NDJSON to FILE (and the cursor after each line to FILE.cursor).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Continue FILE exactly after its last saved item (from FILE.cursor).
    #[arg(long, requires = "output")]
    pub resume: bool,
    /// Download each file of the file feed into DIR, named by SHA-256 (temporary file,
    /// then renamed); files already there are kept.
    #[arg(long, value_name = "DIR")]
    pub download: Option<PathBuf>,
    /// Minutes after which a package is published (the API: 60).
    #[arg(
        long,
        value_name = "MINUTES",
        env = "VT_FEED_LAG",
        default_value_t = 60
    )]
    pub lag: u32,
    /// Seconds between two asks for a package not published yet (with --follow or --to).
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub poll: u64,
    /// Largest decompressed line accepted, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 32)]
    pub max_line_mib: u64,
    /// Largest decompressed package accepted, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 4096)]
    pub max_package_mib: u64,
}

fn parse_kind(text: &str) -> Result<FeedKind, String> {
    text.parse::<FeedKind>().map_err(|e| e.to_string())
}

/// What `FILE.cursor` holds.
#[derive(Debug, Serialize, Deserialize)]
struct SavedCursor {
    feed: String,
    cursor: String,
    /// Length of FILE when the cursor was saved.
    bytes: u64,
}

/// The part of an item `--download` needs.
#[derive(Deserialize)]
struct ItemLink {
    id: Option<String>,
    context_attributes: Option<ItemContext>,
}

#[derive(Deserialize)]
struct ItemContext {
    download_url: Option<String>,
}

fn cursor_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".cursor");
    PathBuf::from(name)
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Where the output goes.
enum Sink {
    Stdout(std::io::Stdout),
    File {
        file: std::fs::File,
        path: PathBuf,
        len: u64,
    },
}

impl Sink {
    fn write_line(&mut self, line: &str) -> CliResult<()> {
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line.as_bytes());
        buf.push(b'\n');
        match self {
            Sink::Stdout(out) => {
                let mut lock = out.lock();
                lock.write_all(&buf)
                    .and_then(|()| lock.flush())
                    .map_err(|e| CliError::new(Exit::ItemsFailed, format!("stdout: {e}")))
            }
            Sink::File { file, path, len } => {
                file.write_all(&buf)
                    .and_then(|()| file.flush())
                    .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
                *len += buf.len() as u64;
                Ok(())
            }
        }
    }

    /// Records `cursor` as the point after everything written (FILE.cursor, atomically).
    fn save(&self, kind: FeedKind, cursor: FeedCursor) -> CliResult<()> {
        let Sink::File { path, len, .. } = self else {
            return Ok(());
        };
        let saved = SavedCursor {
            feed: kind.short_name().to_owned(),
            cursor: cursor.to_string(),
            bytes: *len,
        };
        let dest = cursor_path(path);
        let mut tmp = dest.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let text = serde_json::to_string(&saved).unwrap_or_default();
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &dest))
            .map_err(|e| CliError::usage(format!("{}: {e}", dest.display())))
    }
}

/// Opens `--output` (resuming from its cursor file when asked); returns the sink and the
/// saved cursor. Every check happens here, before any request.
fn open_output(args: &FeedArgs) -> CliResult<(Sink, Option<FeedCursor>)> {
    let Some(path) = &args.output else {
        return Ok((Sink::Stdout(std::io::stdout()), None));
    };
    let cursor_file = cursor_path(path);
    let existing = std::fs::metadata(path).map(|m| m.len()).ok();
    let mut saved = None;
    if args.resume {
        match std::fs::read_to_string(&cursor_file) {
            Ok(text) => {
                let s: SavedCursor = serde_json::from_str(&text).map_err(|e| {
                    CliError::usage(format!(
                        "{}: not a feed cursor file: {e}",
                        cursor_file.display()
                    ))
                })?;
                if s.feed != args.kind.short_name() {
                    return Err(CliError::usage(format!(
                        "{}: holds the {} feed, not {}",
                        path.display(),
                        s.feed,
                        args.kind
                    )));
                }
                let cursor = s
                    .cursor
                    .parse::<FeedCursor>()
                    .map_err(|e| CliError::usage(format!("{}: {e}", cursor_file.display())))?;
                if existing.unwrap_or(0) < s.bytes {
                    return Err(CliError::usage(format!(
                        "{}: shorter ({} bytes) than its cursor file records ({}): not resuming",
                        path.display(),
                        existing.unwrap_or(0),
                        s.bytes
                    )));
                }
                saved = Some((cursor, s.bytes));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if existing.unwrap_or(0) > 0 {
                    return Err(CliError::usage(format!(
                        "{}: no {} beside it, so where it stopped is unknown; remove it or choose another --output",
                        path.display(),
                        cursor_file.display()
                    )));
                }
            }
            Err(e) => return Err(CliError::usage(format!("{}: {e}", cursor_file.display()))),
        }
    } else if existing.unwrap_or(0) > 0 {
        return Err(CliError::usage(format!(
            "{}: already exists; add --resume to continue it, or choose another --output",
            path.display()
        )));
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(path)
        .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
    let len = saved.map_or(0, |(_, bytes)| bytes);
    // Drop whatever was written after the saved cursor (a line cut by a kill).
    file.set_len(len)
        .and_then(|()| file.seek(SeekFrom::Start(len)).map(drop))
        .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
    Ok((
        Sink::File {
            file,
            path: path.clone(),
            len,
        },
        saved.map(|(c, _)| c),
    ))
}

/// The start, end and checks of the run; exit 2 before any request on bad input.
fn plan(args: &FeedArgs, now: u64) -> CliResult<(Option<FeedCursor>, FeedEnd)> {
    let time = |flag: &str, text: &Option<String>| -> CliResult<Option<FeedMinute>> {
        text.as_deref()
            .map(|t| {
                FeedMinute::parse_time(t).map_err(|e| CliError::usage(format!("--{flag}: {e}")))
            })
            .transpose()
    };
    let from = time("from", &args.from)?;
    let to = time("to", &args.to)?;
    let newest = newest_available(now, i64::from(args.lag));
    // The library's range rule, one bound at a time so the message names the flag as given.
    let refuse = |flag: &str, text: &Option<String>, e: ApiError| {
        let reason = match e {
            ApiError::InvalidInput { reason, .. } => reason,
            other => other.to_string(),
        };
        CliError::usage(format!(
            "--{flag} {}: {reason} (now minus the {}-minute lag)",
            text.as_deref().unwrap_or_default(),
            args.lag
        ))
    };
    check_range(from, None, newest).map_err(|e| refuse("from", &args.from, e))?;
    check_range(None, to, newest).map_err(|e| refuse("to", &args.to, e))?;
    if check_range(from, to, FeedMinute::from_unix_secs(u64::MAX)).is_err() {
        return Err(CliError::usage(format!(
            "--from {} is after --to {}",
            args.from.as_deref().unwrap_or_default(),
            args.to.as_deref().unwrap_or_default()
        )));
    }
    let cursor = match &args.cursor {
        Some(text) => {
            let c = text
                .parse::<FeedCursor>()
                .map_err(|e| CliError::usage(format!("--cursor: {e}")))?;
            if c.minute > FeedMinute::from_unix_secs(now) {
                return Err(CliError::usage(format!(
                    "--cursor {text}: the package {} is in the future",
                    c.minute
                )));
            }
            if let Some(t) = to
                && c.minute > t
            {
                return Err(CliError::usage(format!("--cursor {text}: after --to {t}")));
            }
            Some(c)
        }
        None => from.map(FeedCursor::at),
    };
    let end = match (args.follow, to) {
        (true, _) => FeedEnd::Never,
        (false, Some(t)) => FeedEnd::At(t),
        (false, None) => FeedEnd::CaughtUp,
    };
    Ok((cursor.or(Some(FeedCursor::at(newest))), end))
}

/// The error ending a feed run, naming where to resume.
fn stop(kind: FeedKind, err: &ApiError, cursor: FeedCursor, resumable: bool) -> CliError {
    let how = if resumable {
        "rerun with --resume to continue".to_owned()
    } else {
        format!("resume with --cursor {cursor}")
    };
    if err.is_bad_feed_package() {
        return CliError::new(
            Exit::ItemsFailed,
            format!("feed {kind}: {err} ({how} once the package is sound)"),
        )
        .with_detail(error_chain(err));
    }
    let mut e = item_error(err).into_cli_error(&format!("feed {kind}"));
    e.message = format!("{} ({how})", e.message);
    e.with_detail(error_chain(err))
}

/// Runs `vt feed`.
pub async fn run(ctx: &Context, args: FeedArgs) -> CliResult<Exit> {
    let kind = args.kind;
    if args.download.is_some() && kind != FeedKind::Files {
        return Err(CliError::usage(format!(
            "--download: only the file feed has files to download, not {kind}"
        )));
    }
    if let Some(dir) = &args.download
        && !dir.is_dir()
    {
        return Err(CliError::usage(format!(
            "--download {}: not a directory",
            dir.display()
        )));
    }
    if args.max_line_mib == 0 || args.max_package_mib == 0 {
        return Err(CliError::usage(
            "--max-line-mib and --max-package-mib must be at least 1",
        ));
    }
    let (start, end) = plan(&args, now_secs())?;
    let (mut sink, saved) = open_output(&args)?;
    let start = saved
        .or(start)
        .unwrap_or_else(|| FeedCursor::at(newest_available(now_secs(), i64::from(args.lag))));
    let client = ctx.client()?;
    let mut feed = client
        .feeds()
        .stream_as::<Box<RawValue>>(kind, start)
        .end(end)
        .poll_interval(Duration::from_secs(args.poll.max(1)))
        .max_line_bytes(args.max_line_mib << 20)
        .max_package_bytes(args.max_package_mib << 20);
    let resumable = args.output.is_some();
    sink.save(kind, feed.cursor())?;
    let mut failed_downloads = 0u64;
    let mut written = 0u64;
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);
    loop {
        let next = tokio::select! {
            next = feed.next() => next,
            _ = &mut interrupt => {
                if !ctx.settings.quiet {
                    eprintln!("vt: interrupted; feed cursor {} ({})", feed.cursor(),
                        if resumable { "rerun with --resume to continue" } else { "resume with --cursor" });
                }
                return Ok(Exit::Interrupted);
            }
        };
        let item = match next {
            None => break,
            Some(Ok(item)) => item,
            Some(Err(err)) => return Err(stop(kind, &err, feed.cursor(), resumable)),
        };
        if let Some(dir) = &args.download {
            match download(&client, dir, item.get()).await {
                Ok(()) => {}
                Err(err) if err.is_quota() || err.is_auth() || err.is_transport() => {
                    // The item is not recorded: a resumed run fetches it again.
                    let before = previous_cursor(feed.cursor());
                    return Err(stop(kind, &err, before, resumable));
                }
                Err(err) => {
                    failed_downloads += 1;
                    tracing::warn!(target: "vt", "feed {kind}: download failed: {}", error_chain(&err));
                }
            }
        }
        if ctx.output.ids_only {
            let id = serde_json::from_str::<ItemLink>(item.get())
                .ok()
                .and_then(|l| l.id)
                .unwrap_or_default();
            sink.write_line(&id)?;
        } else {
            sink.write_line(item.get())?;
        }
        sink.save(kind, feed.cursor())?;
        written += 1;
    }
    sink.save(kind, feed.cursor())?;
    if !ctx.settings.quiet {
        eprintln!("vt: {written} items; feed cursor {}", feed.cursor());
    }
    Ok(if failed_downloads > 0 {
        Exit::ItemsFailed
    } else {
        Exit::Ok
    })
}

/// The cursor just before the item the stream last yielded (its package, one item fewer).
fn previous_cursor(after: FeedCursor) -> FeedCursor {
    FeedCursor {
        minute: after.minute,
        consumed: after.consumed.saturating_sub(1),
    }
}

/// Downloads the file of a file-feed item into `dir` (named by its SHA-256), unless there.
async fn download(
    client: &crate::commands::client::ApiClient,
    dir: &Path,
    line: &str,
) -> Result<(), ApiError> {
    let link: ItemLink = serde_json::from_str(line).map_err(|e| ApiError::InvalidInput {
        input: "feed item".into(),
        reason: e.to_string(),
    })?;
    let id = link.id.unwrap_or_default();
    // The file is named by its id: only a SHA-256 may name a file (no path from the server).
    let sha: Sha256 = id.parse().map_err(|_| ApiError::InvalidInput {
        input: id.clone(),
        reason: "the item's id is not a SHA-256: not downloaded".into(),
    })?;
    let Some(url) = link.context_attributes.and_then(|c| c.download_url) else {
        return Err(ApiError::InvalidInput {
            input: id,
            reason: "the item has no download_url".into(),
        });
    };
    let dest = dir.join(sha.as_str().to_ascii_lowercase());
    if dest.exists() {
        return Ok(());
    }
    client
        .feeds()
        .download_to_path(&url, &dest, &DownloadOptions::new())
        .await
        .map(drop)
}
