//! Planning a batch against the key's quotas before spending any of them.
//!
//! A batch of N lookups costs one request for each input the report cache does not answer.
//! Those requests go out at the client's rate (the rolling windows of a
//! [`RateLimitSpec`]) and are counted by VirusTotal against the
//! key's budgets (`api_requests_hourly`, `_daily`, `_monthly` of
//! [`OverallQuotas`], for the user and for its group) and by the client
//! against the spec's own day and month budgets. [`QuotaPlan::compute`] plays the batch out on
//! paper: how many inputs the cache answers, how many requests remain, how long they take at the
//! rate, whether the budgets suffice and, if not, after how many inputs and at what time the
//! batch would stop (a spent budget stops a batch at once: VirusTotal answers
//! `QuotaExceededError` and the client's own calendar budgets fail fast).
//!
//! ```
//! use std::time::{Duration, SystemTime, UNIX_EPOCH};
//! use vt_api::quota_plan::{Budget, BudgetSource, PlanInput, QuotaPlan, QuotaWindow};
//!
//! // 10 inputs, the 3 first in the cache; 4 requests a minute; 5 left of a daily budget.
//! let cached = [true, true, true, false, false, false, false, false, false, false];
//! let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000); // 08:00 UTC
//! let plan = QuotaPlan::compute(&PlanInput {
//!     cached: &cached,
//!     rate: &"4/min".parse().unwrap(),
//!     budgets: vec![Budget { window: QuotaWindow::Day, source: BudgetSource::User, allowed: 500, used: 495 }],
//!     now,
//! });
//! assert_eq!((plan.items, plan.cached, plan.requests), (10, 3, 7));
//! assert_eq!(plan.duration, Some(Duration::from_secs(60))); // requests 5-7 wait a minute
//! let stop = plan.stop.unwrap();
//! assert_eq!(stop.after_items, 8); // the 6th request (9th input) is refused
//! assert_eq!(stop.at, now + Duration::from_secs(60));
//! assert!(!plan.sufficient());
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use vt_model::OverallQuotas;
use vt_transport::{RateLimitSpec, RateWindow};

use crate::request::{ApiRequest, path_segment};

/// The kinds of object a lookup batch asks for (`vt file|url|domain|ip`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LookupKind {
    /// A file report (`/files/{hash}`).
    File,
    /// A URL report (`/urls/{id}`).
    Url,
    /// A domain report (`/domains/{domain}`).
    Domain,
    /// An IP address report (`/ip_addresses/{ip}`).
    IpAddress,
}

impl LookupKind {
    /// The request a lookup of `id` sends (what `report` and `report_json` of the family send),
    /// for asking the cache whether it would answer it ([`Client::cache_would_answer`]).
    ///
    /// [`Client::cache_would_answer`]: crate::Client::cache_would_answer
    pub fn report_request(self, id: &str) -> ApiRequest {
        let collection = match self {
            LookupKind::File => "files",
            LookupKind::Url => "urls",
            LookupKind::Domain => "domains",
            LookupKind::IpAddress => "ip_addresses",
        };
        ApiRequest::get(format!("/{collection}/{}", path_segment(id)))
    }
}

/// The calendar window of a budget: budgets reset at the start of each one (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuotaWindow {
    /// A clock hour.
    Hour,
    /// A UTC day (resets 00:00 UTC).
    Day,
    /// A UTC calendar month.
    Month,
}

impl QuotaWindow {
    /// A number naming the window that contains `secs` (seconds since the epoch).
    fn index(self, secs: u64) -> u64 {
        match self {
            QuotaWindow::Hour => secs / 3600,
            QuotaWindow::Day => secs / 86_400,
            QuotaWindow::Month => {
                let (y, m, _) = vt_model::calendar::civil_from_days((secs / 86_400) as i64);
                (y * 12 + i64::from(m) - 1).max(0) as u64
            }
        }
    }

