//! # vt-redis
//!
//! Fleets for vt-rs: several processes, on one machine or many, sharing one VirusTotal key
//! without tripping the server's rate limit, and (optionally) one report cache. [`RedisRateLimitStore`] keeps the windows of
//! `vt-transport`'s rate limiter in Redis, behind its
//! [`RateLimitStore`](vt_transport::RateLimitStore) trait, with the same semantics as the
//! in-process limiter:
//!
//! * **Rolling windows** (second, minute, hour): never more than N admissions in any
//!   interval of the window's length, fleet-wide. Time is the Redis server's (`TIME`), so
//!   machines whose clocks differ agree. A slot counts from admission until its request has
//!   arrived (at most one window length later), as in-process.
//! * **Calendar budgets** (day, month): counters per UTC day or month; a spent one fails at
//!   once with `QuotaExhausted`.
//! * **First come, first served** across the fleet: every waiter takes a ticket in one Redis
//!   queue and only the head of the queue is admitted; a waiter whose process died leaves
//!   the queue when its lease runs out (its expected next question plus 3 s).
//! * **Atomic**: each decision is one Lua script (`admit.lua`, `settle.lua`, `leave.lua`).
//! * **The API key never goes to Redis**: keys are named by a keyed digest of it
//!   (`vt:fleet:{<32 hex digits>}:...`).
//!
//! Faults: [`RedisRateLimitStore::connect`] fails with [`FleetError::Unreachable`] when Redis
//! does not answer at start. Lost mid-run, requests wait (asking again every 50 to 500 ms)
//! and fail with `TransportError::RateLimitStore` after [`FleetOptions::outage_timeout`];
//! nothing is admitted meanwhile, so the rate is never exceeded. When Redis comes back it is
//! used again; if it lost its data (restarted without persistence), the first member to
//! notice holds every admission back for one longest window, because the admissions of that
//! window are unknown. The day and month counters of a Redis that lost its data start again
//! from zero: VirusTotal stays the judge of those budgets.
//!
//! The report cache: [`RedisCache`] keeps `vt-api`'s report cache in Redis, behind its
//! [`ReportCache`](vt_api::ReportCache) trait, so a fleet pays once for a hash any member has
//! seen: entries `vt:cache:{<digest>}:<request URL>` (the same digest), each expiring by
//! itself, written behind by one thread, any Redis failure a miss or a dropped write (see
//! the [`RedisCache`] docs).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! use std::sync::Arc;
//! use vt_redis::{FleetOptions, FleetUrl, RedisRateLimitStore};
//! use vt_transport::{RateLimitSpec, RateLimiter, TransportBuilder};
//!
//! let key = std::env::var("VT_API_KEY")?;
//! let url: FleetUrl = "redis://10.0.0.5:6379/0".parse()?;
//! let store = RedisRateLimitStore::connect(&url, &key, FleetOptions::default()).await?;
//! let spec: RateLimitSpec = "premium:1000".parse()?;
//! let transport = TransportBuilder::new()
//!     .api_key(key)
//!     .rate_limiter(RateLimiter::with_store(spec, Arc::new(store)))
//!     .build()?;
//! # let _ = transport; Ok(()) }
//! ```
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod cache;
mod store;
mod url;

pub use cache::{
    DEFAULT_CACHE_RETRY_AFTER, DEFAULT_CACHE_TIMEOUT, RedisCache, RedisCacheError,
    RedisCacheOptions, RedisCacheStats,
};

pub use store::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_OUTAGE_TIMEOUT, FleetError, FleetOptions, RedisRateLimitStore,
};
pub use url::{FleetUrl, FleetUrlError};
