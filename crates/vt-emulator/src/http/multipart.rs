//! Request bodies: a size-limited reader and a streaming `multipart/form-data` parser
//! (`multer` over that reader) that never holds more than about one network read in memory.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Incoming;

use crate::stats::Stats;

/// Reading a request body failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BodyError {
    /// The body is larger than allowed.
    #[error("request body larger than {limit} bytes")]
    TooLarge { limit: u64 },
    /// The body is not what the Content-Type says.
    #[error("{0}")]
    Malformed(String),
    /// The connection failed.
    #[error("reading the request body failed")]
    Hyper(#[source] hyper::Error),
    /// Writing the upload failed.
    #[error("storing the upload failed")]
    Io(#[source] std::io::Error),
}

/// Reads a body chunk by chunk, counting bytes and enforcing a limit.
pub(crate) struct BodyReader {
    body: Incoming,
    limit: u64,
    read: u64,
    stats: Arc<Stats>,
}

/// Bytes drained after a 413 before giving up and closing the connection.
const DRAIN_CAP: u64 = 1 << 30;

impl BodyReader {
    pub(crate) fn new(body: Incoming, limit: u64, stats: Arc<Stats>) -> Self {
        BodyReader {
            body,
            limit,
            read: 0,
            stats,
        }
    }

    /// The next data chunk, `None` at the end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>, BodyError> {
        loop {
            match self.body.frame().await {
                None => return Ok(None),
                Some(Err(e)) => return Err(BodyError::Hyper(e)),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        self.read += data.len() as u64;
                        self.stats
                            .bytes_in
                            .fetch_add(data.len() as u64, Ordering::Relaxed);
                        if self.read > self.limit {
                            return Err(BodyError::TooLarge { limit: self.limit });
                        }
                        if !data.is_empty() {
                            return Ok(Some(data));
                        }
                    }
                }
            }
        }
    }

    /// Reads and discards the rest of the body (so a 413 reaches clients still sending);
    /// `false` when the body is absurdly large and the connection should be closed instead.
    pub(crate) async fn drain(&mut self) -> bool {
        self.drain_up_to(DRAIN_CAP).await
    }

    /// Like [`BodyReader::drain`] with a cap on the bytes read.
    pub(crate) async fn drain_up_to(&mut self, cap: u64) -> bool {
        while let Some(Ok(frame)) = self.body.frame().await {
            if let Ok(data) = frame.into_data() {
                self.read += data.len() as u64;
                self.stats
                    .bytes_in
                    .fetch_add(data.len() as u64, Ordering::Relaxed);
                if self.read > cap {
                    return false;
                }
            }
        }
        true
    }

    /// The whole body (for small bodies: forms and JSON).
    pub(crate) async fn read_all(&mut self) -> Result<Bytes, BodyError> {
        let mut out = BytesMut::new();
        while let Some(c) = self.chunk().await? {
            out.extend_from_slice(&c);
        }
        Ok(out.freeze())
    }
}

/// The headers of one part.
#[derive(Debug, Clone, Default)]
pub(crate) struct PartHeaders {
    pub(crate) name: String,
    pub(crate) filename: Option<String>,
}

/// A streaming `multipart/form-data` parser: `multer` over a [`BodyReader`], so the size
/// limit, the byte counts and the request's errors stay those of the reader.
///
/// `multer` pulls one network read at a time and hands part data on as it comes; the largest
/// chunk seen on either side is recorded as `max_buffered_bytes`.
pub(crate) struct Multipart {
    reader: Arc<tokio::sync::Mutex<BodyReader>>,
    stats: Arc<Stats>,
    parts: multer::Multipart<'static>,
    current: Option<multer::Field<'static>>,
}

/// The boundary of a `multipart/form-data` Content-Type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let mime = content_type.split(';').next()?.trim();
    if !mime.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    multer::parse_boundary(content_type).ok()
}

impl Multipart {
    pub(crate) fn new(reader: BodyReader, boundary: &str) -> Self {
        let stats = reader.stats.clone();
        let reader = Arc::new(tokio::sync::Mutex::new(reader));
        let source = reader.clone();
        let chunks = futures_util::stream::unfold(source, |source| async move {
            let next = source.lock().await.chunk().await;
            match next {
                Ok(Some(chunk)) => Some((Ok(chunk), source)),
                Ok(None) => None,
                Err(e) => Some((Err(e), source)),
            }
        });
        Multipart {
            reader,
            stats,
            parts: multer::Multipart::new(chunks, boundary),
            current: None,
        }
    }

    /// Drains what is left of the body after an error, as [`BodyReader::drain`] does.
    pub(crate) async fn drain(self) -> bool {
        let Multipart {
            reader,
            parts,
            current,
            ..
        } = self;
        drop(current);
        drop(parts);
        let mut reader = reader.lock().await;
        reader.drain().await
    }

    /// The next part's headers, `None` after the closing delimiter. The rest of the current
    /// part is skipped.
    pub(crate) async fn next_part(&mut self) -> Result<Option<PartHeaders>, BodyError> {
        self.current = None;
        let Some(field) = self.parts.next_field().await.map_err(body_error)? else {
            return Ok(None);
        };
        let headers = PartHeaders {
            name: field.name().unwrap_or_default().to_owned(),
            filename: field.file_name().map(str::to_owned),
        };
        self.current = Some(field);
        Ok(Some(headers))
    }

    /// The next data chunk of the current part, `None` at its end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>, BodyError> {
        let Some(field) = self.current.as_mut() else {
            return Ok(None);
        };
        let chunk = field.chunk().await.map_err(body_error)?;
        match &chunk {
            Some(c) => self.stats.buffered(c.len()),
            None => self.current = None,
        }
        Ok(chunk)
    }

    /// The current part's data as text (at most `max` bytes).
    pub(crate) async fn text(&mut self, max: usize) -> Result<String, BodyError> {
        let mut out = Vec::new();
        while let Some(c) = self.chunk().await? {
            if out.len() + c.len() > max {
                return Err(BodyError::Malformed(format!(
                    "form field longer than {max} bytes"
                )));
            }
            out.extend_from_slice(&c);
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

/// The reader's own error when reading failed, else a malformed-body error with multer's
/// description.
fn body_error(e: multer::Error) -> BodyError {
    match e {
        multer::Error::StreamReadFailed(source) => match source.downcast::<BodyError>() {
            Ok(own) => *own,
            Err(other) => BodyError::Malformed(format!("malformed multipart body: {other}")),
        },
        other => BodyError::Malformed(format!("malformed multipart body: {other}")),
    }
}

/// Form fields of a small body, urlencoded or multipart.
pub(crate) async fn read_form(
    reader: BodyReader,
    content_type: &str,
) -> Result<HashMap<String, String>, BodyError> {
    let mut fields = HashMap::new();
    if let Some(b) = boundary(content_type) {
        let mut mp = Multipart::new(reader, &b);
        while let Some(part) = mp.next_part().await? {
            let value = mp.text(1 << 20).await?;
            fields.insert(part.name, value);
        }
    } else {
        let mut reader = reader;
        let body = reader.read_all().await?;
        for (k, v) in url::form_urlencoded::parse(&body) {
            fields.insert(k.into_owned(), v.into_owned());
        }
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_boundaries() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"xyz\"").as_deref(),
            Some("xyz")
        );
        assert_eq!(
            boundary("Multipart/Form-Data; charset=utf-8; boundary=abc").as_deref(),
            Some("abc")
        );
        assert_eq!(boundary("application/json"), None);
        assert_eq!(boundary("multipart/mixed; boundary=abc"), None);
    }
}