    /// When the window containing `secs` ends (seconds since the epoch).
    pub fn next_start(self, secs: u64) -> u64 {
        match self {
            QuotaWindow::Hour => (secs / 3600 + 1) * 3600,
            QuotaWindow::Day => (secs / 86_400 + 1) * 86_400,
            QuotaWindow::Month => {
                let (y, m, _) = vt_model::calendar::civil_from_days((secs / 86_400) as i64);
                let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                (vt_model::calendar::days_from_civil(ny, nm, 1).max(0) as u64) * 86_400
            }
        }
    }
}

/// Whose budget it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BudgetSource {
    /// The user's own quota (VirusTotal).
    User,
    /// The group's quota the user draws from (VirusTotal).
    Group,
    /// The client's rate spec (`N/day`, `N/month`): counted from zero by each process.
    Local,
}

/// One budget: `allowed` requests per `window`, `used` of them spent in the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Budget {
    /// The window.
    pub window: QuotaWindow,
    /// Whose budget.
    pub source: BudgetSource,
    /// Requests allowed per window.
    pub allowed: u64,
    /// Requests already spent in the current window.
    pub used: u64,
}

impl Budget {
    /// What is left in the current window.
    pub fn remaining(&self) -> u64 {
        self.allowed.saturating_sub(self.used)
    }

    /// The budgets of `GET /users/{id}/overall_quotas`: hourly, daily and monthly, of the
    /// user and of the group, each where both `allowed` and `used` are given (negative numbers
    /// read as 0).
    pub fn from_overall_quotas(quotas: &OverallQuotas) -> Vec<Budget> {
        let mut out = Vec::new();
        let windows = [
            (QuotaWindow::Hour, &quotas.api_requests_hourly),
            (QuotaWindow::Day, &quotas.api_requests_daily),
            (QuotaWindow::Month, &quotas.api_requests_monthly),
        ];
        for (window, usage) in windows {
            let Some(usage) = usage else { continue };
            for (source, quota) in [
                (BudgetSource::User, &usage.user),
                (BudgetSource::Group, &usage.group),
            ] {
                if let Some(q) = quota
                    && let (Some(allowed), Some(used)) = (q.allowed, q.used)
                {
                    out.push(Budget {
                        window,
                        source,
                        allowed: u64::try_from(allowed).unwrap_or(0),
                        used: u64::try_from(used).unwrap_or(0),
                    });
                }
            }
        }
        out
    }

    /// The calendar budgets of a rate spec (`N/day`, `N/month`), as a new process sees them
    /// (nothing used yet).
    pub fn from_rate_spec(spec: &RateLimitSpec) -> Vec<Budget> {
        spec.limits()
            .iter()
            .filter_map(|l| {
                let window = match l.window {
                    RateWindow::Day => QuotaWindow::Day,
                    RateWindow::Month => QuotaWindow::Month,
                    _ => return None,
                };
                Some(Budget {
                    window,
                    source: BudgetSource::Local,
                    allowed: u64::from(l.count),
                    used: 0,
                })
            })
            .collect()
    }
}

/// What [`QuotaPlan::compute`] works from.
#[derive(Debug, Clone)]
pub struct PlanInput<'a> {
    /// One entry per input, in the batch's order: whether the cache answers it (no request).
    pub cached: &'a [bool],
    /// The client's rate: its rolling windows pace the requests.
    pub rate: &'a RateLimitSpec,
    /// Every budget that applies (VirusTotal's and the spec's own calendar ones).
    pub budgets: Vec<Budget>,
    /// When the batch starts.
    pub now: SystemTime,
}

/// Where a batch would stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlanStop {
    /// Inputs finished (printed) before the stop; the batch stops at input `after_items + 1`.
    pub after_items: u64,
    /// Requests sent before the stop.
    pub after_requests: u64,
    /// When the refused request would be sent.
    #[serde(serialize_with = "unix_secs")]
    pub at: SystemTime,
    /// The budget that runs out.
    pub budget: Budget,
    /// When that budget's window starts again (a resume from then on goes on).
    #[serde(serialize_with = "unix_secs")]
    pub resets_at: SystemTime,
}

