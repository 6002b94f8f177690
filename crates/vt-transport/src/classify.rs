//! [`ClassifyLayer`]: reads VirusTotal's error code from non-2xx responses.
//!
//! A retry policy only sees the response head, but a 429 means two different things
//! depending on the JSON body (`QuotaExceededError` vs `TooManyRequestsError`). So this
//! layer, placed under the retry layer, buffers a small error body (at most
//! [`ERROR_BODY_LIMIT`] bytes, after decompression), parses `{"error": {"code", "message"}}`,
//! attaches an [`ApiErrorInfo`] to the response's extensions and hands the *same bytes* on
//! as the body. Bodies larger than the limit are passed on whole (the buffered prefix then
//! the rest of the stream) without an error code.
//!
//! The legacy v2 API signals a spent quota with `204 No Content` and an empty body: for paths
//! under `/vtapi/v2/` a 204 gets an `ApiErrorInfo` with code `QuotaExceededError`.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use http::{HeaderMap, Request, Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, Full};
use tower::{Layer, Service};
use vt_model::{ApiErrorBody, ErrorCode};

use crate::auth::V2_PATH_PREFIX;
use crate::body::{BoxError, ResponseBody, VtBody};
use crate::error::TransportError;

/// The most bytes of an error body the classify layer buffers.
pub const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// What the transport learned from a non-2xx response, attached to it as an extension.
///
/// ```
/// # fn f(resp: http::Response<vt_transport::ResponseBody>) {
/// if let Some(info) = resp.extensions().get::<vt_transport::ApiErrorInfo>() {
///     eprintln!("{} {:?}: {}", info.status, info.code, info.message);
/// }
/// # }
/// ```
///
/// A `429` with code `QuotaExceededError` that comes out of a transport with retries enabled
/// means the minute window was already waited out once: the day or month quota is spent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiErrorInfo {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `error.code` of the JSON body, when there was one.
    pub code: Option<ErrorCode>,
    /// The `error.message`, or the start of a non-JSON body, or the status's reason phrase.
    pub message: String,
    /// The `Retry-After` header, when the server sent one (as a delay from now).
    pub retry_after: Option<Duration>,
}

/// Attaches [`ApiErrorInfo`] to error responses and boxes every response body into a
/// [`ResponseBody`] whose errors are boxed [`TransportError`]s.
#[derive(Clone, Debug, Default)]
pub struct ClassifyLayer {
    _priv: (),
}

impl ClassifyLayer {
    /// The layer.
    pub fn new() -> Self {
        ClassifyLayer::default()
    }
}

impl<S> Layer<S> for ClassifyLayer {
    type Service = Classify<S>;

    fn layer(&self, inner: S) -> Classify<S> {
        Classify { inner }
    }
}

/// The service made by [`ClassifyLayer`].
#[derive(Clone, Debug)]
pub struct Classify<S> {
    inner: S,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B> Service<Request<VtBody>> for Classify<S>
where
    S: Service<Request<VtBody>, Response = Response<B>, Error = TransportError>,
    S::Future: Send + 'static,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response<ResponseBody>;
    type Error = TransportError;
    type Future = ClassifyFuture<S::Future, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<VtBody>) -> Self::Future {
        let is_v2 = req.uri().path().starts_with(V2_PATH_PREFIX);
        ClassifyFuture {
            state: State::Waiting {
                fut: self.inner.call(req),
                is_v2,
                _body: PhantomData,
            },
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`Classify`]: passes success responses straight through and
    /// reads error bodies.
    pub struct ClassifyFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        Waiting {
            #[pin]
            fut: F,
            is_v2: bool,
            _body: PhantomData<fn() -> B>,
        },
        Reading {
            fut: BoxFuture<Result<Response<ResponseBody>, TransportError>>,
        },
    }
}

impl<F, B> Future for ClassifyFuture<F, B>
where
    F: Future<Output = Result<Response<B>, TransportError>>,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Output = Result<Response<ResponseBody>, TransportError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            match state.as_mut().project() {
                StateProj::Waiting { fut, is_v2, .. } => {
                    let resp = match fut.poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                        Poll::Ready(Ok(resp)) => resp,
                    };
                    let status = resp.status();
                    let is_error = status.is_client_error()
                        || status.is_server_error()
                        || (*is_v2 && status == StatusCode::NO_CONTENT);
                    if !is_error {
                        return Poll::Ready(Ok(resp.map(box_body)));
                    }
                    state.set(State::Reading {
                        fut: Box::pin(classify_error(resp)),
                    });
                }
                StateProj::Reading { fut } => return fut.as_mut().poll(cx),
            }
        }
    }
}

/// Boxes a body, turning its errors into boxed [`TransportError`]s.
pub(crate) fn box_body<B>(body: B) -> ResponseBody
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    body.map_err(|e| -> BoxError { Box::new(TransportError::from_body_error(e.into())) })
        .boxed_unsync()
}

