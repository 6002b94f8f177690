//! The one error type of this crate.
//!
//! Every failure of a call is an [`Error`]: an answer of VirusTotal's API
//! ([`Error::Api`], with the HTTP status, the [`ErrorCode`] and the message), a failure of the
//! transport ([`Error::Transport`]), a body that does not decode ([`Error::Decode`], with a short
//! snippet of the body), a success answer without the report asked for
//! ([`Error::MissingReport`]), bad input caught before any request ([`Error::InvalidInput`],
//! [`Error::FileTooLarge`]), a client configuration that cannot be built ([`Error::Config`])
//! and local file errors ([`Error::Io`], with the path).
//!
//! The `is_*` helpers classify an error without matching on variants, for example to choose a
//! process exit code:
//!
//! ```
//! use vt_api::Error;
//! use vt_model::ErrorCode;
//!
//! let err = Error::Api {
//!     status: http::StatusCode::NOT_FOUND,
//!     code: ErrorCode::NotFound,
//!     message: "File \"x\" not found".into(),
//! };
//! assert!(err.is_not_found());
//! assert!(!err.is_quota());
//! assert_eq!(err.api_code(), Some(&ErrorCode::NotFound));
//! ```

use std::path::PathBuf;
use std::time::Duration;

use http::StatusCode;
use vt_model::ErrorCode;
use vt_transport::BoxError;

