//! Progress on stderr (indicatif), only when stderr is a terminal and not `--quiet`.
//!
//! A batch's line and a wait's spinner tick every second (the elapsed time moves even while
//! nothing finishes) and say what they wait for: `rate limit: next request in 14 s` while the
//! client's rate limiter holds requests back, `analysis queued, poll 5, next in 10 s` while an
//! analysis is polled. A batch's ETA comes from the rate limit (the items left times the
//! spacing the limit allows) when there is one. The libraries print nothing: the line reads
//! `RateLimiter::status` and the reports of `Analyses::wait_observed`.
//!
//! With the default public rate on a key the server says is premium, the first long rate wait
//! says once how to raise the limit.

use std::collections::BTreeMap;
use std::future::Future;
use std::io::IsTerminal;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::time::Instant;
use vt_api::WaitProgress;
use vt_api::transport::RateLimiter;

/// Whether progress is shown.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    enabled: bool,
}

/// A check run once, on the first long rate wait: the hint to print, if any.
pub type PremiumCheck = Pin<Box<dyn Future<Output = Option<String>> + Send>>;

/// What the progress line watches: the client's rate limiter and the analyses waited for.
struct Watch {
    limiter: RateLimiter,
    polls: Mutex<BTreeMap<u64, PollView>>,
    next_id: AtomicU64,
    premium_check: Mutex<Option<PremiumCheck>>,
    hinted: AtomicBool,
}

/// The last report of one analysis wait.
struct PollView {
    status: String,
    polls: u32,
    next_at: Instant,
}

static WATCH: OnceLock<Watch> = OnceLock::new();

/// Lets progress lines watch the client's rate limiter (called once, when the client is
/// built); `premium_check` runs on the first rate wait of several seconds.
pub fn watch(limiter: RateLimiter, premium_check: Option<PremiumCheck>) {
    let _ = WATCH.set(Watch {
        limiter,
        polls: Mutex::new(BTreeMap::new()),
        next_id: AtomicU64::new(0),
        premium_check: Mutex::new(premium_check),
        hinted: AtomicBool::new(false),
    });
}

/// One analysis wait, shown on the progress line while it lives.
pub struct PollWatch {
    id: u64,
}

impl PollWatch {
    /// Starts showing a wait.
    pub fn new() -> PollWatch {
        let id = WATCH
            .get()
            .map_or(0, |w| w.next_id.fetch_add(1, Ordering::Relaxed));
        PollWatch { id }
    }

    /// Records a report of `Analyses::wait_observed`.
    pub fn update(&self, progress: &WaitProgress<'_>) {
        if let Some(w) = WATCH.get() {
            w.polls
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(
                    self.id,
                    PollView {
                        status: progress.last_status.to_owned(),
                        polls: progress.polls,
                        next_at: Instant::now() + progress.next_poll_in,
                    },
                );
        }
    }
}

impl Default for PollWatch {
    fn default() -> Self {
        PollWatch::new()
    }
}

impl Drop for PollWatch {
    fn drop(&mut self) {
        if let Some(w) = WATCH.get() {
            w.polls
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&self.id);
        }
    }
}

/// Whole seconds, rounded up (a wait of 0.2 s says 1 s, never 0 s).
fn secs(d: Duration) -> u64 {
    d.as_millis().div_ceil(1000) as u64
}

