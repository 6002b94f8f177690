//! `vt retrohunt` (alias `rh`): Retrohunt jobs, YARA scans over VirusTotal's past files
//! (premium). `start RULES.yar|- [--corpus main|goodware] [--from D] [--to D] [--email A]
//! [--wait]`, `list`, `get JOB... [--wait]`, `abort JOB`, `delete JOB...`, `matches JOB
//! [--download DIR]`.
//!
//! Everything local is checked before any request (exit 2): the rules file (readable, UTF-8
//! text, not empty, within the size limit, and with the `yara` feature compiled locally with
//! yara-x: `file:line:column` of the first error), the dates, the e-mail, the job ids. `--wait`
//! prints the job id on stderr first (so a wait cut short can be taken up with `vt retrohunt
//! get JOB --wait`), shows a progress bar on a terminal (one line per change of status
//! otherwise), and on Ctrl-C says how to go on waiting; the job itself goes on at VirusTotal.
//! A job that ends `aborted` or `failed` is exit 1; a wait past `--wait-timeout` (no limit
//! unless given) is exit 5.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use futures_util::StreamExt;
use serde_json::json;
use vt_api::retrohunt::{NewRetrohuntJob, RangeEnd, RetrohuntWaitProgress, parse_range_date};
use vt_api::{DownloadOptions, WaitOptions};
use vt_model::{FileHash, RetrohuntCorpus, RetrohuntJob, RetrohuntJobId};

use crate::cli::PageArgs;
use crate::commands::context::Context;
use crate::commands::printing::{list, print_one};
use crate::exit::{CliError, CliResult, Exit};
use crate::item_error::{fail, to_value};
use crate::output::Shape;
use crate::signals;

/// `vt retrohunt`.
#[derive(Debug, Subcommand)]
pub enum RetrohuntCommand {
    /// Start a job with the YARA rules of RULES.yar (`-`: stdin); prints the job.
    Start(StartArgs),
    /// Your jobs, newest first.
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Jobs by id; `--wait` waits for each to end.
    Get(GetArgs),
    /// Stop a job (it goes through `aborting` to `aborted`; its matches so far are kept).
    Abort(JobArg),
    /// Delete jobs and their matches.
    #[command(visible_alias = "del", visible_alias = "rm")]
    Delete(JobsArgs),
    /// The files a job matched; `--download DIR` also fetches them.
    Matches(MatchesArgs),
}

/// The corpus a job scans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Corpus {
    /// VirusTotal's files of the look-back period.
    Main,
    /// About a million NSRL files no engine detects (false-positive testing).
    Goodware,
}

/// `vt retrohunt start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// The YARA rules file, or `-` for stdin.
    #[arg(value_name = "RULES.yar|-")]
    pub rules: String,
    /// Which files to scan.
    #[arg(long, value_enum, default_value = "main")]
    pub corpus: Corpus,
    /// Only files first submitted from this day on (YYYY-MM-DD, UTC; or
    /// YYYY-MM-DDTHH:MM:SSZ, or Unix seconds).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only files first submitted up to this day, included (YYYY-MM-DD, UTC; or
    /// YYYY-MM-DDTHH:MM:SSZ, or Unix seconds).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Tell this address by e-mail when the job ends.
    #[arg(long, value_name = "ADDRESS")]
    pub email: Option<String>,
    /// Wait for the job to end (a progress bar on a terminal), then print it.
    #[arg(short, long)]
    pub wait: bool,
}

/// `vt retrohunt list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only jobs with this status (starting, running, aborting, aborted, finished).
    #[arg(long, value_name = "STATUS", conflicts_with = "filter")]
    pub status: Option<String>,
    /// The API's filter, e.g. `status:running`.
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Option<String>,
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
}

/// `vt retrohunt get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// Job ids (`<username>-<unix seconds>`).
    #[arg(required = true, value_name = "JOB")]
    pub jobs: Vec<String>,
    /// Wait for each job to end.
    #[arg(short, long)]
    pub wait: bool,
}