/// A batch played out on paper (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuotaPlan {
    /// Inputs.
    pub items: u64,
    /// Inputs the cache answers now (no request).
    pub cached: u64,
    /// Requests the batch needs (`items - cached`).
    pub requests: u64,
    /// How long sending them takes at the rate (the last one's start; answers' latency
    /// comes on top). `None` when the rate has no rolling window: as fast as the server
    /// answers.
    #[serde(serialize_with = "opt_secs")]
    pub duration: Option<Duration>,
    /// When the last request would go out, if the budgets let it.
    #[serde(serialize_with = "opt_unix_secs")]
    pub finishes_at: Option<SystemTime>,
    /// The budgets considered.
    pub budgets: Vec<Budget>,
    /// Where the batch would stop, if a budget runs out first.
    pub stop: Option<PlanStop>,
}

fn secs_of(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn unix_secs<S: serde::Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(secs_of(*t))
}

fn opt_unix_secs<S: serde::Serializer>(t: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_u64(secs_of(*t)),
        None => s.serialize_none(),
    }
}

fn opt_secs<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_f64(d.as_secs_f64()),
        None => s.serialize_none(),
    }
}

/// When request `i` (0-based) goes out after the start, under the rolling windows: the
/// limiter admits `count` at once, then `count` more one window later (a sliding log that
/// starts empty), so request `i` waits `floor(i / count)` windows; several windows: the
/// longest wait.
fn send_offset(rolling: &[(u64, Duration)], i: u64) -> Duration {
    rolling
        .iter()
        .map(|&(count, len)| {
            len.saturating_mul(u32::try_from(i / count.max(1)).unwrap_or(u32::MAX))
        })
        .max()
        .unwrap_or_default()
}

impl QuotaPlan {
    /// Plays the batch out (see the module docs). Pure arithmetic: no request, no clock.
    pub fn compute(input: &PlanInput<'_>) -> QuotaPlan {
        let items = input.cached.len() as u64;
        let cached = input.cached.iter().filter(|&&c| c).count() as u64;
        let requests = items - cached;
        let rolling: Vec<(u64, Duration)> = input
            .rate
            .limits()
            .iter()
            .filter_map(|l| Some((u64::from(l.count), l.window.rolling_length()?)))
            .collect();
        let duration = if requests == 0 {
            Some(Duration::ZERO)
        } else if rolling.is_empty() {
            None
        } else {
            Some(send_offset(&rolling, requests - 1))
        };
        let start = secs_of(input.now);
        // Per budget: (window index, requests counted in it).
        let mut counters: Vec<(u64, u64)> = input
            .budgets
            .iter()
            .map(|b| (b.window.index(start), b.used))
            .collect();
        let mut stop = None;
        let uncached = input.cached.iter().enumerate().filter(|(_, c)| !**c);
        for (sent, (position, _)) in (0u64..).zip(uncached) {
            let at = input.now + send_offset(&rolling, sent);
            let secs = secs_of(at);
            let mut refused = None;
            for (b, (window, count)) in input.budgets.iter().zip(counters.iter_mut()) {
                let w = b.window.index(secs);
                if w != *window {
                    *window = w;
                    *count = 0;
                }
                if *count >= b.allowed && refused.is_none() {
                    refused = Some(*b);
                }
            }
            if let Some(budget) = refused {
                stop = Some(PlanStop {
                    after_items: position as u64,
                    after_requests: sent,
                    at,
                    budget,
                    resets_at: UNIX_EPOCH + Duration::from_secs(budget.window.next_start(secs)),
                });
                break;
            }
            for (_, count) in &mut counters {
                *count += 1;
            }
        }
        QuotaPlan {
            items,
            cached,
            requests,
            duration,
            finishes_at: match (stop, duration) {
                (None, Some(d)) => Some(input.now + d),
                _ => None,
            },
            budgets: input.budgets.clone(),
            stop,
        }
    }

