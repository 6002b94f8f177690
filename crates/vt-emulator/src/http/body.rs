//! Response body types: files streamed from disk, deliberately slow bodies, byte counting.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use http_body_util::combinators::BoxBody;
use tokio::io::{AsyncRead, ReadBuf};

use crate::stats::Stats;

/// The body type of every response.
pub(crate) type RespBody = BoxBody<Bytes, io::Error>;

/// A complete body.
pub(crate) fn full(b: Bytes) -> RespBody {
    http_body_util::Full::new(b)
        .map_err(|never| match never {})
        .boxed()
}

/// An empty body.
pub(crate) fn empty() -> RespBody {
    http_body_util::Empty::new()
        .map_err(|never| match never {})
        .boxed()
}

/// A file streamed in 64 KiB reads.
pub(crate) struct FileBody {
    file: tokio::fs::File,
    remaining: u64,
    buf: Box<[u8]>,
}

impl FileBody {
    pub(crate) fn new(file: tokio::fs::File, len: u64) -> Self {
        FileBody {
            file,
            remaining: len,
            buf: vec![0u8; 64 * 1024].into_boxed_slice(),
        }
    }
}

impl Body for FileBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        let want = this
            .buf
            .len()
            .min(usize::try_from(this.remaining).unwrap_or(usize::MAX));
        let mut rb = ReadBuf::new(&mut this.buf[..want]);
        ready!(Pin::new(&mut this.file).poll_read(cx, &mut rb))?;
        let n = rb.filled().len();
        if n == 0 {
            return Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "stored file is shorter than recorded",
            ))));
        }
        this.remaining -= n as u64;
        Poll::Ready(Some(Ok(Frame::data(Bytes::copy_from_slice(rb.filled())))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// Passes on the first `keep` bytes of `inner`, then fails: hyper then closes the connection
/// mid-body, after headers that promised more (the `cut-body` fault).
pub(crate) struct CutBody {
    inner: RespBody,
    keep: u64,
    /// A pause before failing, so hyper flushes what was sent (otherwise it drops its write
    /// buffer, headers included, when the body fails).
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl CutBody {
    pub(crate) fn new(inner: RespBody, keep: u64) -> Self {
        CutBody {
            inner,
            keep,
            pause: None,
        }
    }
}

impl Body for CutBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if this.keep == 0 {
            let pause = this
                .pause
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(50))));
            ready!(pause.as_mut().poll(cx));
            return Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "cut-body fault",
            ))));
        }
        match ready!(Pin::new(&mut this.inner).poll_frame(cx)) {
            Some(Ok(frame)) => match frame.into_data() {
                Ok(mut data) => {
                    let n = usize::try_from(this.keep)
                        .unwrap_or(usize::MAX)
                        .min(data.len());
                    let data = data.split_to(n);
                    this.keep -= n as u64;
                    Poll::Ready(Some(Ok(Frame::data(data))))
                }
                Err(frame) => Poll::Ready(Some(Ok(frame))),
            },
            // The inner body ended before `keep` bytes: fail anyway (after the pause).
            None => {
                this.keep = 0;
                Pin::new(this).poll_frame(cx)
            }
            Some(Err(e)) => Poll::Ready(Some(Err(e))),
        }
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Sends `data` in 1 KiB chunks, sleeping `delay` between them.
pub(crate) struct SlowBody {
    data: Bytes,
    delay: Duration,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl SlowBody {
    pub(crate) fn new(data: Bytes, delay: Duration) -> Self {
        SlowBody {
            data,
            delay,
            sleep: None,
        }
    }
}

impl Body for SlowBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if this.data.is_empty() {
            return Poll::Ready(None);
        }
        if let Some(s) = this.sleep.as_mut() {
            ready!(s.as_mut().poll(cx));
        }
        let n = this.data.len().min(1024);
        let chunk = this.data.split_to(n);
        this.sleep = Some(Box::pin(tokio::time::sleep(this.delay)));
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.data.len() as u64)
    }
}

/// Adds every data frame's length to `bytes_out`.
pub(crate) struct CountingBody {
    inner: RespBody,
    stats: Arc<Stats>,
}

impl CountingBody {
    pub(crate) fn new(inner: RespBody, stats: Arc<Stats>) -> Self {
        CountingBody { inner, stats }
    }
}

impl Body for CountingBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let res = ready!(Pin::new(&mut self.inner).poll_frame(cx));
        if let Some(Ok(frame)) = &res
            && let Some(d) = frame.data_ref()
        {
            self.stats
                .bytes_out
                .fetch_add(d.len() as u64, Ordering::Relaxed);
        }
        Poll::Ready(res)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
