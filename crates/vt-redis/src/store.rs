//! [`RedisRateLimitStore`]: the rate-limit windows of a fleet, kept in Redis.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use hmac::{Hmac, Mac};
use redis::aio::MultiplexedConnection;
use sha2::Sha256;
use tokio::time::Instant;
use vt_transport::{
    RateLimitSpec, RateLimitStatus, RateLimitStore, RateWindow, StoreFuture, StoreSlot,
    TransportError,
};

use crate::url::FleetUrl;

static ADMIT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("admit.lua")));
static SETTLE: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("settle.lua")));
static LEAVE: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("leave.lua")));

/// How long a request waits for an unreachable Redis before it fails, by default.
pub const DEFAULT_OUTAGE_TIMEOUT: Duration = Duration::from_secs(300);
/// How long connecting (and each answer) may take before Redis counts as unreachable.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long past its expected next question a waiter keeps its place in the queue (a killed
/// process's waiters leave the queue after this).
const LEASE_MARGIN: Duration = Duration::from_secs(3);
/// The key of the digest that names a key's windows in Redis. Not a secret: an API key is
/// 256 random bits, so its digest cannot be turned back into it; the digest only keeps the key
/// itself out of Redis and names the same windows on every machine.
const NAMESPACE_DIGEST_KEY: &[u8] = b"vt-rs fleet namespace v1";

/// Why the fleet's Redis could not be used at start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FleetError {
    /// Redis did not answer (refused, unreachable, timed out, refused the password or the
    /// database).
    #[error("fleet Redis at {url} is unreachable: {reason}")]
    Unreachable {
        /// The address, password hidden.
        url: String,
        /// What failed.
        reason: String,
    },
}

/// Settings of a [`RedisRateLimitStore`].
#[derive(Debug, Clone, Copy)]
pub struct FleetOptions {
    /// How long a request waits for Redis, when it is lost mid-run, before it fails with
    /// [`TransportError::RateLimitStore`] (default 300 s; `vt` uses `--timeout`).
    pub outage_timeout: Duration,
    /// How long connecting and each answer may take (default 3 s).
    pub connect_timeout: Duration,
}

impl Default for FleetOptions {
    fn default() -> Self {
        FleetOptions {
            outage_timeout: DEFAULT_OUTAGE_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
        }
    }
}

/// Rate-limit windows in Redis, shared by every process (on any machine) that uses the same
/// Redis database and API key: hand it to
/// [`RateLimiter::with_store`](vt_transport::RateLimiter::with_store). See the crate docs for
/// the semantics and the faults.
#[derive(Clone)]
pub struct RedisRateLimitStore {
    inner: Arc<Inner>,
}

struct Inner {
    client: redis::Client,
    url: FleetUrl,
    options: FleetOptions,
    /// `vt:fleet:{<digest of the key>}`: every key of this API key's windows starts so.
    prefix: String,
    connection: tokio::sync::Mutex<Option<MultiplexedConnection>>,
    /// The epoch Redis last answered with ('' before the first answer).
    epoch: Mutex<String>,
    waiting: AtomicUsize,
    next_slot: Mutex<Option<Instant>>,
}

impl fmt::Debug for RedisRateLimitStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisRateLimitStore")
            .field("url", &self.inner.url)
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

impl RedisRateLimitStore {
    /// Connects to `url` and checks that Redis answers (fails with
    /// [`FleetError::Unreachable`] otherwise). `api_key` only names the windows, through a
    /// keyed digest: it is never sent to Redis.
    pub async fn connect(
        url: &FleetUrl,
        api_key: &str,
        options: FleetOptions,
    ) -> Result<Self, FleetError> {
        let unreachable = |reason: String| FleetError::Unreachable {
            url: url.to_string(),
            reason,
        };
        let client = redis::Client::open(url.connection_url())
            .map_err(|e| unreachable(redact_error(&e, url)))?;
        let store = RedisRateLimitStore {
            inner: Arc::new(Inner {
                client,
                url: url.clone(),
                options,
                prefix: format!("vt:fleet:{{{}}}", namespace(api_key)),
                connection: tokio::sync::Mutex::new(None),
                epoch: Mutex::new(String::new()),
                waiting: AtomicUsize::new(0),
                next_slot: Mutex::new(None),
            }),
        };
        let mut con = store
            .inner
            .connection()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        redis::cmd("PING")
            .query_async::<String>(&mut con)
            .await
            .map_err(|e| unreachable(redact_error(&e, url)))?;
        Ok(store)
    }