/// One job id.
#[derive(Debug, Args)]
pub struct JobArg {
    /// The job id (`<username>-<unix seconds>`).
    #[arg(value_name = "JOB")]
    pub job: String,
}

/// Several job ids.
#[derive(Debug, Args)]
pub struct JobsArgs {
    /// Job ids (`<username>-<unix seconds>`).
    #[arg(required = true, value_name = "JOB")]
    pub jobs: Vec<String>,
}

/// `vt retrohunt matches`.
#[derive(Debug, Args)]
pub struct MatchesArgs {
    /// The job id.
    #[arg(value_name = "JOB")]
    pub job: String,
    /// Also download each matching file into DIR (named by its SHA-256).
    #[arg(long, value_name = "DIR")]
    pub download: Option<PathBuf>,
    /// Do not wait for downloaded files to reach the disk (no fsync).
    #[arg(long, requires = "download")]
    pub no_sync: bool,
    /// Paging.
    #[command(flatten)]
    pub page: PageArgs,
}

/// Runs `vt retrohunt ...`; `wait_timeout` is `--wait-timeout` when given (else no limit: a
/// job takes hours).
pub async fn run(
    ctx: &Context,
    cmd: RetrohuntCommand,
    wait_timeout: Option<Duration>,
) -> CliResult<Exit> {
    let wait = WaitOptions {
        timeout: wait_timeout.unwrap_or(Duration::MAX),
        ..ctx.wait.clone()
    };
    match cmd {
        RetrohuntCommand::Start(args) => start(ctx, args, wait).await,
        RetrohuntCommand::List(args) => list_jobs(ctx, args).await,
        RetrohuntCommand::Get(args) => get(ctx, args, wait).await,
        RetrohuntCommand::Abort(args) => abort(ctx, args).await,
        RetrohuntCommand::Delete(args) => delete(ctx, args).await,
        RetrohuntCommand::Matches(args) => matches(ctx, args).await,
    }
}

/// A job id, or exit 2.
pub fn parse_job(text: &str) -> CliResult<RetrohuntJobId> {
    text.parse()
        .map_err(|e: vt_model::IdError| CliError::usage(e.to_string()))
}