async fn classify_error<B>(resp: Response<B>) -> Result<Response<ResponseBody>, TransportError>
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let (mut parts, body) = resp.into_parts();
    let mut body = box_body(body);
    let mut buf = BytesMut::new();
    let mut complete = true;
    let too_long = body
        .size_hint()
        .exact()
        .is_some_and(|n| n > ERROR_BODY_LIMIT as u64);
    if too_long {
        complete = false;
    } else {
        loop {
            match body.frame().await {
                None => break,
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        buf.extend_from_slice(&data);
                        if buf.len() > ERROR_BODY_LIMIT {
                            complete = false;
                            break;
                        }
                    }
                }
                Some(Err(e)) => return Err(TransportError::from_body_error(e)),
            }
        }
    }
    let bytes = buf.freeze();
    let info = error_info(parts.status, &parts.headers, complete.then_some(&bytes[..]));
    tracing::debug!(
        status = parts.status.as_u16(),
        code = info.code.as_ref().map(ErrorCode::as_str),
        "error response"
    );
    parts.extensions.insert(info);
    let body = if complete {
        box_body(Full::new(bytes))
    } else {
        Prefixed {
            prefix: Some(bytes).filter(|b| !b.is_empty()),
            rest: body,
        }
        .boxed_unsync()
    };
    Ok(Response::from_parts(parts, body))
}

fn error_info(status: StatusCode, headers: &HeaderMap, body: Option<&[u8]>) -> ApiErrorInfo {
    let retry_after = retry_after(headers);
    if status == StatusCode::NO_CONTENT {
        return ApiErrorInfo {
            status,
            code: Some(ErrorCode::QuotaExceeded),
            message: "v2 API quota exceeded (204 No Content)".into(),
            retry_after,
        };
    }
    let parsed = body.and_then(|b| serde_json::from_slice::<ApiErrorBody>(b).ok());
    let reason = || status.canonical_reason().unwrap_or("error").to_owned();
    match parsed {
        Some(p) => ApiErrorInfo {
            status,
            code: Some(p.error.code),
            message: if p.error.message.is_empty() {
                reason()
            } else {
                p.error.message
            },
            retry_after,
        },
        None => {
            let text = body
                .map(|b| {
                    String::from_utf8_lossy(b)
                        .trim()
                        .chars()
                        .take(200)
                        .collect::<String>()
                })
                .filter(|t| !t.is_empty());
            ApiErrorInfo {
                status,
                code: None,
                message: text.unwrap_or_else(reason),
                retry_after,
            }
        }
    }
}

/// Reads `Retry-After` (delta-seconds or an HTTP-date) as a delay from now.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    // IMF-fixdate, RFC 850 and asctime forms, as RFC 9110 requires of a recipient.
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// A body that yields already-read bytes and then the rest of the stream.
struct Prefixed<B> {
    prefix: Option<Bytes>,
    rest: B,
}

impl<B> Body for Prefixed<B>
where
    B: Body<Data = Bytes> + Unpin,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        if let Some(p) = self.prefix.take() {
            return Poll::Ready(Some(Ok(Frame::data(p))));
        }
        Pin::new(&mut self.rest).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.prefix.is_none() && self.rest.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let mut hint = self.rest.size_hint();
        if let Some(p) = &self.prefix {
            let n = p.len() as u64;
            hint.set_lower(hint.lower() + n);
            if let Some(u) = hint.upper() {
                hint.set_upper(u + n);
            }
        }
        hint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_error_bodies_give_code_and_message() {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::RETRY_AFTER, "30".parse().unwrap());
        let info = error_info(
            StatusCode::TOO_MANY_REQUESTS,
            &headers,
            Some(br#"{"error":{"code":"QuotaExceededError","message":"Quota exceeded"}}"#),
        );
        assert_eq!(info.code, Some(ErrorCode::QuotaExceeded));
        assert_eq!(info.message, "Quota exceeded");
        assert_eq!(info.retry_after, Some(Duration::from_secs(30)));
    }

    fn retry_after_of(value: &str) -> Option<Duration> {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::RETRY_AFTER, value.parse().unwrap());
        retry_after(&headers)
    }

    #[test]
    fn retry_after_reads_the_three_http_date_forms() {
        // IMF-fixdate, RFC 850 and asctime, all in the past: no wait.
        for past in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(retry_after_of(past), Some(Duration::ZERO), "{past}");
        }
        let in_an_hour = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
        let wait = retry_after_of(&in_an_hour).unwrap();
        assert!(wait > Duration::from_secs(3500) && wait <= Duration::from_secs(3600));
        assert_eq!(retry_after_of("Sun, 06 Nov 1994 08:49:37 PST"), None);
        assert_eq!(retry_after_of("tomorrow"), None);
        assert_eq!(retry_after_of(" 12 "), Some(Duration::from_secs(12)));
    }

    #[tokio::test]
    async fn chunked_error_bodies_beyond_the_limit_stream_on_whole() {
        let chunk = Bytes::from(vec![b'x'; 40_000]);
        let frames = futures_util::stream::iter(
            (0..4).map(move |_| Ok::<_, std::io::Error>(Frame::data(chunk.clone()))),
        );
        let resp = Response::builder()
            .status(500)
            .body(http_body_util::StreamBody::new(frames))
            .unwrap();
        let resp = classify_error(resp).await.unwrap();
        assert_eq!(resp.extensions().get::<ApiErrorInfo>().unwrap().code, None);
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(body.len(), 160_000);
    }

    #[test]
    fn html_error_bodies_keep_their_text_without_a_code() {
        let info = error_info(
            StatusCode::BAD_GATEWAY,
            &HeaderMap::new(),
            Some(b"<html>bad gateway</html>"),
        );
        assert_eq!(info.code, None);
        assert_eq!(info.message, "<html>bad gateway</html>");
        let info = error_info(StatusCode::BAD_GATEWAY, &HeaderMap::new(), None);
        assert_eq!(info.message, "Bad Gateway");
    }
}
