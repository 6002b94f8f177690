//! Why one item of a command failed: the library's [`ErrorClass`] (is the failure the item's
//! final answer, or a condition of the moment?), the code shown in the per-item error form,
//! and the message.

use std::fmt;

use vt_api::ErrorClass;
use vt_model::ErrorCode;

use serde_json::Value;

use crate::exit::{CliError, Exit, error_chain};

/// The code of a per-item error, as written in `{"error": {"code": ...}}` and on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorLabel {
    /// VirusTotal's own error code.
    Api(ErrorCode),
    /// An HTTP status answered without a VirusTotal error body (`HTTP404`).
    Http(u16),
    /// A success answer that did not decode (`DecodeError`).
    Decode,
    /// An answer over the client's size cap (`ResponseTooLargeError`).
    ResponseTooLarge,
    /// An analysis that did not complete in the time allowed (`AnalysisTimeoutError`).
    AnalysisTimeout,
    /// The network or the transport failed (`TransportError`).
    Transport,
    /// A local problem with the item, found while running (`InvalidInputError`).
    InvalidInput,
    /// An answer `vt` could not encode again as JSON (`EncodeError`).
    Encode,
    /// A success answer without the report asked for (`MissingReportError`).
    MissingReport,
    /// The client could not be set up (`ConfigError`).
    Config,
    /// A v2 report's `response_code` other than 1: VirusTotal has no report
    /// (`response_code 0`).
    V2ResponseCode(i64),
}

impl fmt::Display for ErrorLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorLabel::Api(code) => f.write_str(code.as_str()),
            ErrorLabel::Http(status) => write!(f, "HTTP{status}"),
            ErrorLabel::Decode => f.write_str("DecodeError"),
            ErrorLabel::ResponseTooLarge => f.write_str("ResponseTooLargeError"),
            ErrorLabel::AnalysisTimeout => f.write_str("AnalysisTimeoutError"),
            ErrorLabel::Transport => f.write_str("TransportError"),
            ErrorLabel::InvalidInput => f.write_str("InvalidInputError"),
            ErrorLabel::Encode => f.write_str("EncodeError"),
            ErrorLabel::MissingReport => f.write_str("MissingReportError"),
            ErrorLabel::Config => f.write_str("ConfigError"),
            ErrorLabel::V2ResponseCode(code) => write!(f, "response_code {code}"),
        }
    }
}

/// Why one item failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemError {
    /// What the failure says about the item (only [`ErrorClass::ItemAnswer`] is final).
    pub class: ErrorClass,
    /// The code shown.
    pub label: ErrorLabel,
    /// The message (one line when shown).
    pub message: String,
}

impl ItemError {
    /// A local problem with this item found while running (a file vanished, ...).
    pub fn local(message: impl Into<String>) -> ItemError {
        ItemError {
            class: ErrorClass::Local,
            label: ErrorLabel::InvalidInput,
            message: message.into(),
        }
    }

    /// An answer that could not be encoded as JSON.
    pub fn encode(err: &serde_json::Error) -> ItemError {
        ItemError {
            class: ErrorClass::Local,
            label: ErrorLabel::Encode,
            message: format!("cannot encode the answer as JSON: {err}"),
        }
    }

    /// The code shown in the per-item error form.
    pub fn code(&self) -> String {
        self.label.to_string()
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether this is the item's final answer: saved in `--output`, never asked again.
    pub fn is_final(&self) -> bool {
        self.class.is_final_for_item()
    }

    /// The exit code that stops a batch, if this error does: every other item would fail the
    /// same way (key refused, quota spent, rate refused, network down).
    pub fn stops_batch(&self) -> Option<Exit> {
        match self.class {
            ErrorClass::Auth => Some(Exit::Auth),
            ErrorClass::Quota => Some(Exit::Quota),
            ErrorClass::RateLimited => Some(Exit::RateLimited),
            ErrorClass::Network => Some(Exit::Transport),
            _ => None,
        }
    }

    /// The exit code of a command that ended with this error.
    pub fn exit(&self) -> Exit {
        match self.class {
            ErrorClass::Transient => Exit::Transport,
            _ => self.stops_batch().unwrap_or(Exit::ItemsFailed),
        }
    }

    /// What stopped a batch, in a few words.
    pub fn stop_reason(&self) -> &'static str {
        match self.class {
            ErrorClass::Quota => "quota exhausted",
            ErrorClass::Auth if self.is_forbidden() => {
                "the API key may not do this (403: the endpoint needs a premium key, or a privilege this key lacks)"
            }
            ErrorClass::Auth => "the API key was refused",
            ErrorClass::RateLimited => {
                "rate limited by the server after every retry (the request rate, not a spent quota: lower --rate-limit or --concurrency)"
            }
            _ => "network failure",
        }
    }

    /// A 403: the key is valid but not allowed this call (a premium endpoint with a public
    /// key, a privilege the key lacks).
    fn is_forbidden(&self) -> bool {
        matches!(
            self.label,
            ErrorLabel::Api(ErrorCode::Forbidden) | ErrorLabel::Http(403)
        )
    }