    /// Whether every budget lasts the whole batch.
    pub fn sufficient(&self) -> bool {
        self.stop.is_none()
    }

    /// The budget with the least left now in `window` (VirusTotal's or the spec's).
    pub fn tightest(&self, window: QuotaWindow) -> Option<&Budget> {
        self.budgets
            .iter()
            .filter(|b| b.window == window)
            .min_by_key(|b| b.remaining())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_800_000_000; // 2027-01-15 08:00:00 UTC

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn day(allowed: u64, used: u64) -> Budget {
        Budget {
            window: QuotaWindow::Day,
            source: BudgetSource::User,
            allowed,
            used,
        }
    }

    fn plan(cached: &[bool], rate: &str, budgets: Vec<Budget>, now: u64) -> QuotaPlan {
        QuotaPlan::compute(&PlanInput {
            cached,
            rate: &rate.parse().unwrap(),
            budgets,
            now: at(now),
        })
    }

    #[test]
    fn everything_cached_costs_nothing_and_takes_no_time() {
        let p = plan(&[true; 5], "4/min", vec![day(500, 500)], T0);
        assert_eq!((p.items, p.cached, p.requests), (5, 5, 0));
        assert_eq!(p.duration, Some(Duration::ZERO));
        assert!(
            p.sufficient(),
            "a spent budget does not matter without requests"
        );
    }

    #[test]
    fn the_rate_paces_the_requests_in_bursts_of_the_window_count() {
        // 10 requests at 4/min: 4 at 0 s, 4 at 60 s, 2 at 120 s.
        let p = plan(&[false; 10], "4/min", vec![day(500, 0)], T0);
        assert_eq!(p.duration, Some(Duration::from_secs(120)));
        assert_eq!(p.finishes_at, Some(at(T0 + 120)));
        // Two windows: the slower one rules.
        let p = plan(&[false; 10], "20/s,4/min", vec![], T0);
        assert_eq!(p.duration, Some(Duration::from_secs(120)));
        let p = plan(&[false; 100], "20/s", vec![], T0);
        assert_eq!(p.duration, Some(Duration::from_secs(4)));
        // No rolling window: unknown, as fast as the server answers.
        let p = plan(&[false; 10], "none", vec![], T0);
        assert_eq!(p.duration, None);
        assert_eq!(p.finishes_at, None);
        assert!(p.sufficient());
    }

    #[test]
    fn a_spent_budget_stops_the_batch_at_the_refused_request() {
        // 3 left today; inputs 0 and 2 cached: requests go for 1, 3, 4, 5 -> the 4th (input 5)
        // is refused, after 5 inputs.
        let cached = [true, false, true, false, false, false, false];
        let p = plan(&cached, "none", vec![day(10, 7)], T0);
        let stop = p.stop.unwrap();
        assert_eq!(stop.after_requests, 3);
        assert_eq!(stop.after_items, 5);
        assert_eq!(stop.budget, day(10, 7));
        assert_eq!(stop.resets_at, at(T0 - T0 % 86_400 + 86_400));
        assert!(!p.sufficient());
        assert_eq!(p.finishes_at, None);
    }

    #[test]
    fn a_window_that_resets_before_the_batch_reaches_it_does_not_stop_it() {
        // 10 minutes before midnight, 1 request left today, 4/min: request 1 waits until
        // after midnight only if it is the 5th; here the 2nd goes at once and is refused.
        let before_midnight = T0 - T0 % 86_400 + 86_400 - 600;
        let p = plan(&[false; 2], "4/min", vec![day(500, 499)], before_midnight);
        assert_eq!(p.stop.unwrap().after_requests, 1);
        // 1/min and 12 requests: the budget of today holds 1, request 2 (60 s later) is
        // refused.
        let p = plan(&[false; 12], "1/min", vec![day(500, 499)], before_midnight);
        assert_eq!(p.stop.unwrap().at, at(before_midnight + 60));
        // One an hour: the second request is after midnight, in a fresh day.
        let p = plan(&[false; 3], "1/hour", vec![day(2, 1)], before_midnight);
        assert!(p.sufficient(), "{:?}", p.stop);
        assert_eq!(p.duration, Some(Duration::from_secs(7200)));
    }

    #[test]
    fn the_first_budget_to_run_out_is_named_and_others_count_too() {
        let hour = Budget {
            window: QuotaWindow::Hour,
            source: BudgetSource::Group,
            allowed: 100,
            used: 98,
        };
        let p = plan(&[false; 10], "none", vec![day(500, 0), hour], T0);
        let stop = p.stop.unwrap();
        assert_eq!(stop.budget, hour);
        assert_eq!(stop.after_requests, 2);
        assert_eq!(stop.resets_at, at(T0 - T0 % 3600 + 3600));
        assert_eq!(p.tightest(QuotaWindow::Day), Some(&day(500, 0)));
    }

    #[test]
    fn budgets_come_from_overall_quotas_and_the_rate_spec() {
        let q: OverallQuotas = serde_json::from_str(
            r#"{"api_requests_daily": {"user": {"allowed": 500, "used": 20},
                                        "group": {"allowed": 1000, "used": -3}},
                "api_requests_hourly": {"user": {"used": 5}},
                "api_requests_monthly": {"user": {"allowed": 15500, "used": 700}}}"#,
        )
        .unwrap();
        let b = Budget::from_overall_quotas(&q);
        assert_eq!(
            b,
            vec![
                day(500, 20),
                Budget {
                    window: QuotaWindow::Day,
                    source: BudgetSource::Group,
                    allowed: 1000,
                    used: 0
                },
                Budget {
                    window: QuotaWindow::Month,
                    source: BudgetSource::User,
                    allowed: 15500,
                    used: 700
                },
            ]
        );
        let spec: RateLimitSpec = "4/min,500/day,9000/month".parse().unwrap();
        let local = Budget::from_rate_spec(&spec);
        assert_eq!(local.len(), 2);
        assert!(
            local
                .iter()
                .all(|b| b.source == BudgetSource::Local && b.used == 0)
        );
        assert_eq!(local[0].allowed, 500);
    }

    #[test]
    fn months_end_on_the_calendar() {
        // 2027-01-15 -> 2027-02-01 00:00 UTC.
        assert_eq!(QuotaWindow::Month.next_start(T0), 1_801_440_000);
        assert_eq!(QuotaWindow::Day.next_start(T0), 1_800_057_600);
        assert_eq!(QuotaWindow::Hour.next_start(T0), T0 + 3600 - T0 % 3600);
    }

    #[test]
    fn the_plan_serializes_with_unix_times_and_seconds() {
        let p = plan(&[false; 5], "4/min", vec![day(3, 0)], T0);
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["requests"], 5);
        assert_eq!(v["duration"], 60.0);
        assert_eq!(v["stop"]["after_items"], 3);
        assert_eq!(v["stop"]["at"], T0);
        assert_eq!(v["stop"]["budget"]["window"], "day");
        assert_eq!(v["finishes_at"], serde_json::Value::Null);
    }

    #[test]
    fn report_requests_are_the_lookups() {
        let base = "https://vt.test";
        assert_eq!(
            LookupKind::File.report_request("abc").url(base),
            "https://vt.test/api/v3/files/abc"
        );
        assert_eq!(
            LookupKind::IpAddress.report_request("1.2.3.4").url(base),
            "https://vt.test/api/v3/ip_addresses/1.2.3.4"
        );
        assert!(crate::cache::cacheable(&LookupKind::Url.report_request("x-y")).is_some());
    }
}
