//! [`RateLimitStore`]: where a [`RateLimiter`](super::RateLimiter) keeps its windows when they
//! are shared beyond this process (for example in Redis, by the `vt-redis` crate).
//!
//! The in-process windows stay the default and are not behind this trait (no virtual call, no
//! allocation): a store is used only when one is given to
//! [`RateLimiter::with_store`](super::RateLimiter::with_store).

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use super::spec::RateLimitSpec;
use super::status::RateLimitStatus;
use crate::error::TransportError;

/// A future returned by a [`RateLimitStore`].
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A slot taken in a [`RateLimitStore`]. Dropping it (through the
/// [`Admission`](super::Admission) that holds it) means "the request has arrived": the store
/// should count the slot from then on, at most one window length after it was taken, as the
/// in-process limiter does.
pub trait StoreSlot: Send + Sync + fmt::Debug {
    /// The request arrived now (called once, when the admission is dropped).
    fn arrived(self: Box<Self>);
}

/// Rate-limit windows kept outside this process, with the semantics of the in-process
/// limiter: rolling second/minute/hour windows (never more than N admissions in any interval
/// of the window's length), day and month budgets that fail fast with
/// [`TransportError::QuotaExhausted`] when spent, waiters served first come, first served as
/// far as the store can tell.
pub trait RateLimitStore: Send + Sync + fmt::Debug + 'static {
    /// Waits for a slot in every window of `spec` and takes it. Fails at once, taking nothing,
    /// when a day or month budget is spent; fails with [`TransportError::RateLimitStore`] when
    /// the store cannot be reached for longer than it allows. Dropping the future before it
    /// completes takes nothing.
    fn admit<'a>(
        &'a self,
        spec: &'a RateLimitSpec,
    ) -> StoreFuture<'a, Result<Box<dyn StoreSlot>, TransportError>>;

    /// A snapshot for progress displays: how many requests of this process wait and when the
    /// next slot frees, as last seen. Never waits.
    fn status(&self) -> RateLimitStatus;
}