/// The rules text of `source` (a path, or `-` for stdin): readable, UTF-8, within the
/// library's limits (exit 2 naming the source otherwise, worded as `vt yara check` words it).
/// For builds without the `yara` feature, where the rules cannot be compiled locally.
#[cfg(not(feature = "yara"))]
fn read_rules(source: &str) -> CliResult<String> {
    use std::io::Read as _;
    let limit = vt_api::retrohunt::MAX_RULES_BYTES;
    let (origin, bytes) = if source == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(limit as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::usage(format!("<stdin>: cannot read: {e}")))?;
        ("<stdin>".to_owned(), bytes)
    } else {
        let path = Path::new(source);
        let meta = std::fs::metadata(path)
            .map_err(|e| CliError::usage(format!("{source}: cannot read: {e}")))?;
        if meta.is_dir() {
            return Err(CliError::usage(format!(
                "{source}: is a directory, not a rule file"
            )));
        }
        if meta.len() > limit as u64 {
            return Err(CliError::usage(format!(
                "{source}: the ruleset is {} bytes, over the limit of {limit}",
                meta.len()
            )));
        }
        let bytes = std::fs::read(path)
            .map_err(|e| CliError::usage(format!("{source}: cannot read: {e}")))?;
        (source.to_owned(), bytes)
    };
    if bytes.len() > limit {
        return Err(CliError::usage(format!(
            "{origin}: the ruleset is over the limit of {limit} bytes"
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        CliError::usage(format!(
            "{origin}: the ruleset is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    vt_api::retrohunt::check_rules(&text).map_err(|e| match e {
        vt_api::Error::InvalidInput { reason, .. } => {
            CliError::usage(format!("{origin}: {reason}"))
        }
        other => CliError::usage(format!("{origin}: {other}")),
    })?;
    Ok(text)
}

/// The job to create from `start`'s arguments, checked by the library (exit 2).
fn new_job(args: &StartArgs, rules: String) -> CliResult<NewRetrohuntJob> {
    let date = |flag: &str, text: &Option<String>, end: RangeEnd| {
        text.as_deref()
            .map(|t| {
                parse_range_date(t, end).map_err(|e| match e {
                    vt_api::Error::InvalidInput { reason, .. } => {
                        CliError::usage(format!("--{flag} {t:?}: {reason}"))
                    }
                    other => CliError::usage(format!("--{flag} {t:?}: {other}")),
                })
            })
            .transpose()
    };
    let from = date("from", &args.from, RangeEnd::Start)?;
    let to = date("to", &args.to, RangeEnd::End)?;
    let corpus = match args.corpus {
        Corpus::Main => RetrohuntCorpus::Main,
        Corpus::Goodware => RetrohuntCorpus::Goodware,
    };
    let mut job = NewRetrohuntJob::new(rules)
        .corpus(corpus)
        .time_range(from, to);
    if let Some(email) = &args.email {
        job = job.notification_email(email.clone());
    }
    job.check().map_err(|e| match e {
        vt_api::Error::InvalidInput { input, reason } => {
            let flag = if args.email.as_deref() == Some(input.as_str()) {
                "--email"
            } else {
                "--from/--to"
            };
            CliError::usage(format!("{flag} {input:?}: {reason}"))
        }
        other => CliError::usage(other.to_string()),
    })?;
    Ok(job)
}

/// The rules of `start`, checked locally: with the `yara` feature, compiled with yara-x as
/// `vt yara check` does (a rule that does not compile is exit 2 with
/// `file:line:column: error...`, warnings printed and not fatal), at most 300 rules.
#[cfg(feature = "yara")]
fn local_rules(ctx: &Context, source: &str) -> CliResult<String> {
    let checked = crate::commands::yara::read_and_check(
        ctx,
        Path::new(source),
        &[vt_api::yara::RulesTarget::Retrohunt],
    )?;
    let n = checked.rules.len();
    if n > vt_api::retrohunt::MAX_RULES_PER_JOB {
        return Err(CliError::usage(format!(
            "{source}: {n} rules; a Retrohunt job takes at most {}",
            vt_api::retrohunt::MAX_RULES_PER_JOB
        )));
    }
    Ok(checked.text)
}

/// The rules of `start`, checked locally (without the `yara` feature: not compiled).
#[cfg(not(feature = "yara"))]
fn local_rules(_ctx: &Context, source: &str) -> CliResult<String> {
    read_rules(source)
}

/// `vt retrohunt start`.
async fn start(ctx: &Context, args: StartArgs, wait: WaitOptions) -> CliResult<Exit> {
    let rules = local_rules(ctx, &args.rules)?;
    let job = new_job(&args, rules)?;
    let client = ctx.client()?;
    let created = client
        .retrohunt()
        .create(&job)
        .await
        .map_err(|e| fail("Retrohunt job", &e))?;
    if !args.wait {
        return print_job(ctx, &created);
    }
    let id = parse_job(created.id_str()).map_err(|e| {
        CliError::new(
            Exit::Transport,
            format!("VirusTotal answered {}", e.message),
        )
    })?;
    if !ctx.settings.quiet {
        let _ = writeln!(
            std::io::stderr(),
            "vt: Retrohunt job {id} started; to wait for it again: vt retrohunt get {id} --wait"
        );
    }
    let done = wait_for(ctx, &id, wait).await?;
    print_job(ctx, &done)
}

fn print_job(ctx: &Context, job: &RetrohuntJob) -> CliResult<Exit> {
    let value = to_value(job).map_err(|e| e.into_cli_error("Retrohunt job"))?;
    print_one(ctx, &value)
}

/// One line of what a wait sees: `running 45.5% · 3 matches · 1.2 GB scanned · eta 1h02m`.
fn describe(job: &RetrohuntJob) -> String {
    let a = &job.attributes;
    let mut parts = vec![format!(
        "{} {:.1}%",
        a.status.as_ref().map_or("unknown", |s| s.as_str()),
        a.progress_percent()
    )];
    let matches = a.num_matches.unwrap_or(0);
    parts.push(format!(
        "{matches} match{}",
        if matches == 1 { "" } else { "es" }
    ));
    if let Some(bytes) = a.scanned_bytes {
        parts.push(format!("{} scanned", human_bytes(bytes)));
    }
    if let Some(eta) = a.eta_seconds.filter(|&s| s > 0) {
        parts.push(format!("eta {}", human_duration(eta as u64)));
    }
    parts.join(" · ")
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KB", "MB", "GB", "TB", "PB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

fn human_duration(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        _ => format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60),
    }
}

/// Waits for job `id` to end, with a bar on a terminal (else a line per change of status),
/// stopping cleanly on Ctrl-C or SIGTERM with the command to go on waiting.
async fn wait_for(
    ctx: &Context,
    id: &RetrohuntJobId,
    wait: WaitOptions,
) -> CliResult<RetrohuntJob> {
    let client = ctx.client()?;
    let bar = ctx.progress.percent(&format!("Retrohunt {id}"));
    let lines = bar.is_hidden() && !ctx.settings.quiet;
    let mut last_status = String::new();
    let observe = |p: &RetrohuntWaitProgress<'_>| {
        let Some(job) = p.job else { return };
        let line = describe(job);
        bar.set_position((job.attributes.progress_percent() * 10.0).round() as u64);
        bar.set_message(line.clone());
        let status = job
            .attributes
            .status
            .as_ref()
            .map_or("unknown", |s| s.as_str())
            .to_owned();
        if lines && status != last_status {
            let _ = writeln!(std::io::stderr(), "vt: Retrohunt job {id}: {line}");
            last_status = status;
        }
    };
    let retrohunt = client.retrohunt();
    let waiting = retrohunt.wait_observed(id, wait, observe);
    let mut signal = std::pin::pin!(signals::stop_requested());
    let outcome = tokio::select! {
        biased;
        exit = &mut signal => Err(exit),
        done = waiting => Ok(done),
    };
    bar.finish_and_clear();
    let go_on = format!("vt retrohunt get {id} --wait");
    match outcome {
        Err(exit) => Err(CliError::new(
            exit,
            format!(
                "Retrohunt job {id}: {}; the job goes on at VirusTotal; to go on waiting: {go_on}",
                signals::stop_word(exit)
            ),
        )),
        Ok(Ok(job)) => Ok(job),
        Ok(Err(e)) => Err(wait_error(id, &e, &go_on)),
    }
}

/// The one line ending a wait that did not see the job finish.
fn wait_error(id: &RetrohuntJobId, err: &vt_api::Error, go_on: &str) -> CliError {
    match err {
        vt_api::Error::RetrohuntEnded { .. } => CliError::new(
            Exit::ItemsFailed,
            format!("{err}; its matches: vt retrohunt matches {id}"),
        ),
        vt_api::Error::RetrohuntTimeout { .. } => CliError::new(
            Exit::Transport,
            format!("{err}; the job goes on at VirusTotal; to go on waiting: {go_on}"),
        ),
        _ => {
            let mut e = fail(&format!("Retrohunt job {id}"), err);
            if !err.is_final_for_item() && !err.is_auth() {
                e.message.push_str(&format!("; to go on waiting: {go_on}"));
            }
            e
        }
    }
}

/// `vt retrohunt list`.
async fn list_jobs(ctx: &Context, args: ListArgs) -> CliResult<Exit> {
    if let Some(c) = &args.page.cursor {
        vt_api::intelligence::check_cursor(c)
            .map_err(|e| CliError::usage(format!("--cursor: {e}")))?;
    }
    let filter = match (&args.status, &args.filter) {
        (Some(s), _) => {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_lowercase()) {
                return Err(CliError::usage(format!(
                    "--status {s:?}: expected a status such as running or finished"
                )));
            }
            Some(format!("status:{s}"))
        }
        (None, Some(f)) if f.trim().is_empty() => {
            return Err(CliError::usage("--filter: the filter is empty"));
        }
        (None, f) => f.clone(),
    };
    let client = ctx.client()?;
    let mut jobs = client.retrohunt().list();
    if let Some(f) = filter {
        jobs = jobs.filter(f);
    }
    list(ctx, jobs, &args.page, "Retrohunt jobs", Shape::Many).await
}