/// Shorthand for `Result<T, vt_api::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a call of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// VirusTotal answered with an error (after the transport's retries, if any).
    ///
    /// `code` comes from the JSON error body; a v2 `204 No Content` (the v2 way of saying
    /// "quota exceeded") is reported as status 204 with [`ErrorCode::QuotaExceeded`].
    #[error("VirusTotal answered {status}: {code}: {message}")]
    Api {
        /// The HTTP status of the answer.
        status: StatusCode,
        /// VirusTotal's error code.
        code: ErrorCode,
        /// VirusTotal's message (may be empty).
        message: String,
    },

    /// The server answered with a non-success status and a body that is not a VirusTotal
    /// error (for example an HTML page from a proxy, or a 413 from the front end).
    #[error("unexpected HTTP status {status}: {snippet:?}")]
    UnexpectedStatus {
        /// The HTTP status of the answer.
        status: StatusCode,
        /// The beginning of the body (at most a few hundred characters, control characters
        /// replaced).
        snippet: String,
    },

    /// The request could not be carried out (connection, TLS, timeout, local quota budget
    /// spent, ...). The source is the transport's error; see [`Error::transport_error`].
    #[error("transport failure")]
    Transport(#[source] BoxError),

    /// The client could not be built from its configuration (TLS setup, proxy URL, ...);
    /// nothing was sent. A bad base URL is [`Error::InvalidInput`].
    #[error("cannot build the client from its configuration")]
    Config(#[source] BoxError),

    /// The server answered with success but without the report asked for (a v2 batch answer
    /// with fewer reports than resources).
    #[error("VirusTotal answered no report for {resource:?}")]
    MissingReport {
        /// The resource whose report is missing.
        resource: String,
    },

    /// A success answer whose JSON does not have the expected shape.
    #[error("cannot decode the answer at `{path}`; body starts with {snippet:?}")]
    Decode {
        /// Where in the JSON document decoding failed (for example `data.attributes.size`).
        path: String,
        /// The serde error.
        #[source]
        source: serde_json::Error,
        /// The beginning of the body (at most a few hundred characters, control characters
        /// replaced).
        snippet: String,
    },

    /// A JSON answer was larger than the client accepts for a JSON document.
    #[error("answer body exceeds {limit} bytes")]
    ResponseTooLarge {
        /// The limit in bytes.
        limit: usize,
    },

    /// An input was rejected before any request was sent.
    #[error("invalid input {input:?}: {reason}")]
    InvalidInput {
        /// The input as given (truncated when long).
        input: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A local file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// A file is larger than VirusTotal accepts; nothing was sent.
    #[error("{}: {size} bytes is more than the {limit} bytes VirusTotal accepts", path.display())]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The largest accepted size in bytes.
        limit: u64,
    },

    /// A feed package is not a complete bzip2 stream: corrupt, truncated or not bzip2 at all.
    /// The items read before the damage were delivered; the feed's cursor points after them.
    #[error("feed package {package}: {reason}")]
    FeedPackage {
        /// The package (`{type}/{YYYYMMDDhhmm}`).
        package: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A feed package decompresses to more than the reader accepts (a line or the whole
    /// package): a bzip2 bomb, or a limit set too low. Nothing past the limit was decoded.
    #[error("feed package {package}: a {what} decompresses to more than {limit} bytes")]
    FeedTooLarge {
        /// The package (`{type}/{YYYYMMDDhhmm}`).
        package: String,
        /// `line` or `package`.
        what: &'static str,
        /// The limit in bytes.
        limit: u64,
    },

    /// A line of a feed package is not the JSON object expected.
    #[error("feed package {package}, line {line}: not a feed item; line starts with {snippet:?}")]
    FeedLine {
        /// The package (`{type}/{YYYYMMDDhhmm}`).
        package: String,
        /// The line number in the package (from 1).
        line: u64,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
        /// The beginning of the line.
        snippet: String,
    },

    /// An analysis did not complete within the configured time.
    #[error("analysis {id} not completed after {waited:?} (last status: {last_status})")]
    AnalysisTimeout {
        /// The analysis id.
        id: String,
        /// How long the client waited.
        waited: Duration,
        /// The last status seen (`queued`, `in-progress`, or `unknown`).
        last_status: String,
    },

    /// A ZIP bundle was still being built when the wait timed out
    /// ([`Intelligence::wait_zip`](crate::intelligence::Intelligence::wait_zip)).
    #[error(
        "ZIP file {id} not finished after {waited:?} (last status: {last_status}, {progress}%)"
    )]
    ZipTimeout {
        /// The ZIP file id.
        id: String,
        /// How long the client waited.
        waited: Duration,
        /// The last status seen (`starting`, `creating`, or `unknown`).
        last_status: String,
        /// The last progress seen, 0 to 100.
        progress: u8,
    },

    /// A Retrohunt job was still under way when the wait timed out
    /// ([`Retrohunt::wait`](crate::retrohunt::Retrohunt::wait)); waiting again with the same
    /// id goes on.
    #[error(
        "Retrohunt job {id} not finished after {waited:?} (last status: {last_status}, {progress:.1}%)"
    )]
    RetrohuntTimeout {
        /// The job id.
        id: String,
        /// How long the client waited.
        waited: Duration,
        /// The last status seen (`queued`, `starting`, `running`, `aborting`, or `unknown`).
        last_status: String,
        /// The last progress seen, 0 to 100.
        progress: f64,
    },

    /// A Retrohunt job waited for ended without finishing (`aborted` or `failed`); the
    /// matches found before it stopped stay listable.
    #[error("Retrohunt job {id} ended {status} at {progress:.1}% with {matches} matches")]
    RetrohuntEnded {
        /// The job id.
        id: String,
        /// The final status.
        status: String,
        /// How far it got, 0 to 100.
        progress: f64,
        /// Files matched before it stopped.
        matches: u64,
    },

    /// An abort came after the Retrohunt job had already ended another way (`finished` or
    /// `failed`): nothing was aborted; the job and its matches are as they ended.
    #[error("Retrohunt job {id} had already ended ({status}); nothing to abort")]
    RetrohuntAlreadyEnded {
        /// The job id.
        id: String,
        /// The status it ended with.
        status: String,
    },

    /// VirusTotal gave up building a ZIP bundle (`timeout`, `error-starting`,
    /// `error-creating`, or a status this version does not know); it cannot be downloaded.
    #[error("ZIP file {id} failed on the server (status: {status})")]
    ZipFailed {
        /// The ZIP file id.
        id: String,
        /// The final status.
        status: String,
    },
}

