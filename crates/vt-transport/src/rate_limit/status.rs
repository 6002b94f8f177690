//! What the limiter (in-process or a shared store) says about its queue: read by progress
//! lines, written by [`RateLimiter::status`](super::RateLimiter::status) and
//! [`RateLimitStore::status`](super::RateLimitStore::status).

use std::time::Duration;

/// A snapshot of a [`RateLimiter`](super::RateLimiter)
/// ([`RateLimiter::status`](super::RateLimiter::status)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitStatus {
    /// Requests waiting for a slot.
    pub waiting: usize,
    /// How long until the next slot frees (`None`: a request could go now).
    pub next_slot_in: Option<Duration>,
}