/// `vt retrohunt get`.
async fn get(ctx: &Context, args: GetArgs, wait: WaitOptions) -> CliResult<Exit> {
    let ids = args
        .jobs
        .iter()
        .map(|j| parse_job(j))
        .collect::<CliResult<Vec<_>>>()?;
    let client = ctx.client()?;
    let shape = if ids.len() == 1 {
        Shape::One
    } else {
        Shape::Many
    };
    let mut printer = ctx.printer(shape);
    let mut exit = Exit::Ok;
    for id in &ids {
        let job = if args.wait {
            wait_for(ctx, id, wait.clone()).await
        } else {
            client
                .retrohunt()
                .get(id)
                .await
                .map_err(|e| fail(&format!("Retrohunt job {id}"), &e))
        };
        match job {
            Ok(job) => {
                let value = to_value(&job).map_err(|e| e.into_cli_error("Retrohunt job"))?;
                printer.object(&value)?;
            }
            Err(e) if e.exit == Exit::ItemsFailed && ids.len() > 1 => {
                let _ = writeln!(std::io::stderr(), "vt: {}", e.message);
                exit = Exit::ItemsFailed;
            }
            Err(e) => {
                printer.finish_after_error()?;
                return Err(e);
            }
        }
    }
    printer.finish()?;
    Ok(exit)
}

