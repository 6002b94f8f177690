//! [`ConcurrencyLimitLayer`]: at most N requests in flight, shared by all clones.
//!
//! Like tower's `GlobalConcurrencyLimit`, but a request that finds a free permit takes it
//! with one atomic operation in `call` (no boxed acquire future per clone), and one that does
//! not waits in the semaphore's FIFO queue. The permit is held until the response (headers)
//! arrive.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::future::Either;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};
use tower::{Layer, Service};

/// Limits requests in flight. Services made from one layer share its semaphore.
#[derive(Clone, Debug)]
pub struct ConcurrencyLimitLayer {
    semaphore: Arc<Semaphore>,
}

impl ConcurrencyLimitLayer {
    /// At most `max` requests in flight (at least 1).
    pub fn new(max: usize) -> Self {
        Self::with_semaphore(Arc::new(Semaphore::new(
            max.clamp(1, Semaphore::MAX_PERMITS),
        )))
    }

    /// Uses an existing semaphore (to share the bound with other stacks).
    pub fn with_semaphore(semaphore: Arc<Semaphore>) -> Self {
        ConcurrencyLimitLayer { semaphore }
    }
}

impl<S> Layer<S> for ConcurrencyLimitLayer {
    type Service = ConcurrencyLimit<S>;

    fn layer(&self, inner: S) -> ConcurrencyLimit<S> {
        ConcurrencyLimit {
            inner,
            semaphore: self.semaphore.clone(),
        }
    }
}

/// The service made by [`ConcurrencyLimitLayer`].
#[derive(Clone, Debug)]
pub struct ConcurrencyLimit<S> {
    inner: S,
    semaphore: Arc<Semaphore>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, Req> Service<Req> for ConcurrencyLimit<S>
where
    S: Service<Req> + Clone + Send + 'static,
    S::Future: Send,
    Req: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Either<Permitted<S::Future>, BoxFuture<Result<S::Response, S::Error>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Req) -> Self::Future {
        match self.semaphore.clone().try_acquire_owned() {
            Ok(permit) => Either::Left(Permitted {
                inner: self.inner.call(req),
                _permit: Some(permit),
            }),
            Err(TryAcquireError::Closed) => Either::Left(Permitted {
                inner: self.inner.call(req),
                _permit: None,
            }),
            Err(TryAcquireError::NoPermits) => {
                let clone = self.inner.clone();
                let mut inner = std::mem::replace(&mut self.inner, clone);
                let semaphore = self.semaphore.clone();
                Either::Right(Box::pin(async move {
                    let _permit = semaphore.acquire_owned().await.ok();
                    inner.call(req).await
                }))
            }
        }
    }
}

pin_project_lite::pin_project! {
    /// A response future holding its permit.
    pub struct Permitted<F> {
        #[pin]
        inner: F,
        _permit: Option<OwnedSemaphorePermit>,
    }
}

impl<F: Future> Future for Permitted<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().inner.poll(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;
    use tower::ServiceExt;

    #[tokio::test(start_paused = true)]
    async fn never_more_than_the_bound_in_flight() {
        let now = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let (n, p) = (now.clone(), peak.clone());
        let svc = tower::service_fn(move |_: ()| {
            let (n, p) = (n.clone(), p.clone());
            async move {
                let cur = n.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(cur, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(10)).await;
                n.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, std::convert::Infallible>(())
            }
        });
        let limited = ConcurrencyLimitLayer::new(3).layer(svc);
        let tasks: Vec<_> = (0..20)
            .map(|_| tokio::spawn(limited.clone().oneshot(())))
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }
}
