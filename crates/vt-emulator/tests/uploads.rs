//! Streaming uploads: a large sparse file goes through an upload URL without the emulator
//! ever holding more than a network read of it in memory.

mod common;

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use common::Http;
use http::{Method, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use tokio::io::{AsyncRead, ReadBuf};
use vt_emulator::{AnalysisTiming, DEFAULT_PREMIUM_KEY as PREMIUM, Emulator};

/// 64 MiB: twice the direct-upload limit (bigger only makes the debug-build test slower).
const SIZE: u64 = 64 * 1024 * 1024;
// Hashes of 64 MiB of zero bytes.
const SHA256: &str = "3b6a07d0d404fab4e23b6d34bc6696a6a312dd92821332385e5af7c01c421351";
const MD5: &str = "7f614da9329cd3aebf59b91aadc30bf0";
const SHA1: &str = "44fac4bedde4df04b9572ac665d3ac2c5cd00c7d";
const BOUNDARY: &str = "streamingboundary1234";

/// prefix, then the file in 256 KiB reads, then the closing boundary.
struct MultipartFile {
    prefix: Option<Bytes>,
    file: Option<tokio::fs::File>,
    suffix: Option<Bytes>,
    buf: Vec<u8>,
    remaining: u64,
}

impl Body for MultipartFile {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if let Some(p) = this.prefix.take() {
            return Poll::Ready(Some(Ok(Frame::data(p))));
        }
        if let Some(f) = this.file.as_mut() {
            let mut rb = ReadBuf::new(&mut this.buf);
            ready!(Pin::new(f).poll_read(cx, &mut rb))?;
            let n = rb.filled().len();
            if n > 0 {
                this.remaining -= n as u64;
                return Poll::Ready(Some(Ok(Frame::data(Bytes::copy_from_slice(rb.filled())))));
            }
            this.file = None;
        }
        Poll::Ready(this.suffix.take().map(|s| Ok(Frame::data(s))))
    }

    fn size_hint(&self) -> SizeHint {
        let p = self.prefix.as_ref().map_or(0, |b| b.len() as u64);
        let s = self.suffix.as_ref().map_or(0, |b| b.len() as u64);
        SizeHint::with_exact(p + self.remaining + s)
    }
}

#[tokio::test]
async fn a_large_sparse_file_streams_through_an_upload_url() {
    let emu = Emulator::builder()
        .small_dataset()
        .files(2)
        .analysis(AnalysisTiming::IMMEDIATE)
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let tmp = tempfile::NamedTempFile::new().unwrap();
    tmp.as_file().set_len(SIZE).unwrap();

    let u = http
        .get(
            &format!("{}/files/upload_url", emu.api_url()),
            Some(PREMIUM),
        )
        .await
        .json();
    let upload_url = u["data"].as_str().unwrap().to_owned();
    let prefix = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"zeros.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    );
    let body = MultipartFile {
        prefix: Some(Bytes::from(prefix)),
        file: Some(tokio::fs::File::open(tmp.path()).await.unwrap()),
        suffix: Some(Bytes::from(format!("\r\n--{BOUNDARY}--\r\n"))),
        buf: vec![0; 256 * 1024],
        remaining: SIZE,
    };
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let r = http
        .send(
            Method::POST,
            &upload_url,
            Some(PREMIUM),
            &[("content-type", &ct)],
            body.boxed(),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{:?}",
        String::from_utf8_lossy(&r.body)
    );
    let analysis = r.json()["data"]["id"].as_str().unwrap().to_owned();

    let v = http
        .get(
            &format!("{}/analyses/{analysis}", emu.api_url()),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(v["meta"]["file_info"]["sha256"], SHA256);
    assert_eq!(v["meta"]["file_info"]["md5"], MD5);
    assert_eq!(v["meta"]["file_info"]["sha1"], SHA1);
    assert_eq!(v["meta"]["file_info"]["size"], SIZE);

    let stats = emu.stats();
    assert!(stats.bytes_in > SIZE);
    assert!(stats.max_buffered_bytes > 0);
    assert!(
        stats.max_buffered_bytes < 4 * 1024 * 1024,
        "buffered {} bytes",
        stats.max_buffered_bytes
    );

    // The stored bytes come back, streamed from disk.
    let r = http
        .get(
            &format!("{}/files/{SHA256}/download", emu.api_url()),
            Some(PREMIUM),
        )
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    let bytes = http.get(r.header("location").unwrap(), None).await;
    assert_eq!(
        bytes.header("content-length"),
        Some(SIZE.to_string().as_str())
    );
    assert_eq!(bytes.body.len() as u64, SIZE);
    assert!(bytes.body.iter().step_by(4096).all(|b| *b == 0));
    emu.shutdown().await;
}

/// A body of unknown length (sent chunked) made of `n` chunks of `size` bytes.
struct Chunked {
    left: usize,
    chunk: Bytes,
    prefix: Option<Bytes>,
}

impl Body for Chunked {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if let Some(p) = this.prefix.take() {
            return Poll::Ready(Some(Ok(Frame::data(p))));
        }
        if this.left == 0 {
            return Poll::Ready(None);
        }
        this.left -= 1;
        Poll::Ready(Some(Ok(Frame::data(this.chunk.clone()))))
    }
}

#[tokio::test]
async fn chunked_bodies_over_the_limit_get_413_mid_stream_and_leave_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::builder()
        .small_dataset()
        .files(1)
        .data_dir(dir.path())
        .configure(|c| c.direct_upload_limit = 1024 * 1024)
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let prefix = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\n"
    );
    let body = Chunked {
        left: 64,
        chunk: Bytes::from(vec![1u8; 32 * 1024]),
        prefix: Some(Bytes::from(prefix)),
    };
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let r = http
        .send(
            Method::POST,
            &format!("{}/files", emu.api_url()),
            Some(PREMIUM),
            &[("content-type", &ct)],
            body.boxed(),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.error_code(), "BadRequestError");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    emu.shutdown().await;
}

#[tokio::test]
async fn the_shutdown_route_stops_the_server() {
    let mut emu = Emulator::builder()
        .small_dataset()
        .files(1)
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let r = http
        .send(
            Method::POST,
            &format!("{}/_emulator/shutdown", emu.base_url()),
            None,
            &[],
            common::full(Vec::new()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    tokio::time::timeout(std::time::Duration::from_secs(30), emu.wait())
        .await
        .expect("server did not stop");
    let after = http
        .try_send(
            Method::GET,
            &format!("{}/_emulator/stats", emu.base_url()),
            None,
            &[],
            common::full(Vec::new()),
        )
        .await;
    assert!(after.is_err(), "still answering: {after:?}");
}
