//! Request bodies: a size-limited reader and a streaming `multipart/form-data` parser that
//! never holds more than one network read (plus a boundary's length) in memory.

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Preamble,
    AfterDelimiter,
    InPart,
    Done,
}

/// A streaming multipart parser.
pub(crate) struct Multipart {
    reader: BodyReader,
    delimiter: Vec<u8>,
    buf: BytesMut,
    state: State,
    eof: bool,
}

/// The boundary of a `multipart/form-data` Content-Type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        let p = hay[i..=hay.len() - needle.len()]
            .iter()
            .position(|&b| b == first)?;
        i += p;
        if &hay[i..i + needle.len()] == needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

impl Multipart {
    pub(crate) fn new(reader: BodyReader, boundary: &str) -> Self {
        let mut buf = BytesMut::with_capacity(64 * 1024);
        // The first delimiter has no leading CRLF; pretend it has.
        buf.extend_from_slice(b"\r\n");
        let mut delimiter = b"\r\n--".to_vec();
        delimiter.extend_from_slice(boundary.as_bytes());
        Multipart {
            reader,
            delimiter,
            buf,
            state: State::Preamble,
            eof: false,
        }
    }

    pub(crate) fn into_reader(self) -> BodyReader {
        self.reader
    }

    async fn fill(&mut self) -> Result<bool, BodyError> {
        if self.eof {
            return Ok(false);
        }
        match self.reader.chunk().await? {
            Some(c) => {
                self.buf.extend_from_slice(&c);
                self.reader.stats.buffered(self.buf.len());
                Ok(true)
            }
            None => {
                self.eof = true;
                Ok(false)
            }
        }
    }

    fn malformed(msg: &str) -> BodyError {
        BodyError::Malformed(format!("malformed multipart body: {msg}"))
    }

    /// The next part's headers, `None` after the closing delimiter.
    pub(crate) async fn next_part(&mut self) -> Result<Option<PartHeaders>, BodyError> {
        loop {
            match self.state {
                State::Done => return Ok(None),
                State::InPart => while self.chunk().await?.is_some() {},
                State::Preamble => {
                    if let Some(i) = find(&self.buf, &self.delimiter) {
                        let _ = self.buf.split_to(i + self.delimiter.len());
                        self.state = State::AfterDelimiter;
                    } else {
                        let keep = self.delimiter.len();
                        if self.buf.len() > keep {
                            let _ = self.buf.split_to(self.buf.len() - keep);
                        }
                        if !self.fill().await? {
                            return Err(Self::malformed("no boundary found"));
                        }
                    }
                }
                State::AfterDelimiter => {
                    while self.buf.len() < 2 {
                        if !self.fill().await? {
                            return Err(Self::malformed("truncated after a boundary"));
                        }
                    }
                    if self.buf.starts_with(b"--") {
                        self.state = State::Done;
                        return Ok(None);
                    }
                    let end = loop {
                        if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                            break i;
                        }
                        if self.buf.len() > 16 * 1024 {
                            return Err(Self::malformed("part headers longer than 16 KiB"));
                        }
                        if !self.fill().await? {
                            return Err(Self::malformed("truncated part headers"));
                        }
                    };
                    let head = self.buf.split_to(end + 4);
                    let text = String::from_utf8_lossy(&head);
                    self.state = State::InPart;
                    return Ok(Some(parse_part_headers(&text)));
                }
            }
        }
    }

    /// The next data chunk of the current part, `None` at its end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>, BodyError> {
        if self.state != State::InPart {
            return Ok(None);
        }
        loop {
            if let Some(i) = find(&self.buf, &self.delimiter) {
                if i > 0 {
                    return Ok(Some(self.buf.split_to(i).freeze()));
                }
                let _ = self.buf.split_to(self.delimiter.len());
                self.state = State::AfterDelimiter;
                return Ok(None);
            }
            let keep = self.delimiter.len() - 1;
            if self.buf.len() > keep {
                return Ok(Some(self.buf.split_to(self.buf.len() - keep).freeze()));
            }
            if !self.fill().await? {
                return Err(Self::malformed("body ended inside a part"));
            }
        }
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

fn parse_part_headers(text: &str) -> PartHeaders {
    let mut h = PartHeaders::default();
    for line in text.split("\r\n") {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if !name.trim().eq_ignore_ascii_case("content-disposition") {
            continue;
        }
        for param in split_params(value) {
            if let Some((k, v)) = param.split_once('=') {
                let v = v.trim().trim_matches('"').to_owned();
                match k.trim().to_ascii_lowercase().as_str() {
                    "name" => h.name = v,
                    "filename" => h.filename = Some(v),
                    _ => {}
                }
            }
        }
    }
    h
}

/// Splits `form-data; name="a;b"; filename="x"` on semicolons outside quotes.
fn split_params(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
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
    fn finds_needles() {
        assert_eq!(find(b"abc\r\n--x", b"\r\n--x"), Some(3));
        assert_eq!(find(b"\r\r\n--", b"\r\n--"), Some(1));
        assert_eq!(find(b"abc", b"abcd"), None);
    }

    #[test]
    fn parses_boundaries_and_headers() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"xyz\"").as_deref(),
            Some("xyz")
        );
        assert_eq!(boundary("application/json"), None);
        let h = parse_part_headers(
            "Content-Disposition: form-data; name=\"file\"; filename=\"a;b.exe\"\r\nContent-Type: x\r\n\r\n",
        );
        assert_eq!(h.name, "file");
        assert_eq!(h.filename.as_deref(), Some("a;b.exe"));
    }
}
