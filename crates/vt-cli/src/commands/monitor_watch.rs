//! `vt monitor watch`: new VT Monitor detections, each printed once, for a publisher's CI
//! (`--once`, exit 10 when there is something to act on) or as a long-running watch
//! (`--interval`, Ctrl-C / SIGTERM handled). The polling and de-duplication rule is the
//! library's ([`vt_api::monitor_watch`]); this module keeps the state file, prints and waits.
//!
//! Order of a poll: list the items (on a copy of the state), print every event, then save the
//! state atomically. A stop signal during the listing abandons it (nothing printed, the saved
//! state unchanged); one arriving while events are printed and saved is acted on right after
//! the save, so nothing is printed twice. Only a SIGKILL between printing and saving can make
//! the next run print that poll's events again (at least once, never lost).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use vt_api::MonitorFilter;
use vt_api::monitor_watch::{DetectionEvent, WatchState};

use crate::cli::{Format, MonitorWatchArgs};
use crate::commands::context::Context;
use crate::exit::{CliError, CliResult, Exit};
use crate::item_error::fail;
use crate::signals;

/// Time between polls without `--interval`.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// `$XDG_STATE_HOME/vt/monitor-watch.json`, or `~/.local/state/vt/monitor-watch.json`.
fn default_state_path() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").filter(|v| !v.is_empty())?)
            .join(".local")
            .join("state"),
    };
    Some(base.join("vt").join("monitor-watch.json"))
}

/// The filter of the watch: `tag:detected`, or the tags given.
fn filter_of(tags: &[String]) -> CliResult<MonitorFilter> {
    if tags.is_empty() {
        return Ok(WatchState::default_filter());
    }
    let filter = MonitorFilter::tags(tags.iter().map(|t| vt_api::MonitorTag::parse(t.trim())));
    filter
        .validate()
        .map_err(|e| CliError::usage(format!("--tag: {}", crate::exit::error_chain(&e))))?;
    Ok(filter)
}

/// Loads the state (or starts one) and checks, before any request, that it can be saved.
fn open_state(path: &Path, filter: &MonitorFilter) -> CliResult<WatchState> {
    let bad = |why: String| CliError::usage(format!("state file {}: {why}", path.display()));
    let state = match WatchState::load(path) {
        Ok(Some(state)) if state.filter != filter.to_string() => {
            return Err(bad(format!(
                "it holds a watch of `{}`, not `{filter}`: give another --state",
                state.filter
            )));
        }
        Ok(Some(state)) => state,
        Ok(None) => WatchState::new(filter),
        Err(vt_api::Error::InvalidInput { reason, .. }) => return Err(bad(reason)),
        Err(vt_api::Error::Io { source, .. }) => return Err(bad(source.to_string())),
        Err(e) => return Err(bad(e.to_string())),
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| bad(format!("cannot create {}: {e}", dir.display())))?;
    // The state is replaced by a rename in its directory: that must be writable.
    let probe = dir.join(format!(".vt-watch-probe-{}", std::process::id()));
    std::fs::File::create(&probe)
        .map_err(|e| bad(format!("cannot write in {}: {e}", dir.display())))?;
    let _ = std::fs::remove_file(&probe);
    if path.is_dir() {
        return Err(bad("is a directory".into()));
    }
    Ok(state)
}

fn human_line(e: &DetectionEvent) -> String {
    let when = e
        .analysis_date
        .map(|t| vt_model::Timestamp(t).to_rfc3339())
        .unwrap_or_else(|| "-".into());
    let mut engines: Vec<String> = e.new_engines.iter().map(|n| format!("+{n}")).collect();
    engines.extend(e.gone_engines.iter().map(|n| format!("-{n}")));
    format!(
        "{when}  {:<22} {}  {} engine{} ({})  {}",
        e.change.as_str(),
        e.path,
        e.detections,
        if e.detections == 1 { "" } else { "s" },
        engines.join(" "),
        e.sha256.as_deref().unwrap_or("-"),
    )
}

fn print_events(ctx: &Context, events: &[DetectionEvent]) -> CliResult<()> {
    let human = ctx.settings.format.0 == Format::Human;
    let mut out = std::io::stdout().lock();
    for e in events {
        let line = if human {
            human_line(e)
        } else {
            let mut v = serde_json::to_value(e)
                .map_err(|err| CliError::usage(format!("monitor watch: {err}")))?;
            v["type"] = json!("monitor_detection_event");
            v.to_string()
        };
        writeln!(out, "{line}")
            .and_then(|()| out.flush())
            .map_err(crate::output::output_error)?;
    }
    Ok(())
}

/// `vt monitor watch`.
pub async fn watch(ctx: &Context, args: MonitorWatchArgs) -> CliResult<Exit> {
    let filter = filter_of(&args.tag)?;
    let path = match args.state.clone().or_else(default_state_path) {
        Some(p) => p,
        None => {
            return Err(CliError::usage(
                "no state file: give --state FILE (or set HOME or XDG_STATE_HOME)",
            ));
        }
    };
    let mut state = open_state(&path, &filter)?;
    let interval = args.interval.unwrap_or(DEFAULT_INTERVAL);
    let client = ctx.client()?;
    let quiet = ctx.settings.quiet;
    let mut alerts = 0usize;
    let mut signal = std::pin::pin!(signals::stop_requested());
    loop {
        let mut next = state.clone();
        let monitor = client.monitor();
        let polled = tokio::select! {
            biased;
            exit = &mut signal => return Err(stopped(exit, &path)),
            polled = monitor.poll_detections(&mut next) => polled,
        };
        match polled {
            Ok(events) => {
                print_events(ctx, &events)?;
                next.save(&path).map_err(|e| {
                    CliError::usage(format!("state file {}: {}", path.display(), error_text(&e)))
                })?;
                state = next;
                alerts += events.iter().filter(|e| e.change.is_alert()).count();
            }
            Err(e) if !args.once && (e.is_transient() || e.is_transport()) => {
                // A long-running watch rides out a bad moment: the state is unchanged and
                // the next poll asks again.
                if !quiet {
                    let _ = writeln!(
                        std::io::stderr(),
                        "vt: monitor watch: {}; trying again in {}",
                        crate::exit::error_chain(&e),
                        vt_api::cache::describe_age(interval)
                    );
                }
            }
            Err(e) => return Err(fail("monitor watch", &e)),
        }
        if args.once {
            break;
        }
        tokio::select! {
            biased;
            exit = &mut signal => return Err(stopped(exit, &path)),
            () = tokio::time::sleep(interval) => {}
        }
    }
    if alerts > 0 && !quiet {
        let _ = writeln!(
            std::io::stderr(),
            "vt: {alerts} new detection event{} (exit {})",
            if alerts == 1 { "" } else { "s" },
            Exit::NewDetections.code()
        );
    }
    Ok(if alerts > 0 {
        Exit::NewDetections
    } else {
        Exit::Ok
    })
}

fn error_text(e: &vt_api::Error) -> String {
    match e {
        vt_api::Error::Io { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}

fn stopped(exit: Exit, path: &Path) -> CliError {
    CliError::new(
        exit,
        format!(
            "monitor watch: {}; what was printed is remembered in {}",
            signals::stop_word(exit),
            path.display()
        ),
    )
}