impl Error {
    /// The API error code, when VirusTotal answered with one.
    pub fn api_code(&self) -> Option<&ErrorCode> {
        match self {
            Error::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } | Error::UnexpectedStatus { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the object or route does not exist (`NotFoundError` or a plain 404).
    pub fn is_not_found(&self) -> bool {
        match self {
            Error::Api { code, status, .. } => {
                *code == ErrorCode::NotFound || *status == StatusCode::NOT_FOUND
            }
            Error::UnexpectedStatus { status, .. } => *status == StatusCode::NOT_FOUND,
            _ => false,
        }
    }

    /// Whether VirusTotal refused a write because it conflicts with the object's current
    /// state (HTTP 409: `AlreadyExistsError`, or any other code with that status), such as
    /// a collection update that clashes with another collection. Asking again unchanged gets
    /// the same answer.
    pub fn is_conflict(&self) -> bool {
        match self {
            Error::Api { code, status, .. } => {
                *code == ErrorCode::AlreadyExists || *status == StatusCode::CONFLICT
            }
            Error::UnexpectedStatus { status, .. } => *status == StatusCode::CONFLICT,
            _ => false,
        }
    }

    /// Whether the key is missing, wrong, inactive or not allowed to do this (401 or 403).
    pub fn is_auth(&self) -> bool {
        match self.status() {
            Some(s) => s == StatusCode::UNAUTHORIZED || s == StatusCode::FORBIDDEN,
            None => false,
        }
    }

    /// Whether a quota is spent: a `QuotaExceededError` still there after the transport's
    /// retries, a v2 `204`, or the transport's own budget refusing to send
    /// ([`Error::is_quota_exhausted`]). A `TooManyRequestsError` is a request-rate refusal,
    /// not a spent budget: see [`ErrorClass::RateLimited`].
    pub fn is_quota(&self) -> bool {
        matches!(
            self,
            Error::Api {
                code: ErrorCode::QuotaExceeded,
                ..
            }
        ) || self.is_quota_exhausted()
    }

    /// Whether the transport refused to send because a configured daily or monthly budget is
    /// spent (`TransportError::QuotaExhausted`).
    pub fn is_quota_exhausted(&self) -> bool {
        matches!(
            self.transport_error(),
            Some(vt_transport::TransportError::QuotaExhausted { .. })
        )
    }

    /// Whether this is a transport failure (no usable answer from the server).
    pub fn is_transport(&self) -> bool {
        matches!(self, Error::Transport(_))
    }

    /// Whether an input was rejected before any request (including [`Error::FileTooLarge`]).
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self,
            Error::InvalidInput { .. } | Error::FileTooLarge { .. }
        )
    }

