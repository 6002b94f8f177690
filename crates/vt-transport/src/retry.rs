//! [`RetryPolicy`]: when and how long to wait before sending a request again.
//!
//! What is retried (everything else is returned as it came):
//!
//! | outcome | retried? | wait |
//! |---|---|---|
//! | connection refused / DNS / connect timeout | yes, any method | backoff |
//! | connection lost, response or idle timeout | only idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS): a POST may have been processed | backoff |
//! | 429 `TooManyRequestsError` (or 429 without a code) | yes | backoff, at least `Retry-After` |
//! | 503 (`TransientError` or no code), 502 | yes | backoff, at least `Retry-After` |
//! | 504 `DeadlineExceededError` | idempotent methods only | backoff, at least `Retry-After` |
//! | 429 `QuotaExceededError` (v2: 204) | once (`max_quota_retries`) | `Retry-After` if sent, else `quota_wait` (61 s, so the minute window has rolled), plus jitter |
//! | 429 `QuotaExceededError` again | no: the day or month quota is spent; the 429 is returned | |
//! | 400, 401, 403, 404, 409, 424, any other 4xx | never | |
//! | 400 `NotAvailableYet` | no (the API layer polls for it; the wait is minutes, not a backoff) | |
//! | local `QuotaExhausted`, TLS, proxy, body errors | never | |
//!
//! A request whose body is a one-shot stream is never retried (it is sent once). Every try
//! counts against `max_attempts` (default 5 tries in all). Backoff is exponential with full
//! jitter: before retry *n* the policy sleeps a uniformly random time in
//! `[0, min(max_delay, base_delay * 2^(n-1))]` (defaults 1 s and 60 s). A `Retry-After` longer
//! than `max_retry_after` (5 min) ends the retries. A retry budget (tower's `TpsBudget`,
//! shared by all clones: retries may add at most 20 % to the request rate, plus 10 per
//! second) stops retry storms.

use std::sync::Arc;
use std::time::Duration;

use http::{Method, Request, Response, StatusCode};
use rand::RngExt as _;
use tower::retry::budget::{Budget, TpsBudget};
use vt_model::ErrorCode;

use crate::body::{ResponseBody, VtBody};
use crate::classify::ApiErrorInfo;
use crate::error::TransportError;

/// How many tries a request took, attached to the response of every request the retry layer
/// could have retried (not to requests with one-shot streaming bodies, which tower's retry
/// layer passes straight through).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts(pub u32);

/// The retry layer: tower's retry layer with a [`RetryPolicy`].
pub type RetryLayer = tower::retry::RetryLayer<RetryPolicy>;

/// Retry settings. See the [module docs](self) for what is retried.
#[derive(Debug, Clone)]
pub struct RetryConfig {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    quota_wait: Duration,
    max_quota_retries: u32,
    max_retry_after: Duration,
    budget_percent: f32,
    budget_min_per_sec: u32,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            quota_wait: Duration::from_secs(61),
            max_quota_retries: 1,
            max_retry_after: Duration::from_secs(300),
            budget_percent: 0.2,
            budget_min_per_sec: 10,
        }
    }
}

impl RetryConfig {
    /// No retries: every request is tried once.
    pub fn disabled() -> Self {
        RetryConfig::default().max_attempts(1)
    }

    /// Tries in all, the first included (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// The backoff's base delay (the ceiling of the first retry's random wait).
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }

    /// The backoff's largest ceiling.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// How long to wait after a `QuotaExceededError` without `Retry-After` (default 61 s).
    pub fn quota_wait(mut self, d: Duration) -> Self {
        self.quota_wait = d;
        self
    }

    /// How many times a `QuotaExceededError` is retried (default 1: a second one in a row
    /// means the day or month quota is spent).
    pub fn max_quota_retries(mut self, n: u32) -> Self {
        self.max_quota_retries = n;
        self
    }

    /// The longest `Retry-After` that is waited for; a longer one ends the retries.
    pub fn max_retry_after(mut self, d: Duration) -> Self {
        self.max_retry_after = d;
        self
    }

    /// The retry budget: retries may add `percent` (0.0 to 1.0) of the recent request rate,
    /// plus `min_per_sec` retries per second.
    pub fn budget(mut self, percent: f32, min_per_sec: u32) -> Self {
        self.budget_percent = percent.clamp(0.0, 1.0);
        self.budget_min_per_sec = min_per_sec;
        self
    }

    /// The configured number of tries.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The ceiling of the random wait before retry number `retry` (1 for the first retry).
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// The tower retry policy. Cheap to clone; the budget is shared by clones.
#[derive(Clone)]
pub struct RetryPolicy {
    config: Arc<RetryConfig>,
    budget: Arc<TpsBudget>,
    attempt: u32,
    quota_retries: u32,
    deposited: bool,
}

impl std::fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("config", &self.config)
            .field("attempt", &self.attempt)
            .finish()
    }
}

/// Why a retry happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    Error,
    Status,
    Quota,
}

impl RetryPolicy {
    /// A policy for `config`.
    pub fn new(config: RetryConfig) -> Self {
        let budget = TpsBudget::new(
            Duration::from_secs(10),
            config.budget_min_per_sec,
            config.budget_percent,
        );
        RetryPolicy {
            config: Arc::new(config),
            budget: Arc::new(budget),
            attempt: 1,
            quota_retries: 0,
            deposited: false,
        }
    }

