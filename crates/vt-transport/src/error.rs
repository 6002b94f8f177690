//! The transport's typed error.
//!
//! A [`TransportError`] means no usable HTTP response came back: the connection, TLS, a proxy,
//! a timeout, a body or the local quota failed. An HTTP response with a 4xx or 5xx status is
//! *not* a transport error: the stack returns it as `Ok(response)` (after any retries) with an
//! [`ApiErrorInfo`](crate::ApiErrorInfo) extension, and the API layer turns it into its own
//! error.
//!
//! Body errors of a [`ResponseBody`](crate::ResponseBody) are boxed `TransportError`s too, so
//! `err.downcast_ref::<TransportError>()` works on them.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::time::SystemTime;

use crate::body::BoxError;
use crate::rate_limit::spec::RateWindow;

/// Which timeout fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Establishing the TCP (and proxy tunnel) connection took too long.
    Connect,
    /// The response headers did not arrive in time.
    Response,
    /// A request or response body made no progress for too long.
    Idle,
}

impl fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutKind::Connect => "connect",
            TimeoutKind::Response => "response",
            TimeoutKind::Idle => "idle",
        })
    }
}

/// Why a redirect was not followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RedirectError {
    /// More redirects than the configured bound.
    TooMany {
        /// The bound.
        limit: usize,
    },
    /// A redirect led back to a URL already visited.
    Loop,
}

impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedirectError::TooMany { limit } => write!(f, "more than {limit} redirects"),
            RedirectError::Loop => f.write_str("redirect loop"),
        }
    }
}

/// What went wrong below the HTTP response. See the [module docs](self).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The TCP connection could not be made (refused, unreachable, DNS failure).
    #[error("could not connect")]
    Connect {
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// The TLS handshake failed (for example an untrusted certificate).
    #[error("TLS handshake failed")]
    Tls {
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// A timeout fired.
    #[error("{kind} timeout")]
    Timeout {
        /// Which timeout.
        kind: TimeoutKind,
    },
    /// The connection broke (reset, closed before the response was complete).
    #[error("connection lost")]
    Io {
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// Reading or sending a body failed for a reason other than the connection (for example
    /// the file behind an upload stream could not be read, or gzip data was corrupt).
    #[error("body failed")]
    Body {
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// A configured day or month budget of the local rate limiter is spent; nothing was sent.
    #[error("local {window} request budget spent; it resets at {}", fmt_time(*resets_at))]
    QuotaExhausted {
        /// The spent window.
        window: RateWindow,
        /// When the window resets (00:00 UTC).
        resets_at: SystemTime,
    },
    /// The store of a shared rate limiter ([`RateLimitStore`](crate::RateLimitStore), for
    /// example Redis) could not be reached for longer than it allows; nothing was sent.
    #[error("rate-limit store unreachable for {waited:?}: {reason}")]
    RateLimitStore {
        /// How long the request waited for the store.
        waited: std::time::Duration,
        /// What failed last (never a password).
        reason: String,
    },
    /// The proxy refused or failed the connection.
    #[error("proxy failed")]
    Proxy {
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// The request cannot be sent as it is (for example a URL without a host).
    #[error("invalid request: {reason}")]
    InvalidRequest {
        /// What is wrong.
        reason: String,
    },
    /// A redirect was not followed.
    #[error("{kind} (last URL {url})")]
    Redirect {
        /// Why.
        kind: RedirectError,
        /// The last URL, with any API key redacted.
        url: String,
    },
    /// The configuration given to the builder is unusable.
    #[error("invalid transport configuration: {reason}")]
    Config {
        /// What is wrong.
        reason: String,
    },
    /// An HTTP protocol error.
    #[error("HTTP protocol error")]
    Protocol {
        /// The underlying error.
        #[source]
        source: BoxError,
    },
}

fn fmt_time(t: SystemTime) -> String {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => crate::calendar::format_utc(d.as_secs()),
        Err(_) => "(before 1970)".to_owned(),
    }
}

impl TransportError {
    /// Whether sending the same request again may succeed: connection failures, timeouts and
    /// broken connections. Never true for a spent local budget, TLS, proxy, body or
    /// configuration errors.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            TransportError::Connect { .. }
                | TransportError::Timeout { .. }
                | TransportError::Io { .. }
        )
    }

    /// Whether the request certainly never reached the server (so even a non-idempotent
    /// request may be sent again).
    pub fn is_never_sent(&self) -> bool {
        matches!(
            self,
            TransportError::Connect { .. }
                | TransportError::Timeout {
                    kind: TimeoutKind::Connect
                }
                | TransportError::QuotaExhausted { .. }
                | TransportError::RateLimitStore { .. }
                | TransportError::InvalidRequest { .. }
                | TransportError::Config { .. }
                | TransportError::Proxy { .. }
                | TransportError::Tls { .. }
        )
    }

    /// Turns any error from an inner service or a body into a `TransportError`, by looking at
    /// it and its sources: a boxed `TransportError` is unboxed; hyper, hyper-util, TLS and I/O
    /// errors are classified.
    pub fn from_boxed(err: BoxError) -> TransportError {
        match err.downcast::<TransportError>() {
            Ok(te) => *te,
            Err(err) => classify(err),
        }
    }

    /// Classifies an error raised while a body was streamed: the same as
    /// [`TransportError::from_boxed`], except that unknown errors become
    /// [`TransportError::Body`] rather than [`TransportError::Protocol`].
    pub fn from_body_error(err: BoxError) -> TransportError {
        match TransportError::from_boxed(err) {
            TransportError::Protocol { source } => TransportError::Body { source },
            other => other,
        }
    }
}

/// What the source chain of an error says.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    Timeout(TimeoutKind),
    Tls,
    Proxy,
    Connect,
    Io,
    Nothing,
}

