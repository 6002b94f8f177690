//! One feed package read as it streams: the HTTP body goes through a bzip2 decoder in
//! fixed-size steps and comes out as lines.
//!
//! Memory is bounded whatever the package size: the frame being decoded, one 64 KiB output
//! buffer and the line being assembled, which may not grow past the line limit. The total
//! decompressed size is capped too, so a bzip2 bomb stops at the limit instead of filling
//! the disk or the CPU for minutes. Concatenated bzip2 streams (what `cat a.bz2 b.bz2`
//! gives, and what parallel compressors write) are read one after the other.

use bytes::{Buf, Bytes};
use bzip2::{Decompress, Status};
use http_body_util::BodyExt;
use vt_transport::ResponseBody;

use crate::error::{Error, Result};

/// Output buffer of one decoding step.
const STEP: usize = 64 << 10;

/// Limits of one package's decompressed text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PackageLimits {
    /// Largest line, in bytes.
    pub(crate) max_line: u64,
    /// Largest decompressed package, in bytes.
    pub(crate) max_package: u64,
}

/// The lines of one package, decoded as the body arrives.
pub(crate) struct PackageLines {
    body: ResponseBody,
    /// The package's name, for errors (`files/202612030405`).
    name: String,
    limits: PackageLimits,
    decoder: Decompress,
    /// Compressed bytes received and not yet decoded.
    input: Bytes,
    /// Decoded bytes not yet split into lines: `out[start..end]`.
    out: Box<[u8]>,
    start: usize,
    end: usize,
    /// The line being assembled.
    line: Vec<u8>,
    /// Decompressed bytes so far.
    total: u64,
    /// Compressed bytes seen so far (an empty body is not a package).
    received: u64,
    /// The current bzip2 stream reached its end marker.
    stream_ended: bool,
    body_done: bool,
    finished: bool,
}

impl PackageLines {
    pub(crate) fn new(body: ResponseBody, name: String, limits: PackageLimits) -> Self {
        PackageLines {
            body,
            name,
            limits,
            decoder: Decompress::new(false),
            input: Bytes::new(),
            out: vec![0; STEP].into_boxed_slice(),
            start: 0,
            end: 0,
            line: Vec::new(),
            total: 0,
            received: 0,
            stream_ended: false,
            body_done: false,
            finished: false,
        }
    }

    fn damaged(&self, reason: impl Into<String>) -> Error {
        Error::FeedPackage {
            package: self.name.clone(),
            reason: reason.into(),
        }
    }

    fn too_large(&self, what: &'static str) -> Error {
        let limit = if what == "line" {
            self.limits.max_line
        } else {
            self.limits.max_package
        };
        Error::FeedTooLarge {
            package: self.name.clone(),
            what,
            limit,
        }
    }

    /// Appends `bytes` to the line being assembled, within the line limit.
    fn push_line(&mut self, from: usize, to: usize) -> Result<()> {
        if (self.line.len() + (to - from)) as u64 > self.limits.max_line {
            return Err(self.too_large("line"));
        }
        self.line.extend_from_slice(&self.out[from..to]);
        Ok(())
    }