    /// Whether waiting again may succeed: a transient server error (`TransientError`,
    /// `DeadlineExceededError`, `TooManyRequestsError`, `NotAvailableYet`, 502/503/504) or a
    /// retryable transport error.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Api { code, status, .. } => {
                code.retry_class() == vt_model::RetryClass::RetrySoon
                    || matches!(status.as_u16(), 502..=504)
            }
            Error::UnexpectedStatus { status, .. } => matches!(status.as_u16(), 502..=504),
            Error::Transport(_) => self.transport_error().is_some_and(|e| e.is_retryable()),
            _ => false,
        }
    }

    /// Whether a feed package could not be read: corrupt or truncated bzip2
    /// ([`Error::FeedPackage`]), over a decompression limit ([`Error::FeedTooLarge`]) or a
    /// line that is not a feed item ([`Error::FeedLine`]).
    pub fn is_bad_feed_package(&self) -> bool {
        matches!(
            self,
            Error::FeedPackage { .. } | Error::FeedTooLarge { .. } | Error::FeedLine { .. }
        )
    }

    /// The transport's typed error, when the transport failure came from `vt-transport`.
    pub fn transport_error(&self) -> Option<&vt_transport::TransportError> {
        let Error::Transport(source) = self else {
            return None;
        };
        let mut current: Option<&(dyn std::error::Error + 'static)> = Some(source.as_ref());
        while let Some(err) = current {
            if let Some(found) = err.downcast_ref::<vt_transport::TransportError>() {
                return Some(found);
            }
            current = err.source();
        }
        None
    }

    pub(crate) fn invalid(input: impl AsRef<str>, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            input: truncate(input.as_ref(), 200),
            reason: reason.into(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

// ---- What an error says about the item a call was about ----

/// What an error says about the item a call was about: the one classification a batch runner
/// needs to decide whether a failure is the item's answer (save it, never ask again) or a
/// condition of the moment (save nothing, ask again later). [`Error::class`] gives it.
///
/// ```
/// use vt_api::{Error, ErrorClass};
/// use vt_model::ErrorCode;
///
/// let api = |status: u16, code: ErrorCode| Error::Api {
///     status: http::StatusCode::from_u16(status).unwrap(),
///     code,
///     message: String::new(),
/// };
/// assert_eq!(api(404, ErrorCode::NotFound).class(), ErrorClass::ItemAnswer);
/// assert!(api(404, ErrorCode::NotFound).is_final_for_item());
/// assert_eq!(api(503, ErrorCode::Transient).class(), ErrorClass::Transient);
/// assert_eq!(api(429, ErrorCode::TooManyRequests).class(), ErrorClass::RateLimited);
/// assert_eq!(api(429, ErrorCode::QuotaExceeded).class(), ErrorClass::Quota);
/// assert!(!api(503, ErrorCode::Transient).is_final_for_item());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// VirusTotal's answer about this item (not found, already exists, an argument it
    /// refuses, ...): asking again gives the same answer. The only final class.
    ItemAnswer,
    /// The key is missing, wrong, inactive or not allowed this call (401, 403): every other
    /// item would fail the same way.
    Auth,
    /// A minute, day or month quota is spent (`QuotaExceededError`, v2 `204`, or the
    /// transport's own budget).
    Quota,
    /// The server's request-rate limit (429 `TooManyRequestsError`) outlasted the retries: a
    /// rate problem, not a spent budget.
    RateLimited,
    /// A failure of the moment on the server's side: 5xx, `TransientError`,
    /// `DeadlineExceededError`, `NotAvailableYet`, an answer that does not decode (garbled or
    /// cut off) or lacks the report asked for, or an analysis that did not finish in the time
    /// allowed.
    Transient,
    /// The network or the transport failed (connection, TLS, proxy, timeouts) after retries.
    Network,
    /// A local problem: an input refused before sending, a file too large or unreadable, an
    /// answer over the client's size cap, a client configuration that cannot be built.
    Local,
}

impl ErrorClass {
    /// Whether the error is the item's final answer, to be saved as its result.
    pub fn is_final_for_item(self) -> bool {
        self == ErrorClass::ItemAnswer
    }
}

impl Error {
    /// What this error says about the item the call was about; see [`ErrorClass`].
    pub fn class(&self) -> ErrorClass {
        let by_status = |status: StatusCode| match status.as_u16() {
            401 | 403 => ErrorClass::Auth,
            429 => ErrorClass::RateLimited,
            408 => ErrorClass::Transient,
            400..=499 => ErrorClass::ItemAnswer,
            _ => ErrorClass::Transient,
        };
        match self {
            Error::Api { code, status, .. } => match code {
                ErrorCode::QuotaExceeded => ErrorClass::Quota,
                ErrorCode::TooManyRequests => ErrorClass::RateLimited,
                _ if code.retry_class() == vt_model::RetryClass::RetrySoon => ErrorClass::Transient,
                _ => by_status(*status),
            },
            Error::UnexpectedStatus { status, .. } => by_status(*status),
            Error::Transport(_) if self.is_quota_exhausted() => ErrorClass::Quota,
            Error::Transport(_) => ErrorClass::Network,
            Error::Decode { .. }
            | Error::AnalysisTimeout { .. }
            | Error::ZipTimeout { .. }
            | Error::RetrohuntTimeout { .. }
            | Error::MissingReport { .. } => ErrorClass::Transient,
            // The server gave up building the bundle: its answer about this request.
            Error::ZipFailed { .. } => ErrorClass::ItemAnswer,
            // How the job ended is the server's answer about it.
            Error::RetrohuntEnded { .. } | Error::RetrohuntAlreadyEnded { .. } => {
                ErrorClass::ItemAnswer
            }
            // A damaged package is the server's to mend: asking again later may succeed.
            Error::FeedPackage { .. } | Error::FeedLine { .. } => ErrorClass::Transient,
            Error::FeedTooLarge { .. } => ErrorClass::Local,
            Error::Config(_)
            | Error::ResponseTooLarge { .. }
            | Error::InvalidInput { .. }
            | Error::Io { .. }
            | Error::FileTooLarge { .. } => ErrorClass::Local,
        }
    }

    /// Whether the error is the item's final answer (`NotFoundError`, `AlreadyExistsError`,
    /// ...): a batch may save it and never ask again. Everything else (transient, quota, rate,
    /// auth, network, local) says nothing final about the item.
    pub fn is_final_for_item(&self) -> bool {
        self.class().is_final_for_item()
    }
}

impl From<vt_model::IdError> for Error {
    fn from(err: vt_model::IdError) -> Self {
        Error::InvalidInput {
            input: truncate(err.input(), 200),
            reason: err.reason().to_string(),
        }
    }
}

/// The first `max` characters of `text`.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// A short, printable snippet of a body: at most 200 characters, lossy UTF-8, control
/// characters replaced by `�`.
pub(crate) fn snippet(body: &[u8]) -> String {
    let head = &body[..body.len().min(800)];
    let text = String::from_utf8_lossy(head);
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_control() && c != ' ' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect();
    truncate(&cleaned, 200)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_short_and_printable() {
        let body = format!("<html>\n\u{0}{}", "x".repeat(1000));
        let s = snippet(body.as_bytes());
        assert!(s.chars().count() <= 201);
        assert!(!s.chars().any(|c| c.is_control()));
        assert!(s.starts_with("<html>"));
    }

    #[test]
    fn classification_helpers() {
        let api = |status: u16, code: ErrorCode| Error::Api {
            status: StatusCode::from_u16(status).unwrap(),
            code,
            message: String::new(),
        };
        assert!(api(401, ErrorCode::WrongCredentials).is_auth());
        assert!(api(403, ErrorCode::Forbidden).is_auth());
        assert!(!api(404, ErrorCode::NotFound).is_auth());
        assert!(api(429, ErrorCode::QuotaExceeded).is_quota());
        assert!(api(204, ErrorCode::QuotaExceeded).is_quota());
        assert!(api(503, ErrorCode::Transient).is_transient());
        assert!(!api(400, ErrorCode::BadRequest).is_transient());
        assert!(Error::invalid("x", "bad").is_invalid_input());
        let plain_404 = Error::UnexpectedStatus {
            status: StatusCode::NOT_FOUND,
            snippet: String::new(),
        };
        assert!(plain_404.is_not_found());
    }

    #[test]
    fn only_item_answers_are_final() {
        let api = |status: u16, code: ErrorCode| Error::Api {
            status: StatusCode::from_u16(status).unwrap(),
            code,
            message: String::new(),
        };
        let cases = [
            (api(404, ErrorCode::NotFound), ErrorClass::ItemAnswer),
            (api(409, ErrorCode::AlreadyExists), ErrorClass::ItemAnswer),
            (api(400, ErrorCode::InvalidArgument), ErrorClass::ItemAnswer),
            (api(400, ErrorCode::NotAvailableYet), ErrorClass::Transient),
            (api(503, ErrorCode::Transient), ErrorClass::Transient),
            (api(504, ErrorCode::DeadlineExceeded), ErrorClass::Transient),
            (
                api(500, ErrorCode::Other("X".into())),
                ErrorClass::Transient,
            ),
            (
                api(429, ErrorCode::TooManyRequests),
                ErrorClass::RateLimited,
            ),
            (api(429, ErrorCode::QuotaExceeded), ErrorClass::Quota),
            (api(204, ErrorCode::QuotaExceeded), ErrorClass::Quota),
            (api(401, ErrorCode::WrongCredentials), ErrorClass::Auth),
            (api(403, ErrorCode::Forbidden), ErrorClass::Auth),
            (Error::Transport("refused".into()), ErrorClass::Network),
            (Error::invalid("x", "bad"), ErrorClass::Local),
            (
                Error::AnalysisTimeout {
                    id: "a".into(),
                    waited: Duration::from_secs(1),
                    last_status: "queued".into(),
                },
                ErrorClass::Transient,
            ),
        ];
        for (err, class) in cases {
            assert_eq!(err.class(), class, "{err}");
            assert_eq!(err.is_final_for_item(), class == ErrorClass::ItemAnswer);
        }
        assert!(!api(429, ErrorCode::TooManyRequests).is_quota());
    }

    #[test]
    fn long_inputs_are_truncated_in_errors() {
        let err = Error::invalid("a".repeat(1000), "too long");
        let text = err.to_string();
        assert!(text.len() < 300, "{text}");
    }
}