    /// A layer using this policy.
    pub fn layer(self) -> RetryLayer {
        tower::retry::RetryLayer::new(self)
    }

    fn decide(
        &self,
        method: &Method,
        result: &Result<Response<ResponseBody>, TransportError>,
    ) -> Option<(Duration, Reason)> {
        let idempotent = is_idempotent(method);
        match result {
            Err(e) => {
                if e.is_retryable() && (idempotent || e.is_never_sent()) {
                    Some((self.jittered_backoff(), Reason::Error))
                } else {
                    None
                }
            }
            Ok(resp) => {
                let info = resp.extensions().get::<ApiErrorInfo>()?;
                let retry_after = info.retry_after;
                if retry_after.is_some_and(|d| d > self.config.max_retry_after) {
                    return None;
                }
                if info.code == Some(ErrorCode::QuotaExceeded) {
                    if self.quota_retries >= self.config.max_quota_retries {
                        return None;
                    }
                    let wait = retry_after.unwrap_or(self.config.quota_wait);
                    let jitter = random_up_to(self.config.base_delay);
                    return Some((wait + jitter, Reason::Quota));
                }
                let retry = match info.status {
                    StatusCode::TOO_MANY_REQUESTS => {
                        matches!(info.code, None | Some(ErrorCode::TooManyRequests))
                    }
                    StatusCode::SERVICE_UNAVAILABLE | StatusCode::BAD_GATEWAY => {
                        matches!(info.code, None | Some(ErrorCode::Transient))
                    }
                    StatusCode::GATEWAY_TIMEOUT => {
                        idempotent && matches!(info.code, None | Some(ErrorCode::DeadlineExceeded))
                    }
                    _ => false,
                };
                retry.then(|| {
                    let backoff = self.jittered_backoff();
                    (
                        retry_after.map_or(backoff, |ra| ra.max(backoff)),
                        Reason::Status,
                    )
                })
            }
        }
    }

    fn jittered_backoff(&self) -> Duration {
        random_up_to(self.config.backoff_ceiling(self.attempt))
    }
}

fn random_up_to(max: Duration) -> Duration {
    let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
    if nanos == 0 {
        return Duration::ZERO;
    }
    Duration::from_nanos(rand::rng().random_range(0..=nanos))
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

impl tower::retry::Policy<Request<VtBody>, Response<ResponseBody>, TransportError> for RetryPolicy {
    type Future = tokio::time::Sleep;

    fn retry(
        &mut self,
        req: &mut Request<VtBody>,
        result: &mut Result<Response<ResponseBody>, TransportError>,
    ) -> Option<Self::Future> {
        let decision = if self.attempt >= self.config.max_attempts {
            None
        } else {
            self.decide(req.method(), result)
        };
        let decision = decision.filter(|_| {
            let ok = self.budget.withdraw();
            if !ok {
                tracing::debug!("retry budget spent; not retrying");
            }
            ok
        });
        let Some((delay, reason)) = decision else {
            if let Ok(resp) = result {
                resp.extensions_mut().insert(Attempts(self.attempt));
            }
            return None;
        };
        let what = match result {
            Ok(resp) => match resp.extensions().get::<ApiErrorInfo>() {
                Some(ApiErrorInfo {
                    code: Some(code), ..
                }) => format!("{} {code}", resp.status().as_u16()),
                _ => resp.status().as_u16().to_string(),
            },
            Err(e) => e.to_string(),
        };
        if reason == Reason::Quota {
            self.quota_retries += 1;
            tracing::info!(
                attempt = self.attempt,
                delay_ms = delay.as_millis() as u64,
                outcome = %what,
                "quota window spent; waiting for it to roll over before retrying"
            );
        } else {
            tracing::debug!(
                attempt = self.attempt,
                delay_ms = delay.as_millis() as u64,
                outcome = %what,
                "retrying"
            );
        }
        self.attempt += 1;
        Some(tokio::time::sleep(delay))
    }

    fn clone_request(&mut self, req: &Request<VtBody>) -> Option<Request<VtBody>> {
        if !self.deposited {
            self.deposited = true;
            self.budget.deposit();
        }
        if self.config.max_attempts <= 1 {
            return None;
        }
        let body = req.body().try_clone()?;
        let mut out = Request::new(body);
        *out.method_mut() = req.method().clone();
        *out.uri_mut() = req.uri().clone();
        *out.version_mut() = req.version();
        *out.headers_mut() = req.headers().clone();
        *out.extensions_mut() = req.extensions().clone();
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_ceiling_doubles_up_to_the_cap() {
        let c = RetryConfig::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_secs(1));
        let ceilings: Vec<_> = (1..=6).map(|n| c.backoff_ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(c.backoff_ceiling(200), Duration::from_secs(1));
    }

    #[test]
    fn jitter_stays_within_bounds_and_varies() {
        let max = Duration::from_millis(500);
        let samples: Vec<_> = (0..200).map(|_| random_up_to(max)).collect();
        assert!(samples.iter().all(|d| *d <= max));
        let distinct: std::collections::HashSet<_> = samples.iter().collect();
        assert!(distinct.len() > 100);
        assert_eq!(random_up_to(Duration::ZERO), Duration::ZERO);
    }
}
