//! Request and response bodies.
//!
//! [`VtBody`] carries either bytes (always replayable), a stream that can be re-created from
//! its source (replayable, e.g. a file that can be reopened) or a one-shot stream (never
//! replayed: a retry policy that meets one sends the request once and gives up).

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;

/// The largest frame a bytes body yields at once.
const FRAME_SIZE: usize = 64 * 1024;

/// The boxed error type used by bodies and by the tower stack.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A streaming response body: what every service of this crate returns.
pub type ResponseBody = UnsyncBoxBody<Bytes, BoxError>;

/// A function that re-creates a streaming body from its source, for replayable streams.
pub type BodyFactory = Arc<dyn Fn() -> UnsyncBoxBody<Bytes, BoxError> + Send + Sync>;

/// The request body of every call: empty, bytes, or a stream.
///
/// ```
/// use vt_transport::VtBody;
/// let body = VtBody::from_bytes("{\"data\": \"positive\"}");
/// assert!(body.is_replayable());
/// assert!(body.try_clone().is_some());
/// ```
pub struct VtBody {
    kind: Kind,
}

enum Kind {
    Empty,
    Full(Bytes),
    Once {
        body: UnsyncBoxBody<Bytes, BoxError>,
        len: Option<u64>,
    },
    Reopen {
        make: BodyFactory,
        current: Option<UnsyncBoxBody<Bytes, BoxError>>,
        len: Option<u64>,
    },
}

impl VtBody {
    /// An empty body.
    pub fn empty() -> Self {
        VtBody { kind: Kind::Empty }
    }

    /// A body of bytes held in memory (replayable).
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Self::empty();
        }
        VtBody {
            kind: Kind::Full(bytes),
        }
    }

    /// A one-shot streaming body of `len` bytes when known. It is never replayed.
    pub fn from_stream<B>(body: B, len: Option<u64>) -> Self
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        VtBody {
            kind: Kind::Once {
                body: body.map_err(Into::into).boxed_unsync(),
                len,
            },
        }
    }

    /// A streaming body that `make` can create again from its source (for example by
    /// reopening a file), so a retry may send it anew.
    pub fn replayable_stream(make: BodyFactory, len: Option<u64>) -> Self {
        VtBody {
            kind: Kind::Reopen {
                make,
                current: None,
                len,
            },
        }
    }

    /// Whether a copy of this body can be made for a retry.
    pub fn is_replayable(&self) -> bool {
        !matches!(self.kind, Kind::Once { .. })
    }

    /// A fresh copy of this body, or `None` for a one-shot stream. Call it before the body
    /// is polled: a copy of a partly sent body is not the whole body.
    pub fn try_clone(&self) -> Option<Self> {
        let kind = match &self.kind {
            Kind::Empty => Kind::Empty,
            Kind::Full(b) => Kind::Full(b.clone()),
            Kind::Once { .. } => return None,
            Kind::Reopen { make, len, .. } => Kind::Reopen {
                make: make.clone(),
                current: None,
                len: *len,
            },
        };
        Some(VtBody { kind })
    }

    /// The body's length in bytes when known.
    pub fn len(&self) -> Option<u64> {
        match &self.kind {
            Kind::Empty => Some(0),
            Kind::Full(b) => Some(b.len() as u64),
            Kind::Once { len, .. } | Kind::Reopen { len, .. } => *len,
        }
    }

    /// Whether the body is bytes in memory of at most one frame (64 KiB): sent at once, so it
    /// needs no progress tracking.
    pub(crate) fn is_small_bytes(&self) -> bool {
        match &self.kind {
            Kind::Empty => true,
            Kind::Full(b) => b.len() <= FRAME_SIZE,
            _ => false,
        }
    }

    /// Whether the body is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
}

impl Default for VtBody {
    fn default() -> Self {
        Self::empty()
    }
}

