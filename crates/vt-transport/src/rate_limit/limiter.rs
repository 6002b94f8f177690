//! [`RateLimiter`]: several windows at once, FIFO waiting, shared by clones.
//!
//! Hand-written on purpose: tower's `RateLimit` and the governor-style crates keep one
//! window (or one token bucket), while VirusTotal's quotas are several at once (minute, day,
//! month), the day and month being calendar budgets that reset at 00:00 UTC and must fail fast
//! when spent instead of waiting for hours.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use super::spec::{RateLimitSpec, RateWindow};
use super::status::RateLimitStatus;
use super::store::{RateLimitStore, StoreSlot};
use crate::calendar;
use crate::error::TransportError;

/// A local request limiter built from a [`RateLimitSpec`]. Clones share one state.
///
/// * **Rolling windows** (second, minute, hour) keep the admission times of the last N
///   requests, so there are never more than N admissions in *any* interval of the window's
///   length (a sliding log, not a fixed window that would allow 2N around a boundary).
/// * **Calendar windows** (day, month) count admissions since the last 00:00 UTC (first of the
///   month). When one is spent, [`RateLimiter::acquire`] fails at once with
///   [`TransportError::QuotaExhausted`] instead of waiting hours.
/// * Waiters are served **first come, first served** (a fair async mutex is held while the
///   head of the queue sleeps until its slot).
/// * VirusTotal counts a request when it *arrives*, which can be a little after the limiter
///   admitted it (a busy machine, a new connection). A request admitted with
///   [`RateLimiter::admit`] therefore holds its place in the rolling windows from admission
///   until its [`Admission`] is dropped (the layer drops it when the response headers are in),
///   capped at one window length: admissions then never bunch into more than N arrivals at
///   the server in any window (finding R5 of `docs/reliability.md`).
///
/// Time comes from `tokio::time::Instant` (so tests can pause it); the calendar is that
/// instant mapped to the wall clock read once at construction.
///
/// The windows live in this process by default. [`RateLimiter::with_store`] keeps them in a
/// [`RateLimitStore`] instead (for example Redis, shared by a fleet of processes on one key);
/// the in-process path pays one branch for that.
#[derive(Clone)]
pub struct RateLimiter {
    shared: Arc<Shared>,
    store: Option<Arc<dyn RateLimitStore>>,
}

struct Shared {
    /// Callers inside [`RateLimiter::admit`] (queued or sleeping until their slot).
    waiting: AtomicUsize,
    spec: RateLimitSpec,
    turnstile: tokio::sync::Mutex<()>,
    state: Mutex<State>,
    origin_instant: Instant,
    origin_wall: Duration,
}

struct State {
    rolling: Vec<Rolling>,
    calendar: Vec<Calendar>,
    next_id: u64,
}

struct Rolling {
    len: Duration,
    count: usize,
    /// (admission id, time the slot counts from), in admission order.
    log: VecDeque<(u64, Instant)>,
}

struct Calendar {
    window: RateWindow,
    count: u32,
    period: u64,
    used: u32,
}

enum Decision {
    Admit(u64),
    WaitUntil(Instant),
    Exhausted(TransportError),
}

impl RateLimiter {
    /// A limiter for `spec`, its calendar anchored to the current wall clock.
    pub fn new(spec: RateLimitSpec) -> Self {
        Self::starting_at(spec, SystemTime::now())
    }

    /// A limiter whose calendar believes that "now" is `wall_now` (for tests and simulations
    /// that run on a paused tokio clock).
    pub fn starting_at(spec: RateLimitSpec, wall_now: SystemTime) -> Self {
        let mut rolling = Vec::new();
        let mut cal = Vec::new();
        for l in spec.limits() {
            match l.window.rolling_length() {
                Some(len) => rolling.push(Rolling {
                    len,
                    count: l.count as usize,
                    log: VecDeque::with_capacity((l.count as usize).min(1024)),
                }),
                None => cal.push(Calendar {
                    window: l.window,
                    count: l.count,
                    period: u64::MAX,
                    used: 0,
                }),
            }
        }
        RateLimiter {
            shared: Arc::new(Shared {
                waiting: AtomicUsize::new(0),
                spec,
                turnstile: tokio::sync::Mutex::new(()),
                state: Mutex::new(State {
                    rolling,
                    calendar: cal,
                    next_id: 0,
                }),
                origin_instant: Instant::now(),
                origin_wall: wall_now
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap_or_default(),
            }),
            store: None,
        }
    }