    /// The prefix of every Redis key of this API key's windows (`vt:fleet:{digest}`).
    pub fn key_prefix(&self) -> &str {
        &self.inner.prefix
    }
}

/// The digest that names an API key's windows: HMAC-SHA256 under a fixed key, 32 hex digits.
pub(crate) fn namespace(api_key: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(NAMESPACE_DIGEST_KEY)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(api_key.as_bytes());
    mac.finalize().into_bytes()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The text of a Redis error, without the password of `url`.
pub(crate) fn redact_error(err: &redis::RedisError, url: &FleetUrl) -> String {
    let text = err.to_string();
    match url::Url::parse(url.connection_url())
        .ok()
        .and_then(|u| u.password().map(str::to_owned))
    {
        Some(pw) if !pw.is_empty() => text.replace(&pw, "***"),
        _ => text,
    }
}

/// A failure to talk to Redis during a run (the request waits and asks again).
#[derive(Debug)]
struct Lost(String);

impl fmt::Display for Lost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

enum Reply {
    Admitted,
    Wait(Duration),
    Exhausted(RateWindow),
}

/// The Redis keys and arguments of one spec, at one moment of the calendar.
struct Plan {
    rolling: Vec<(String, u64)>,
    keys: Vec<String>,
    args: Vec<String>,
    calendar: Vec<RateWindow>,
}

impl Inner {
    async fn connection(&self) -> Result<MultiplexedConnection, Lost> {
        let mut guard = self.connection.lock().await;
        if let Some(con) = guard.as_ref() {
            return Ok(con.clone());
        }
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.options.connect_timeout))
            .set_response_timeout(Some(self.options.connect_timeout));
        let con = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .map_err(|e| Lost(redact_error(&e, &self.url)))?;
        *guard = Some(con.clone());
        Ok(con)
    }

    async fn forget_connection(&self) {
        *self.connection.lock().await = None;
    }

    fn key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.prefix)
    }

    fn plan(&self, spec: &RateLimitSpec, ticket: &str) -> Plan {
        let wall = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let mut rolling = Vec::new();
        let mut calendar = Vec::new();
        for l in spec.limits() {
            match l.window.rolling_length() {
                Some(len) => rolling.push((
                    self.key(&format!("w:{}s", len.as_secs())),
                    u64::try_from(len.as_micros()).unwrap_or(u64::MAX),
                    l.count,
                )),
                None => calendar.push((l.window, l.count)),
            }
        }
        let mut keys = vec![
            self.key("epoch"),
            self.key("hold"),
            self.key("queue"),
            self.key("leases"),
        ];
        let epoch = self
            .epoch
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut args = vec![
            rolling.len().to_string(),
            calendar.len().to_string(),
            epoch,
            ticket.to_owned(),
            LEASE_MARGIN.as_micros().to_string(),
        ];
        for (key, len, count) in &rolling {
            keys.push(key.clone());
            args.push(len.to_string());
            args.push(count.to_string());
        }
        for (window, count) in &calendar {
            let (period, resets) = calendar_period(*window, wall);
            keys.push(self.key(&format!("c:{window}:{period}")));
            args.push(count.to_string());
            // Kept a day past the reset, so clocks a little apart still agree.
            args.push((resets + 86_400).to_string());
        }
        Plan {
            rolling: rolling.into_iter().map(|(k, len, _)| (k, len)).collect(),
            keys,
            args,
            calendar: calendar.into_iter().map(|(w, _)| w).collect(),
        }
    }

    async fn ask(&self, plan: &Plan) -> Result<Reply, Lost> {
        let mut con = self.connection().await?;
        let mut invocation = ADMIT.prepare_invoke();
        for k in &plan.keys {
            invocation.key(k);
        }
        for a in &plan.args {
            invocation.arg(a);
        }
        let (kind, number, epoch): (String, i64, String) =
            match invocation.invoke_async(&mut con).await {
                Ok(reply) => reply,
                Err(e) => {
                    self.forget_connection().await;
                    return Err(Lost(redact_error(&e, &self.url)));
                }
            };
        {
            let mut known = self.epoch.lock().unwrap_or_else(PoisonError::into_inner);
            if !known.is_empty() && *known != epoch {
                tracing::warn!(
                    "fleet Redis lost its rate-limit windows (restarted without its data): \
                     no request is sent for one window length"
                );
            }
            *known = epoch;
        }
        match kind.as_str() {
            "admitted" => Ok(Reply::Admitted),
            "wait" => Ok(Reply::Wait(Duration::from_micros(
                u64::try_from(number).unwrap_or(0),
            ))),
            "exhausted" => {
                let index = usize::try_from(number).unwrap_or(1).saturating_sub(1);
                Ok(Reply::Exhausted(
                    plan.calendar.get(index).copied().unwrap_or(RateWindow::Day),
                ))
            }
            other => Err(Lost(format!("unexpected answer `{other}` from the script"))),
        }
    }

    async fn admit(
        self: Arc<Self>,
        spec: RateLimitSpec,
    ) -> Result<Box<dyn StoreSlot>, TransportError> {
        let ticket = format!("{:032x}", rand::random::<u128>());
        let mut leaving = Leaving {
            inner: Some(self.clone()),
            ticket: ticket.clone(),
        };
        let mut lost_since: Option<Instant> = None;
        let mut pause = Duration::from_millis(50);
        loop {
            let plan = self.plan(&spec, &ticket);
            match self.ask(&plan).await {
                Ok(Reply::Admitted) => {
                    leaving.inner = None;
                    *self
                        .next_slot
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = None;
                    return Ok(Box::new(RedisSlot {
                        inner: self.clone(),
                        id: ticket,
                        rolling: plan.rolling,
                    }));
                }
                Ok(Reply::Wait(d)) => {
                    lost_since = None;
                    pause = Duration::from_millis(50);
                    let until = Instant::now() + d;
                    *self
                        .next_slot
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = Some(until);
                    tokio::time::sleep_until(until).await;
                }
                Ok(Reply::Exhausted(window)) => {
                    leaving.inner = None;
                    let wall = SystemTime::now()
                        .duration_since(SystemTime::UNIX_EPOCH)
                        .unwrap_or_default()
                        .as_secs();
                    let (_, resets) = calendar_period(window, wall);
                    return Err(TransportError::QuotaExhausted {
                        window,
                        resets_at: SystemTime::UNIX_EPOCH + Duration::from_secs(resets),
                    });
                }
                Err(lost) => {
                    let since = *lost_since.get_or_insert_with(|| {
                        tracing::warn!(
                            "fleet Redis at {} unreachable ({lost}); requests wait for it",
                            self.url
                        );
                        Instant::now()
                    });
                    let waited = since.elapsed();
                    if waited >= self.options.outage_timeout {
                        return Err(TransportError::RateLimitStore {
                            waited,
                            reason: format!("Redis at {}: {lost}", self.url),
                        });
                    }
                    let left = self.options.outage_timeout - waited;
                    tokio::time::sleep(pause.min(left)).await;
                    pause = (pause * 2).min(Duration::from_millis(500));
                }
            }
        }
    }
}