/// `vt retrohunt abort`.
async fn abort(ctx: &Context, args: JobArg) -> CliResult<Exit> {
    let id = parse_job(&args.job)?;
    let client = ctx.client()?;
    match client.retrohunt().abort(&id).await {
        Ok(job) => print_job(ctx, &job),
        Err(e @ vt_api::Error::RetrohuntAlreadyEnded { .. }) => Err(CliError::new(
            Exit::ItemsFailed,
            format!("{e}; its matches: vt retrohunt matches {id}"),
        )),
        Err(e) => Err(fail(&format!("Retrohunt job {id}"), &e)),
    }
}

/// `vt retrohunt delete`.
async fn delete(ctx: &Context, args: JobsArgs) -> CliResult<Exit> {
    let ids = args
        .jobs
        .iter()
        .map(|j| parse_job(j))
        .collect::<CliResult<Vec<_>>>()?;
    let client = ctx.client()?;
    let mut exit = Exit::Ok;
    for id in &ids {
        match client.retrohunt().delete(id).await {
            Ok(()) => {
                if !ctx.settings.quiet {
                    let _ = writeln!(std::io::stderr(), "vt: deleted Retrohunt job {id}");
                }
            }
            Err(e) => {
                let err = fail(&format!("Retrohunt job {id}"), &e);
                if err.exit != Exit::ItemsFailed {
                    return Err(err);
                }
                let _ = writeln!(std::io::stderr(), "vt: {}", err.message);
                exit = Exit::ItemsFailed;
            }
        }
    }
    Ok(exit)
}