    /// A limiter for `spec` whose windows live in `store` (shared with every process that
    /// uses the same store and key) instead of this process.
    pub fn with_store(spec: RateLimitSpec, store: Arc<dyn RateLimitStore>) -> Self {
        let mut limiter = Self::new(spec);
        limiter.store = Some(store);
        limiter
    }

    /// The store of the windows, when they are not kept in this process.
    pub fn store(&self) -> Option<&Arc<dyn RateLimitStore>> {
        self.store.as_ref()
    }

    /// The spec this limiter enforces.
    pub fn spec(&self) -> &RateLimitSpec {
        &self.shared.spec
    }

    /// Whether the limiter has no limits (then [`acquire`](Self::acquire) never waits).
    pub fn is_unlimited(&self) -> bool {
        self.shared.spec.is_unlimited()
    }

    /// Waits for a slot in every window and takes it. Fails at once, taking nothing, when a
    /// day or month budget is spent. Dropping the future before it completes takes nothing.
    pub async fn acquire(&self) -> Result<(), TransportError> {
        self.admit().await.map(drop)
    }

    /// Like [`acquire`](Self::acquire), and the slot keeps counting from "now" until the
    /// returned [`Admission`] is dropped (at most one window length later): hold it while the
    /// request is on its way, so that the server never sees more than N arrivals in a window.
    pub async fn admit(&self) -> Result<Admission, TransportError> {
        if self.is_unlimited() {
            return Ok(Admission { slot: None });
        }
        if let Some(store) = &self.store {
            let _waiting = WaitingGuard::enter(&self.shared.waiting);
            let slot = store.admit(&self.shared.spec).await?;
            return Ok(Admission {
                slot: Some(Slot::Store(slot)),
            });
        }
        // Fail fast without queueing when a calendar budget is already spent.
        {
            let wall = self.wall_secs(Instant::now());
            if let Some(err) = self.lock_state().spent_budget(wall) {
                return Err(err);
            }
        }
        let _waiting = WaitingGuard::enter(&self.shared.waiting);
        let _turn = self.shared.turnstile.lock().await;
        loop {
            let now = Instant::now();
            let decision = self.lock_state().decide(now, self.wall_secs(now));
            match decision {
                Decision::Admit(id) => {
                    return Ok(Admission {
                        slot: Some(Slot::Local(self.clone(), id)),
                    });
                }
                Decision::WaitUntil(t) => tokio::time::sleep_until(t).await,
                Decision::Exhausted(err) => return Err(err),
            }
        }
    }

    /// What the limiter is doing now: how many requests wait for a slot and when the next
    /// slot frees. A snapshot for progress displays; it takes nothing and never waits.
    pub fn status(&self) -> RateLimitStatus {
        if let Some(store) = &self.store {
            return store.status();
        }
        let waiting = self.shared.waiting.load(Ordering::Relaxed);
        let now = Instant::now();
        let next_slot_in = self
            .lock_state()
            .next_slot(now)
            .map(|t| t.saturating_duration_since(now))
            .filter(|d| !d.is_zero());
        RateLimitStatus {
            waiting,
            next_slot_in,
        }
    }

    /// The shortest spacing between requests the rolling windows allow on average (for
    /// example 15 s for 4 a minute): an estimate of how long N more requests take. `None`
    /// without rolling windows.
    pub fn interval(&self) -> Option<Duration> {
        self.shared
            .spec
            .limits()
            .iter()
            .filter_map(|l| {
                let len = l.window.rolling_length()?;
                (l.count > 0).then(|| len / l.count)
            })
            .max()
    }

