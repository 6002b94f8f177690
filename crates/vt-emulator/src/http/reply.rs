//! What a handler returns, before faults, compression and counting are applied.

use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use serde_json::{Value, json};
use vt_model::ErrorCode;

use super::body::RespBody;

/// A handler's answer.
pub(crate) enum Reply {
    /// A JSON body (compressible, subject to JSON faults).
    Json(StatusCode, Bytes),
    /// No body (v2's 204, or a v2 403).
    Empty(StatusCode),
    /// A redirect.
    Redirect(String),
    /// Raw bytes or a stream (downloads), never compressed.
    Raw {
        body: RespBody,
        content_type: &'static str,
        len: Option<u64>,
        filename: Option<String>,
    },
    /// Close the connection without answering.
    Drop,
}

impl Reply {
    /// 200 with `{"data": value}`.
    pub(crate) fn data(value: Value) -> Reply {
        Reply::Json(StatusCode::OK, crate::records::serialize_data(&value))
    }

    /// 200 with a serialized body.
    pub(crate) fn ok_bytes(b: Bytes) -> Reply {
        Reply::Json(StatusCode::OK, b)
    }

    /// 200 with any JSON value as the whole body.
    pub(crate) fn json(value: &Value) -> Reply {
        Reply::Json(
            StatusCode::OK,
            Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
        )
    }

    /// A v3 error body with the code's documented status.
    pub(crate) fn error(code: ErrorCode, message: impl Into<String>) -> Reply {
        let status = code
            .http_status()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::BAD_REQUEST);
        Reply::error_with_status(status, code.as_str(), message)
    }

    /// An error body with an explicit status (413 has no VirusTotal code).
    pub(crate) fn error_with_status(
        status: StatusCode,
        code: &str,
        message: impl Into<String>,
    ) -> Reply {
        let body = json!({"error": {"code": code, "message": message.into()}});
        Reply::Json(
            status,
            Bytes::from(serde_json::to_vec(&body).unwrap_or_default()),
        )
    }

    pub(crate) fn not_found(what: &str, id: &str) -> Reply {
        Reply::error(ErrorCode::NotFound, format!("{what} \"{id}\" not found"))
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Reply {
        Reply::error(ErrorCode::BadRequest, message)
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Reply {
        Reply::error(ErrorCode::InvalidArgument, message)
    }

    pub(crate) fn forbidden() -> Reply {
        Reply::error(
            ErrorCode::Forbidden,
            "You are not allowed to perform the requested operation",
        )
    }

    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Reply::Json(s, _) | Reply::Empty(s) => *s,
            Reply::Redirect(_) => StatusCode::FOUND,
            Reply::Raw { .. } => StatusCode::OK,
            Reply::Drop => StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
        }
    }
}

pub(crate) const JSON: HeaderValue = HeaderValue::from_static("application/json");
