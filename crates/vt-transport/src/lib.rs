//! # vt-transport
//!
//! A tower HTTP stack for the VirusTotal API (crate guide below; to be completed).
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod auth;
pub mod body;
mod builder;
pub mod classify;
pub mod error;
pub mod http;
pub mod rate_limit;
mod redact;
pub mod redirect;
pub mod retry;
pub mod timeout;
pub mod trace;
mod user_agent;

pub use auth::{ApiKey, AuthLayer};
pub use body::{BodyFactory, BoxError, ResponseBody, VtBody};
pub use builder::{Transport, TransportBuilder, TransportLayer};
pub use classify::{ApiErrorInfo, ClassifyLayer};
pub use error::{RedirectError, TimeoutKind, TransportError};
pub use http::{HttpTransport, ProxyConfig};
pub use rate_limit::{RateLimitLayer, RateLimitSpec, RateLimitSpecError, RateLimiter, RateWindow};
pub use redact::redact_url;
pub use redirect::RedirectPolicy;
pub use retry::{Attempts, RetryConfig, RetryLayer, RetryPolicy};
pub use timeout::TimeoutLayer;
pub use trace::TraceLayer;
pub use user_agent::{UserAgentLayer, user_agent_string};