    /// The next non-empty line (without its `\n` or `\r\n`), or `None` at the end of the
    /// package.
    pub(crate) async fn next_line(&mut self) -> Result<Option<Vec<u8>>> {
        loop {
            if self.finished {
                return Ok(None);
            }
            // 1. A line already decoded?
            if self.start < self.end {
                let (start, end) = (self.start, self.end);
                if let Some(k) = memchr::memchr(b'\n', &self.out[start..end]) {
                    self.push_line(start, start + k)?;
                    self.start = start + k + 1;
                    let mut line = std::mem::take(&mut self.line);
                    if line.last() == Some(&b'\r') {
                        line.pop();
                    }
                    if line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Ok(Some(line));
                }
                self.push_line(start, end)?;
                self.start = 0;
                self.end = 0;
            }
            // 2. More compressed input?
            if self.input.is_empty() && !self.body_done {
                match self.body.frame().await {
                    Some(Ok(frame)) => {
                        if let Ok(data) = frame.into_data() {
                            self.received += data.len() as u64;
                            self.input = data;
                        }
                        continue;
                    }
                    Some(Err(e)) => {
                        self.finished = true;
                        return Err(Error::Transport(e));
                    }
                    None => self.body_done = true,
                }
            }
            if self.input.is_empty() && self.body_done {
                self.finished = true;
                if self.received == 0 {
                    return Err(self.damaged("empty answer: not a bzip2 stream"));
                }
                if !self.stream_ended {
                    return Err(self.damaged(format!(
                        "truncated: the bzip2 stream ends after {} compressed bytes without its end marker",
                        self.received
                    )));
                }
                let line = std::mem::take(&mut self.line);
                if line.iter().all(u8::is_ascii_whitespace) {
                    return Ok(None);
                }
                return Ok(Some(line));
            }
            // 3. Decode one step.
            if self.stream_ended {
                // More bytes after a stream's end: a concatenated stream follows.
                self.decoder = Decompress::new(false);
                self.stream_ended = false;
            }
            let (in_before, out_before) = (self.decoder.total_in(), self.decoder.total_out());
            let status = self.decoder.decompress(&self.input, &mut self.out);
            let used = usize::try_from(self.decoder.total_in() - in_before).unwrap_or(0);
            let made = usize::try_from(self.decoder.total_out() - out_before).unwrap_or(0);
            self.input.advance(used.min(self.input.len()));
            self.end = made;
            self.start = 0;
            self.total += made as u64;
            match status {
                Ok(Status::StreamEnd) => self.stream_ended = true,
                Ok(_) if used == 0 && made == 0 => {
                    self.finished = true;
                    return Err(self.damaged("the bzip2 decoder made no progress"));
                }
                Ok(_) => {}
                Err(e) => {
                    self.finished = true;
                    return Err(self.damaged(format!("corrupt bzip2 data: {e}")));
                }
            }
            if self.total > self.limits.max_package {
                self.finished = true;
                return Err(self.too_large("package"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn bz2(text: &[u8]) -> Vec<u8> {
        let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        enc.write_all(text).unwrap();
        enc.finish().unwrap()
    }

    /// A body delivered in frames of `chunk` bytes.
    fn body(bytes: Vec<u8>, chunk: usize) -> ResponseBody {
        let frames: Vec<Result<http_body::Frame<Bytes>, vt_transport::BoxError>> = bytes
            .chunks(chunk.max(1))
            .map(|c| Ok(http_body::Frame::data(Bytes::copy_from_slice(c))))
            .collect();
        http_body_util::StreamBody::new(futures_util::stream::iter(frames)).boxed_unsync()
    }

    fn limits() -> PackageLimits {
        PackageLimits {
            max_line: 1 << 20,
            max_package: 1 << 30,
        }
    }

    async fn all(mut lines: PackageLines) -> Result<Vec<String>> {
        let mut out = Vec::new();
        while let Some(l) = lines.next_line().await? {
            out.push(String::from_utf8(l).unwrap());
        }
        Ok(out)
    }

    #[tokio::test]
    async fn lines_come_out_whatever_the_framing() {
        let text = b"{\"a\":1}\n\n{\"b\":2}\r\n{\"c\":3}";
        for chunk in [1, 3, 7, 1000] {
            let lines = PackageLines::new(body(bz2(text), chunk), "t".into(), limits());
            assert_eq!(
                all(lines).await.unwrap(),
                ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"]
            );
        }
    }

    #[tokio::test]
    async fn concatenated_streams_are_read_in_turn() {
        let mut data = bz2(b"1\n2\n");
        data.extend(bz2(b"3\n"));
        let lines = PackageLines::new(body(data, 5), "t".into(), limits());
        assert_eq!(all(lines).await.unwrap(), ["1", "2", "3"]);
    }

    #[tokio::test]
    async fn truncated_corrupt_and_empty_packages_are_errors() {
        let data = bz2(&b"{\"x\":\"yyyyyyyyyyyyyyyyyyyyyy\"}\n".repeat(2000));
        let cut = data[..data.len() / 2].to_vec();
        let err = all(PackageLines::new(
            body(cut, 100),
            "files/1".into(),
            limits(),
        ))
        .await
        .unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        let mut bad = data.clone();
        bad[40] ^= 0xff;
        bad[41] ^= 0xff;
        let err = all(PackageLines::new(
            body(bad, 100),
            "files/1".into(),
            limits(),
        ))
        .await
        .unwrap_err();
        assert!(err.is_bad_feed_package(), "{err}");
        let err = all(PackageLines::new(
            body(b"{\"plain\": 1}\n".to_vec(), 100),
            "files/1".into(),
            limits(),
        ))
        .await
        .unwrap_err();
        assert!(err.to_string().contains("corrupt"), "{err}");
        let err = all(PackageLines::new(body(Vec::new(), 1), "f".into(), limits()))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }

    #[tokio::test]
    async fn bombs_stop_at_the_limits() {
        // 8 MiB of zeros compresses to a few hundred bytes.
        let bomb = bz2(&vec![b'0'; 8 << 20]);
        assert!(bomb.len() < 100_000);
        let small = PackageLimits {
            max_line: 1 << 20,
            max_package: 1 << 30,
        };
        let err = all(PackageLines::new(
            body(bomb.clone(), 4096),
            "f".into(),
            small,
        ))
        .await
        .unwrap_err();
        assert!(
            matches!(err, Error::FeedTooLarge { what: "line", .. }),
            "{err}"
        );
        let lines = bz2(&b"0123456789\n".repeat(1 << 20));
        let small = PackageLimits {
            max_line: 1 << 20,
            max_package: 1 << 20,
        };
        let err = all(PackageLines::new(body(lines, 4096), "f".into(), small))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::FeedTooLarge { what: "package", limit, .. } if limit == 1 << 20),
            "{err}"
        );
    }
}
