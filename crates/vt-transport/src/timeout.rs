//! [`TimeoutLayer`]: a response-header timeout and idle (no progress) timeouts on bodies.
//!
//! There is deliberately no total timeout: a 600 MB upload over a slow line may take an hour
//! and is fine as long as it keeps moving. So:
//!
//! * the **idle** timeout fails a request or response body that makes no progress (no frame)
//!   for that long while it is being read;
//! * the **response** timeout bounds the wait for the response headers, counted from the
//!   moment the request body has been handed to the connection completely (at once for
//!   bodies of at most 64 KiB in memory; bytes bodies are handed over in 64 KiB slices, so
//!   the connection's backpressure paces them).
//!
//! The connect timeout belongs to the connector
//! ([`TransportBuilder::connect_timeout`](crate::TransportBuilder::connect_timeout)).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body::{Body, Frame, SizeHint};
use tokio::sync::Notify;
use tokio::time::Sleep;
use tower::{Layer, Service};

use crate::body::{BoxError, VtBody};
use crate::error::{TimeoutKind, TransportError};

/// Applies the response-header timeout and the body idle timeouts (either may be off).
#[derive(Clone, Copy, Debug, Default)]
pub struct TimeoutLayer {
    response: Option<Duration>,
    idle: Option<Duration>,
}

impl TimeoutLayer {
    /// A layer with both timeouts (`None` turns one off).
    pub fn new(response: Option<Duration>, idle: Option<Duration>) -> Self {
        TimeoutLayer { response, idle }
    }
}

impl<S> Layer<S> for TimeoutLayer {
    type Service = Timeout<S>;

    fn layer(&self, inner: S) -> Timeout<S> {
        Timeout {
            inner,
            response: self.response,
            idle: self.idle,
        }
    }
}

/// The service made by [`TimeoutLayer`].
#[derive(Clone, Debug)]
pub struct Timeout<S> {
    inner: S,
    response: Option<Duration>,
    idle: Option<Duration>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B> Service<Request<VtBody>> for Timeout<S>
where
    S: Service<Request<VtBody>, Response = Response<B>, Error = TransportError>,
    S::Future: Send + 'static,
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Response = Response<IdleTimeoutBody<B>>;
    type Error = TransportError;
    type Future = BoxFuture<Result<Self::Response, TransportError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<VtBody>) -> Self::Future {
        let idle = self.idle;
        let (req, sent) = if req.body().is_small_bytes() {
            (req, None)
        } else {
            let sent = Arc::new(SentSignal::default());
            let (parts, body) = req.into_parts();
            let len = body.len();
            let body = VtBody::from_stream(
                RequestBody {
                    inner: IdleTimeoutBody::new(body, idle),
                    sent: sent.clone(),
                },
                len,
            );
            (Request::from_parts(parts, body), Some(sent))
        };
        let fut = self.inner.call(req);
        let response = self.response;
        Box::pin(async move {
            let resp = match response {
                None => fut.await?,
                Some(limit) => {
                    let timer = async {
                        if let Some(sent) = &sent {
                            sent.wait().await;
                        }
                        tokio::time::sleep(limit).await;
                    };
                    tokio::select! {
                        biased;
                        r = fut => r?,
                        () = timer => return Err(TransportError::Timeout { kind: TimeoutKind::Response }),
                    }
                }
            };
            Ok(resp.map(|b| IdleTimeoutBody::new(b, idle)))
        })
    }
}

/// Set once the request body has been sent (or dropped).
#[derive(Default)]
struct SentSignal {
    done: AtomicBool,
    notify: Notify,
}

impl SentSignal {
    fn set(&self) {
        if !self.done.swap(true, Ordering::AcqRel) {
            self.notify.notify_waiters();
        }
    }

    async fn wait(&self) {
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.done.load(Ordering::Acquire) {
                return;
            }
            notified.await;
        }
    }
}

struct RequestBody {
    inner: IdleTimeoutBody<VtBody>,
    sent: Arc<SentSignal>,
}

impl Drop for RequestBody {
    fn drop(&mut self) {
        self.sent.set();
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.sent.set();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A body that fails with [`TransportError::Timeout`] (`Idle`) when no frame arrives for the
/// configured time while it is polled. The clock restarts after every frame.
pub struct IdleTimeoutBody<B> {
    inner: Pin<Box<B>>,
    idle: Option<Duration>,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl<B> IdleTimeoutBody<B> {
    /// Wraps `inner`; `None` means no idle timeout.
    pub fn new(inner: B, idle: Option<Duration>) -> Self {
        IdleTimeoutBody {
            inner: Box::pin(inner),
            idle,
            sleep: None,
        }
    }
}

impl<B> Body for IdleTimeoutBody<B>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.inner.as_mut().poll_frame(cx) {
            Poll::Ready(frame) => {
                self.sleep = None;
                Poll::Ready(frame.map(|r| r.map_err(Into::into)))
            }
            Poll::Pending => {
                let Some(idle) = self.idle else {
                    return Poll::Pending;
                };
                let sleep = self
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        self.sleep = None;
                        Poll::Ready(Some(Err(Box::new(TransportError::Timeout {
                            kind: TimeoutKind::Idle,
                        }))))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, StreamBody};

    #[tokio::test(start_paused = true)]
    async fn a_body_that_keeps_moving_survives_and_a_stalled_one_fails() {
        // Ten chunks, 9 s apart: slow but never idle for 10 s.
        let slow = futures_util::stream::unfold(0u32, |i| async move {
            if i == 10 {
                return None;
            }
            tokio::time::sleep(Duration::from_secs(9)).await;
            Some((
                Ok::<_, BoxError>(Frame::data(Bytes::from_static(b"x"))),
                i + 1,
            ))
        });
        let body = IdleTimeoutBody::new(StreamBody::new(slow), Some(Duration::from_secs(10)));
        assert_eq!(body.collect().await.unwrap().to_bytes().len(), 10);

        let stalled = futures_util::stream::pending::<Result<Frame<Bytes>, BoxError>>();
        let body = IdleTimeoutBody::new(StreamBody::new(stalled), Some(Duration::from_secs(10)));
        let err = body.collect().await.unwrap_err();
        let err = TransportError::from_boxed(err);
        assert!(matches!(
            err,
            TransportError::Timeout {
                kind: TimeoutKind::Idle
            }
        ));
    }
}