/// The day or month index of `wall` (Unix seconds) and when that period ends.
fn calendar_period(window: RateWindow, wall: u64) -> (u64, u64) {
    use vt_model::calendar::{civil_from_days, days_from_civil};
    const DAY: u64 = 86_400;
    let days = wall / DAY;
    match window {
        RateWindow::Month => {
            let (y, m, _) = civil_from_days(days as i64);
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            let next = (days_from_civil(ny, nm, 1).max(0) as u64) * DAY;
            ((y * 12 + i64::from(m) - 1).max(0) as u64, next)
        }
        _ => (days, (days + 1) * DAY),
    }
}

/// Takes a waiter out of the queue when its future is dropped before it was admitted.
struct Leaving {
    inner: Option<Arc<Inner>>,
    ticket: String,
}

impl Drop for Leaving {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let ticket = std::mem::take(&mut self.ticket);
        runtime.spawn(async move {
            if let Ok(mut con) = inner.connection().await {
                let _ = LEAVE
                    .key(inner.key("queue"))
                    .key(inner.key("leases"))
                    .arg(ticket)
                    .invoke_async::<i64>(&mut con)
                    .await;
            }
        });
    }
}

/// A slot taken in Redis; when dropped, its request has arrived (see [`StoreSlot`]).
struct RedisSlot {
    inner: Arc<Inner>,
    id: String,
    rolling: Vec<(String, u64)>,
}