/// Marks an error raised by the proxy connector.
#[derive(Debug)]
pub(crate) struct ProxyFailure(pub(crate) BoxError);

impl fmt::Display for ProxyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("proxy connection failed")
    }
}

impl StdError for ProxyFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(self.0.as_ref())
    }
}

fn classify(err: BoxError) -> TransportError {
    let mut is_connect = false;
    let mut found = Found::Nothing;
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err.as_ref());
    while let Some(e) = cur {
        if let Some(te) = e.downcast_ref::<TransportError>() {
            found = match te {
                TransportError::Timeout { kind } => Found::Timeout(*kind),
                TransportError::Tls { .. } => Found::Tls,
                TransportError::Proxy { .. } => Found::Proxy,
                TransportError::Connect { .. } => Found::Connect,
                TransportError::Io { .. } => Found::Io,
                _ => Found::Nothing,
            };
            if found != Found::Nothing {
                break;
            }
        }
        if let Some(le) = e.downcast_ref::<hyper_util::client::legacy::Error>()
            && le.is_connect()
        {
            is_connect = true;
        }
        if e.downcast_ref::<ProxyFailure>().is_some() {
            found = Found::Proxy;
            break;
        }
        if crate::tls::is_tls_error(e) {
            found = Found::Tls;
            break;
        }
        if let Some(he) = e.downcast_ref::<hyper::Error>() {
            if he.is_timeout() {
                found = Found::Timeout(TimeoutKind::Response);
                break;
            }
            if he.is_incomplete_message() || he.is_closed() || he.is_canceled() {
                found = Found::Io;
            }
        }
        if let Some(io) = e.downcast_ref::<io::Error>() {
            match io.kind() {
                io::ErrorKind::TimedOut if is_connect => {
                    found = Found::Timeout(TimeoutKind::Connect);
                    break;
                }
                io::ErrorKind::TimedOut => {
                    found = Found::Timeout(TimeoutKind::Idle);
                    break;
                }
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof
                | io::ErrorKind::NotConnected
                    if !is_connect =>
                {
                    found = Found::Io;
                }
                _ => {}
            }
        }
        cur = e.source();
    }
    match found {
        Found::Timeout(kind) => TransportError::Timeout { kind },
        Found::Tls => TransportError::Tls { source: err },
        Found::Proxy => TransportError::Proxy { source: err },
        Found::Connect => TransportError::Connect { source: err },
        Found::Io if !is_connect => TransportError::Io { source: err },
        _ if is_connect => TransportError::Connect { source: err },
        _ => TransportError::Protocol { source: err },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxed_transport_errors_are_unboxed() {
        let boxed: BoxError = Box::new(TransportError::Timeout {
            kind: TimeoutKind::Idle,
        });
        assert!(matches!(
            TransportError::from_boxed(boxed),
            TransportError::Timeout {
                kind: TimeoutKind::Idle
            }
        ));
    }

    #[test]
    fn nested_timeouts_are_found_in_the_source_chain() {
        #[derive(Debug)]
        struct Wrapper(TransportError);
        impl fmt::Display for Wrapper {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("wrapper")
            }
        }
        impl StdError for Wrapper {
            fn source(&self) -> Option<&(dyn StdError + 'static)> {
                Some(&self.0)
            }
        }
        let err = TransportError::from_boxed(Box::new(Wrapper(TransportError::Timeout {
            kind: TimeoutKind::Idle,
        })));
        assert!(matches!(
            err,
            TransportError::Timeout {
                kind: TimeoutKind::Idle
            }
        ));
        assert!(err.is_retryable());
    }

    #[test]
    fn resets_are_io_and_retryable_unknown_errors_are_protocol() {
        let reset =
            TransportError::from_boxed(Box::new(io::Error::from(io::ErrorKind::ConnectionReset)));
        assert!(matches!(reset, TransportError::Io { .. }), "{reset:?}");
        assert!(reset.is_retryable());
        let other = TransportError::from_boxed("strange".into());
        assert!(matches!(other, TransportError::Protocol { .. }));
        assert!(!other.is_retryable());
        let body = TransportError::from_body_error("bad gzip".into());
        assert!(matches!(body, TransportError::Body { .. }));
    }

    #[test]
    fn quota_exhausted_names_the_window_and_reset_time() {
        let err = TransportError::QuotaExhausted {
            window: RateWindow::Day,
            resets_at: SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(86_400),
        };
        assert_eq!(
            err.to_string(),
            "local day request budget spent; it resets at 1970-01-02 00:00:00 UTC"
        );
        assert!(!err.is_retryable());
        assert!(err.is_never_sent());
    }
}