    fn lock_state(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wall_secs(&self, now: Instant) -> u64 {
        (self.shared.origin_wall + now.saturating_duration_since(self.shared.origin_instant))
            .as_secs()
    }
}

impl State {
    fn refresh_calendar(&mut self, wall: u64) {
        for c in &mut self.calendar {
            let period = match c.window {
                RateWindow::Month => calendar::month_index(wall),
                _ => calendar::day_index(wall),
            };
            if period != c.period {
                c.period = period;
                c.used = 0;
            }
        }
    }

    fn spent_budget(&mut self, wall: u64) -> Option<TransportError> {
        self.refresh_calendar(wall);
        self.calendar.iter().find(|c| c.used >= c.count).map(|c| {
            let reset = match c.window {
                RateWindow::Month => calendar::next_month_start(wall),
                _ => calendar::next_day_start(wall),
            };
            TransportError::QuotaExhausted {
                window: c.window,
                resets_at: SystemTime::UNIX_EPOCH + Duration::from_secs(reset),
            }
        })
    }

    /// When every rolling window has room again (`None`: now), without changing anything.
    fn next_slot(&self, now: Instant) -> Option<Instant> {
        self.rolling
            .iter()
            .filter_map(|r| {
                let live: Vec<Instant> = r
                    .log
                    .iter()
                    .map(|&(_, t)| t)
                    .filter(|&t| t + r.len > now)
                    .collect();
                (live.len() >= r.count)
                    .then(|| live.get(live.len() - r.count).map(|&t| t + r.len))
                    .flatten()
            })
            .max()
    }

    fn decide(&mut self, now: Instant, wall: u64) -> Decision {
        if let Some(err) = self.spent_budget(wall) {
            return Decision::Exhausted(err);
        }
        let mut wait_until: Option<Instant> = None;
        for r in &mut self.rolling {
            // An admission at `t` counts while `t + len > now`.
            while let Some(&(_, front)) = r.log.front() {
                if front + r.len <= now {
                    r.log.pop_front();
                } else {
                    break;
                }
            }
            if r.log.len() >= r.count
                && let Some(&(_, front)) = r.log.front()
            {
                let t = front + r.len;
                wait_until = Some(wait_until.map_or(t, |w| w.max(t)));
            }
        }
        if let Some(t) = wait_until {
            return Decision::WaitUntil(t);
        }
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        for r in &mut self.rolling {
            r.log.push_back((id, now));
        }
        for c in &mut self.calendar {
            c.used += 1;
        }
        Decision::Admit(id)
    }

    /// Moves admission `id`'s slots to count from `now`, by at most one window length.
    /// Entries behind a later front only expire later: counting stays conservative.
    fn settle(&mut self, id: u64, now: Instant) {
        for r in &mut self.rolling {
            if let Some(entry) = r.log.iter_mut().rev().find(|(i, _)| *i == id) {
                let latest = entry.1 + r.len;
                entry.1 = entry.1.max(now.min(latest));
            }
        }
    }
}

/// Counts a caller as waiting while it is inside `admit`.
struct WaitingGuard<'a>(&'a AtomicUsize);

impl<'a> WaitingGuard<'a> {
    fn enter(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        WaitingGuard(count)
    }
}

impl Drop for WaitingGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A slot taken with [`RateLimiter::admit`]; dropping it marks the request as arrived.
#[must_use = "the slot counts from admission until the admission is dropped"]
pub struct Admission {
    slot: Option<Slot>,
}

/// Where an admission's slot was taken.
enum Slot {
    Local(RateLimiter, u64),
    Store(Box<dyn StoreSlot>),
}

impl Drop for Admission {
    fn drop(&mut self) {
        match self.slot.take() {
            Some(Slot::Local(limiter, id)) => limiter.lock_state().settle(id, Instant::now()),
            Some(Slot::Store(slot)) => slot.arrived(),
            None => {}
        }
    }
}

impl fmt::Debug for Admission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Admission");
        match &self.slot {
            Some(Slot::Local(_, id)) => d.field("id", id),
            Some(Slot::Store(slot)) => d.field("store_slot", slot),
            None => d.field("id", &None::<u64>),
        };
        d.finish()
    }
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimiter")
            .field("spec", &self.shared.spec.to_string())
            .field("store", &self.store)
            .finish()
    }
}