    /// The error that ends a single (non-batch) command.
    pub fn into_cli_error(self, what: &str) -> CliError {
        let exit = self.exit();
        let message = match self.label {
            _ if self.is_forbidden() => format!(
                "{what}: {}: this endpoint needs a premium key (or a privilege this key lacks)",
                self.label
            ),
            ErrorLabel::Transport | ErrorLabel::InvalidInput => {
                format!("{what}: {}", self.message)
            }
            _ => format!("{what}: {}: {}", self.label, self.message),
        };
        let mut err = CliError::new(exit, message);
        match self.class {
            ErrorClass::Quota => {
                err = err.with_detail("the quota window resets later (daily quotas at 00:00 UTC)")
            }
            ErrorClass::RateLimited => {
                err = err.with_detail(
                    "too many requests per minute for this key: lower --rate-limit, then try again",
                )
            }
            _ => {}
        }
        err
    }
}

impl From<&vt_api::Error> for ItemError {
    fn from(err: &vt_api::Error) -> ItemError {
        let label = match err {
            vt_api::Error::Api { code, .. } => ErrorLabel::Api(code.clone()),
            _ if err.is_quota_exhausted() => ErrorLabel::Api(ErrorCode::QuotaExceeded),
            vt_api::Error::UnexpectedStatus { status, .. } => ErrorLabel::Http(status.as_u16()),
            vt_api::Error::Transport(_) => ErrorLabel::Transport,
            vt_api::Error::Decode { .. } => ErrorLabel::Decode,
            vt_api::Error::ResponseTooLarge { .. } => ErrorLabel::ResponseTooLarge,
            vt_api::Error::AnalysisTimeout { .. } => ErrorLabel::AnalysisTimeout,
            vt_api::Error::MissingReport { .. } => ErrorLabel::MissingReport,
            vt_api::Error::Config(_) => ErrorLabel::Config,
            _ => ErrorLabel::InvalidInput,
        };
        let message = match err {
            vt_api::Error::Api { message, .. } => message.clone(),
            vt_api::Error::UnexpectedStatus { status, snippet } if snippet.trim().is_empty() => {
                format!("HTTP status {status} without an error body")
            }
            _ => error_chain(err),
        };
        ItemError {
            class: err.class(),
            label,
            message,
        }
    }
}

/// Classifies a library error for batches and exit codes.
pub fn item_error(err: &vt_api::Error) -> ItemError {
    ItemError::from(err)
}

/// The error ending a single-object command.
pub fn fail(what: &str, err: &vt_api::Error) -> CliError {
    item_error(err)
        .into_cli_error(what)
        .with_detail(error_chain(err))
}

/// Serializes a typed API object back into JSON (losslessly: unknown fields are kept).
pub fn to_value<T: serde::Serialize>(value: &T) -> Result<Value, ItemError> {
    serde_json::to_value(value).map_err(|e| ItemError::encode(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: ErrorCode) -> vt_api::Error {
        vt_api::Error::Api {
            status: http::StatusCode::from_u16(status).unwrap(),
            code,
            message: "m".into(),
        }
    }

    #[test]
    fn library_errors_map_to_exit_codes() {
        let stops = |e: vt_api::Error| ItemError::from(&e).stops_batch();
        assert_eq!(stops(api(404, ErrorCode::NotFound)), None);
        assert_eq!(stops(api(503, ErrorCode::Transient)), None);
        assert_eq!(
            stops(api(401, ErrorCode::WrongCredentials)),
            Some(Exit::Auth)
        );
        assert_eq!(stops(api(403, ErrorCode::Forbidden)), Some(Exit::Auth));
        assert_eq!(stops(api(429, ErrorCode::QuotaExceeded)), Some(Exit::Quota));
        assert_eq!(
            stops(api(429, ErrorCode::TooManyRequests)),
            Some(Exit::RateLimited)
        );
        let transport = vt_api::Error::Transport("connection refused".into());
        assert_eq!(stops(transport), Some(Exit::Transport));
        let e = ItemError::from(&api(409, ErrorCode::AlreadyExists));
        assert_eq!(e.code(), "AlreadyExistsError");
        assert!(e.is_final());
        assert_eq!(e.clone().into_cli_error("file x").exit, Exit::ItemsFailed);
        assert!(!ItemError::from(&api(503, ErrorCode::Transient)).is_final());
        assert_eq!(
            ItemError::from(&api(503, ErrorCode::Transient)).exit(),
            Exit::Transport
        );
    }

    #[test]
    fn labels_are_the_documented_codes() {
        assert_eq!(ErrorLabel::Http(404).to_string(), "HTTP404");
        assert_eq!(ErrorLabel::Decode.to_string(), "DecodeError");
        assert_eq!(
            ErrorLabel::Api(ErrorCode::NotFound).to_string(),
            "NotFoundError"
        );
    }
}