impl fmt::Debug for VtBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            Kind::Empty => "empty",
            Kind::Full(_) => "bytes",
            Kind::Once { .. } => "stream",
            Kind::Reopen { .. } => "replayable stream",
        };
        f.debug_struct("VtBody")
            .field("kind", &kind)
            .field("len", &self.len())
            .finish()
    }
}

impl From<Bytes> for VtBody {
    fn from(b: Bytes) -> Self {
        Self::from_bytes(b)
    }
}

impl From<Vec<u8>> for VtBody {
    fn from(b: Vec<u8>) -> Self {
        Self::from_bytes(b)
    }
}

impl From<String> for VtBody {
    fn from(s: String) -> Self {
        Self::from_bytes(s)
    }
}

impl From<&'static str> for VtBody {
    fn from(s: &'static str) -> Self {
        Self::from_bytes(s)
    }
}

impl Body for VtBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        match &mut this.kind {
            Kind::Empty => Poll::Ready(None),
            Kind::Full(b) => {
                if b.is_empty() {
                    Poll::Ready(None)
                } else if b.len() > FRAME_SIZE {
                    // Hand large bodies over in slices (zero-copy) so the connection's
                    // backpressure paces them: the response timeout then starts near the
                    // real end of the upload, and the idle timeout sees progress.
                    Poll::Ready(Some(Ok(Frame::data(b.split_to(FRAME_SIZE)))))
                } else {
                    Poll::Ready(Some(Ok(Frame::data(std::mem::take(b)))))
                }
            }
            Kind::Once { body, .. } => Pin::new(body).poll_frame(cx),
            Kind::Reopen { make, current, .. } => {
                let body = current.get_or_insert_with(|| make());
                Pin::new(body).poll_frame(cx)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Empty => true,
            Kind::Full(b) => b.is_empty(),
            Kind::Once { body, .. } => body.is_end_stream(),
            Kind::Reopen { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self.len() {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, Full};

    #[tokio::test]
    async fn bytes_are_replayable_and_sent_whole() {
        let body = VtBody::from_bytes("hello");
        let copy = body.try_clone().unwrap();
        assert_eq!(body.collect().await.unwrap().to_bytes(), "hello");
        assert_eq!(copy.collect().await.unwrap().to_bytes(), "hello");
    }

    #[tokio::test]
    async fn one_shot_streams_are_never_cloned() {
        let body = VtBody::from_stream(Full::new(Bytes::from_static(b"abc")), Some(3));
        assert!(!body.is_replayable());
        assert!(body.try_clone().is_none());
        assert_eq!(body.size_hint().exact(), Some(3));
        assert_eq!(body.collect().await.unwrap().to_bytes(), "abc");
    }

    #[tokio::test]
    async fn reopenable_streams_start_again_on_clone() {
        let make: BodyFactory = Arc::new(|| {
            Full::new(Bytes::from_static(b"file"))
                .map_err(|e| match e {})
                .boxed_unsync()
        });
        let body = VtBody::replayable_stream(make, Some(4));
        let copy = body.try_clone().unwrap();
        assert_eq!(body.collect().await.unwrap().to_bytes(), "file");
        assert_eq!(copy.collect().await.unwrap().to_bytes(), "file");
    }

    #[tokio::test]
    async fn large_bytes_are_sent_in_slices_and_whole() {
        let data: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        let mut body = VtBody::from_bytes(data.clone());
        let mut frames = Vec::new();
        while let Some(frame) = body.frame().await {
            frames.push(frame.unwrap().into_data().unwrap());
        }
        assert_eq!(frames.len(), 4);
        assert!(frames.iter().all(|f| f.len() <= FRAME_SIZE));
        assert_eq!(frames.concat(), data);
        assert!(body.is_end_stream());
    }

    #[test]
    fn empty_bytes_are_an_empty_body() {
        let body = VtBody::from_bytes(Vec::new());
        assert!(body.is_end_stream());
        assert!(body.is_empty());
    }
}