/// `1h02m`, `3m05s`, `12s`.
fn short(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// What the line waits for right now, if anything.
fn waiting_for() -> Option<String> {
    let w = WATCH.get()?;
    let status = w.limiter.status();
    if status.waiting > 0
        && let Some(next) = status.next_slot_in
        && next >= Duration::from_secs(1)
    {
        return Some(format!("rate limit: next request in {} s", secs(next)));
    }
    let polls = w.polls.lock().unwrap_or_else(PoisonError::into_inner);
    let soonest = polls.values().min_by_key(|p| p.next_at)?;
    let next = soonest.next_at.saturating_duration_since(Instant::now());
    Some(format!(
        "analysis {}, poll {}, next in {} s",
        soonest.status,
        soonest.polls,
        secs(next)
    ))
}

/// The ETA of `left` more items: from the rate limit's spacing when there is one, else
/// indicatif's estimate from the items done so far.
fn eta(bar: &ProgressBar, left: u64) -> String {
    let spacing = WATCH.get().and_then(|w| w.limiter.interval());
    let d = match spacing {
        Some(spacing) => spacing.saturating_mul(u32::try_from(left).unwrap_or(u32::MAX)),
        None => bar.eta(),
    };
    format!("eta {}", short(d))
}

/// Runs the premium check once, after the first rate wait of several seconds.
fn maybe_hint(bar: &ProgressBar) {
    let Some(w) = WATCH.get() else { return };
    let status = w.limiter.status();
    let long_wait = status.waiting > 0
        && status
            .next_slot_in
            .is_some_and(|d| d >= Duration::from_secs(5));
    if !long_wait || w.hinted.swap(true, Ordering::Relaxed) {
        return;
    }
    let check = w
        .premium_check
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    if let Some(check) = check {
        let bar = bar.clone();
        tokio::spawn(async move {
            if let Some(hint) = check.await {
                bar.suspend(|| eprintln!("vt: {hint}"));
            }
        });
    }
}

/// Keeps `bar`'s line moving: redrawn every second, its message (what it waits for, and the
/// ETA for counted bars) refreshed twice a second until the bar is finished.
fn keep_ticking(bar: &ProgressBar, base: String, counted: bool) {
    bar.enable_steady_tick(Duration::from_secs(1));
    if tokio::runtime::Handle::try_current().is_err() {
        return;
    }
    let bar = bar.clone();
    tokio::spawn(async move {
        while !bar.is_finished() {
            let mut parts: Vec<String> = Vec::new();
            if !base.is_empty() {
                parts.push(base.clone());
            }
            if counted && let Some(len) = bar.length() {
                parts.push(eta(&bar, len.saturating_sub(bar.position())));
            }
            if let Some(what) = waiting_for() {
                parts.push(what);
                maybe_hint(&bar);
            }
            bar.set_message(parts.join(" · "));
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
}

impl Progress {
    /// Progress for this run: on when stderr is a terminal and `quiet` is off.
    pub fn new(quiet: bool) -> Progress {
        Progress {
            enabled: !quiet && std::io::stderr().is_terminal(),
        }
    }

    /// A bar counting items of a batch (hidden for a single item).
    pub fn bar(&self, len: u64, what: &str) -> ProgressBar {
        if !self.enabled || len < 2 {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {elapsed_precise} {msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(what.to_owned());
        keep_ticking(&bar, String::new(), true);
        bar
    }

    /// A bar counting the bytes of uploading the file at `path` (its size as the length).
    pub fn upload(&self, path: &std::path::Path) -> ProgressBar {
        let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        self.bytes(len, "upload")
    }

    /// A bar counting bytes of a transfer.
    pub fn bytes(&self, len: u64, what: &str) -> ProgressBar {
        if !self.enabled {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(what.to_owned());
        bar
    }

    /// A bar of a job's percentage done on the server (a Retrohunt scan): length 1000
    /// (tenths of a percent), its message what the job last reported.
    pub fn percent(&self, what: &str) -> ProgressBar {
        if !self.enabled {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(1000), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{prefix} [{bar:30}] {msg} {elapsed_precise}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(what.to_owned());
        bar.set_message("waiting for the first answer");
        bar.enable_steady_tick(Duration::from_secs(1));
        bar
    }

    /// A spinner with a message (waiting for an analysis), ticking and saying what it waits
    /// for.
    pub fn spinner(&self, msg: &str) -> ProgressBar {
        if !self.enabled {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}") {
            bar.set_style(style);
        }
        bar.set_message(msg.to_owned());
        keep_ticking(&bar, msg.to_owned(), false);
        bar
    }
}

/// The progress callback of an upload or download (`done`, `total` bytes) that moves `bar`.
pub fn follow(bar: &ProgressBar) -> impl Fn(u64, u64) + Send + Sync + 'static {
    let bar = bar.clone();
    move |done, total| {
        if total > 0 {
            bar.set_length(total);
        }
        bar.set_position(done);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_short_and_waits_round_up() {
        assert_eq!(short(Duration::from_secs(12)), "12s");
        assert_eq!(short(Duration::from_secs(185)), "3m05s");
        assert_eq!(short(Duration::from_secs(3720)), "1h02m");
        assert_eq!(secs(Duration::from_millis(200)), 1);
        assert_eq!(secs(Duration::from_secs(14)), 14);
    }
}