impl fmt::Debug for RedisSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSlot").field("id", &self.id).finish()
    }
}

impl StoreSlot for RedisSlot {
    fn arrived(self: Box<Self>) {
        if self.rolling.is_empty() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        // Fire and forget: if Redis is lost now, the slot simply keeps counting from its
        // admission (a little less conservative for one request, never more requests).
        runtime.spawn(async move {
            let Ok(mut con) = self.inner.connection().await else {
                return;
            };
            let mut invocation = SETTLE.prepare_invoke();
            invocation.arg(&self.id);
            for (key, len) in &self.rolling {
                invocation.key(key);
                invocation.arg(len.to_string());
            }
            if invocation.invoke_async::<i64>(&mut con).await.is_err() {
                self.inner.forget_connection().await;
            }
        });
    }
}

impl RateLimitStore for RedisRateLimitStore {
    fn admit<'a>(
        &'a self,
        spec: &'a RateLimitSpec,
    ) -> StoreFuture<'a, Result<Box<dyn StoreSlot>, TransportError>> {
        let inner = self.inner.clone();
        let spec = spec.clone();
        Box::pin(async move {
            inner.waiting.fetch_add(1, Ordering::Relaxed);
            let _waiting = WaitingGuard(&inner.waiting);
            inner.clone().admit(spec).await
        })
    }

    fn status(&self) -> RateLimitStatus {
        let now = Instant::now();
        let next = *self
            .inner
            .next_slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        RateLimitStatus {
            waiting: self.inner.waiting.load(Ordering::Relaxed),
            next_slot_in: next
                .map(|t| t.saturating_duration_since(now))
                .filter(|d| !d.is_zero()),
        }
    }
}

struct WaitingGuard<'a>(&'a AtomicUsize);

impl Drop for WaitingGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_namespace_is_a_digest_not_the_key() {
        let key = "a".repeat(64);
        let ns = namespace(&key);
        assert_eq!(ns.len(), 32);
        assert!(!ns.contains("aaaa"));
        assert_eq!(ns, namespace(&key));
        assert_ne!(ns, namespace(&"b".repeat(64)));
    }

    #[test]
    fn calendar_periods_end_at_midnight_and_on_the_first() {
        // 2024-12-31 23:59:59 UTC
        let t = 1_735_689_599;
        assert_eq!(calendar_period(RateWindow::Day, t).1, 1_735_689_600);
        assert_eq!(calendar_period(RateWindow::Month, t).1, 1_735_689_600);
        assert_ne!(
            calendar_period(RateWindow::Month, t).0,
            calendar_period(RateWindow::Month, t + 1).0
        );
    }
}
