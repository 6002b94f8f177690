//! Reading an HTTP answer: a body collected under a size limit, and a non-success answer
//! turned into an [`Error`] (VirusTotal's error code when the body has one).

use bytes::Bytes;
use http::{Response, StatusCode};
use http_body_util::BodyExt;
use vt_model::ApiErrorBody;
use vt_transport::ResponseBody;

use crate::error::{Error, Result, snippet};

/// Largest error body read to find VirusTotal's error code.
const MAX_ERROR_BODY: usize = 64 << 10;

/// Reads `body` whole, failing with [`Error::ResponseTooLarge`] past `limit` bytes.
pub(crate) async fn collect_limited(mut body: ResponseBody, limit: usize) -> Result<Bytes> {
    let mut out = bytes::BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(Error::Transport)?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > limit {
                return Err(Error::ResponseTooLarge { limit });
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out.freeze())
}

/// Turns a non-success response into an error, reading (a bounded part of) its body.
pub(crate) async fn error_from_response(response: Response<ResponseBody>) -> Error {
    let status = response.status();
    let body = match collect_limited(response.into_body(), MAX_ERROR_BODY).await {
        Ok(bytes) => bytes,
        Err(Error::ResponseTooLarge { .. }) => Bytes::new(),
        Err(e) => return e,
    };
    error_from_parts(status, &body)
}

pub(crate) fn error_from_parts(status: StatusCode, body: &[u8]) -> Error {
    match serde_json::from_slice::<ApiErrorBody>(body) {
        Ok(parsed) => Error::Api {
            status,
            code: parsed.error.code,
            message: parsed.error.message,
        },
        Err(_) => Error::UnexpectedStatus {
            status,
            snippet: snippet(body),
        },
    }
}
