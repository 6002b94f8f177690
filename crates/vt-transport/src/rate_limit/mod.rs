//! Local rate limiting: [`RateLimitSpec`] (what is allowed), [`RateLimiter`] (the shared
//! state), [`RateLimitStore`] (windows kept outside the process, for fleets) and
//! [`RateLimitLayer`] (the tower layer).
//!
//! In the default stack the limiter sits *under* the retry layer, so every attempt, retries
//! included, takes a slot: the server counts retries against the quota too.

mod limiter;
pub(crate) mod spec;
mod status;
mod store;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::Either;
use tower::{Layer, Service};

use crate::error::TransportError;
pub use limiter::{Admission, RateLimiter};
pub use spec::{Limit, RateLimitSpec, RateLimitSpecError, RateWindow};
pub use status::RateLimitStatus;
pub use store::{RateLimitStore, StoreFuture, StoreSlot};

/// Makes each request wait for a slot of a shared [`RateLimiter`] before it is sent.
///
/// Every service this layer makes (and every clone of them) shares the layer's limiter.
#[derive(Debug, Clone)]
pub struct RateLimitLayer {
    limiter: RateLimiter,
}

impl RateLimitLayer {
    /// A layer with a new limiter for `spec`.
    pub fn new(spec: RateLimitSpec) -> Self {
        RateLimitLayer {
            limiter: RateLimiter::new(spec),
        }
    }

    /// A layer over an existing limiter (to share it with other stacks).
    pub fn with_limiter(limiter: RateLimiter) -> Self {
        RateLimitLayer { limiter }
    }

    /// The shared limiter.
    pub fn limiter(&self) -> &RateLimiter {
        &self.limiter
    }
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimit<S>;

    fn layer(&self, inner: S) -> RateLimit<S> {
        RateLimit {
            inner,
            limiter: self.limiter.clone(),
        }
    }
}

/// The service made by [`RateLimitLayer`].
#[derive(Debug, Clone)]
pub struct RateLimit<S> {
    inner: S,
    limiter: RateLimiter,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, Req> Service<Req> for RateLimit<S>
where
    S: Service<Req> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: From<TransportError>,
    Req: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Either<S::Future, BoxFuture<Result<S::Response, S::Error>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Req) -> Self::Future {
        if self.limiter.is_unlimited() {
            return Either::Left(self.inner.call(req));
        }
        // `inner` was made ready by `poll_ready`; take that ready service into the future.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let limiter = self.limiter.clone();
        Either::Right(Box::pin(async move {
            // The slot counts until the response headers are in (see `RateLimiter::admit`).
            let _admission = limiter.admit().await?;
            inner.call(req).await
        }))
    }
}