/// `vt retrohunt matches`.
async fn matches(ctx: &Context, args: MatchesArgs) -> CliResult<Exit> {
    let id = parse_job(&args.job)?;
    if let Some(c) = &args.page.cursor {
        vt_api::intelligence::check_cursor(c)
            .map_err(|e| CliError::usage(format!("--cursor: {e}")))?;
    }
    let what = format!("matches of Retrohunt job {id}");
    let Some(dir) = &args.download else {
        let client = ctx.client()?;
        let files = client.retrohunt().matching_files(&id);
        return list(ctx, files, &args.page, &what, Shape::Many).await;
    };
    if dir.exists() && !dir.is_dir() {
        return Err(CliError::usage(format!(
            "--download {}: not a directory",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::usage(format!("--download {}: {e}", dir.display())))?;
    let client = ctx.client()?;
    let mut files = client.retrohunt().matching_files(&id);
    files = match &args.page.cursor {
        Some(c) => files.start_at(c.clone()),
        None => files,
    };
    files = if args.page.all {
        files.page_size(40)
    } else {
        files
            .limit(args.page.limit)
            .page_size(args.page.limit.clamp(1, 40) as u32)
    };
    let mut printer = ctx.printer(Shape::Many);
    let mut signal = std::pin::pin!(signals::stop_requested());
    let mut exit = Exit::Ok;
    loop {
        let next = tokio::select! {
            biased;
            stop = &mut signal => {
                printer.finish()?;
                let mut msg = format!("{what}: {}", signals::stop_word(stop));
                if let Some(c) = files.cursor() {
                    msg.push_str(&format!("; to continue from here: --cursor {c}"));
                }
                return Err(CliError::new(stop, msg));
            }
            next = files.next() => next,
        };
        let Some(file) = next else { break };
        let file = match file {
            Ok(f) => f,
            Err(e) => {
                printer.finish_after_error()?;
                return Err(fail(&what, &e));
            }
        };
        let mut value = to_value(&file).map_err(|e| e.into_cli_error(&what))?;
        match file.id_str().parse::<FileHash>() {
            Ok(hash) => {
                let dest = dir.join(file.id_str());
                let options = DownloadOptions::new().sync(!args.no_sync);
                match client.files().download_to_path(&hash, &dest, options).await {
                    Ok(size) => {
                        if let Some(map) = value.as_object_mut() {
                            map.insert(
                                "download".into(),
                                json!({"path": dest.display().to_string(), "size": size}),
                            );
                        }
                    }
                    Err(e) => {
                        let err = fail(&format!("download of {}", file.id_str()), &e);
                        if err.exit != Exit::ItemsFailed {
                            printer.finish_after_error()?;
                            return Err(err);
                        }
                        let _ = writeln!(std::io::stderr(), "vt: {}", err.message);
                        exit = Exit::ItemsFailed;
                    }
                }
            }
            Err(_) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "vt: {what}: {:?} is not a file hash; not downloaded",
                    file.id_str()
                );
                exit = Exit::ItemsFailed;
            }
        }
        printer.object(&value)?;
    }
    printer.finish()?;
    if !args.page.all
        && !files.is_exhausted()
        && let Some(c) = files.cursor()
        && !ctx.settings.quiet
    {
        let _ = writeln!(
            std::io::stderr(),
            "vt: more matches: add --cursor {c} (or --all)"
        );
    }
    Ok(exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations_read_like_a_person_writes_them() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_234_567_890), "1.2 GB");
        assert_eq!(human_duration(3720), "1h02m");
        assert_eq!(human_duration(59), "59s");
    }

    #[test]
    fn a_wait_line_says_status_progress_matches_and_eta() {
        let job: RetrohuntJob = serde_json::from_value(json!({"type": "retrohunt_job",
            "id": "a-1", "attributes": {"status": "running", "progress": 45.5,
            "num_matches": 1, "scanned_bytes": 2_000_000, "eta_seconds": 125}}))
        .unwrap();
        assert_eq!(
            describe(&job),
            "running 45.5% · 1 match · 2.0 MB scanned · eta 2m05s"
        );
    }
}
