//! Issue 7, item 2: hostile and malformed responses, table-driven, against raw tokio TCP
//! servers on 127.0.0.1 (no HTTP library on the server side, so the bytes are exactly the
//! hostile ones). Every case: a typed [`vt_api::Error`] (or a lossless parse), no panic, and
//! an answer within a bounded time (a hang detector, not a timing assertion) with short
//! client timeouts and a 1 MiB JSON body cap.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use vt_api::{Client, DownloadOptions, Error};
use vt_model::FileHash;

const KEY: &str = "hostile-test-key-5e3d";
const HASH: &str = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
const CAP: usize = 1 << 20;

/// What a raw server answers to every request.
#[derive(Clone)]
enum Answer {
    /// These exact bytes, then close.
    Raw(Vec<u8>),
    /// `Content-Length: 2147483648`, 10 bytes, then silence (connection kept open).
    HugeLengthNeverArrives,
    /// A chunked JSON body that never ends.
    EndlessChunked,
    /// `Content-Encoding: gzip` of 1 GiB of zeros.
    GzipBomb,
    /// 302 to the very same URL, forever.
    RedirectLoop,
    /// 302 to this absolute URL.
    RedirectTo(String),
}

/// Requests a server saw: the request heads, lower-cased.
type Seen = Arc<Mutex<Vec<String>>>;

async fn serve(addr: &str, answer: Answer) -> (String, Seen) {
    let listener = TcpListener::bind(addr).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let seen2 = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let answer = answer.clone();
            let seen = seen2.clone();
            tokio::spawn(async move {
                let _ = handle(sock, answer, seen).await;
            });
        }
    });
    (base, seen)
}

async fn read_head(sock: &mut TcpStream) -> std::io::Result<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if sock.read(&mut byte).await? == 0 {
            break;
        }
        head.push(byte[0]);
        if head.len() > 64 * 1024 {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&head).to_lowercase())
}

async fn handle(mut sock: TcpStream, answer: Answer, seen: Seen) -> std::io::Result<()> {
    loop {
        let head = read_head(&mut sock).await?;
        if head.is_empty() {
            return Ok(());
        }
        let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
        seen.lock().unwrap().push(head);
        match &answer {
            Answer::Raw(bytes) => {
                sock.write_all(bytes).await?;
                sock.shutdown().await?;
                return Ok(());
            }
            Answer::HugeLengthNeverArrives => {
                sock.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                      Content-Length: 2147483648\r\n\r\n{\"data\": ",
                )
                .await?;
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return Ok(());
            }
            Answer::EndlessChunked => {
                sock.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                      Transfer-Encoding: chunked\r\n\r\n0a\r\n{\"data\": [\r\n",
                )
                .await?;
                let chunk = {
                    let payload = "0,".repeat(8192);
                    format!("{:x}\r\n{payload}\r\n", payload.len()).into_bytes()
                };
                loop {
                    sock.write_all(&chunk).await?;
                }
            }
            Answer::GzipBomb => {
                let body = gzip_bomb();
                sock.write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                         Content-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    )
                    .as_bytes(),
                )
                .await?;
                sock.write_all(body).await?;
            }
            Answer::RedirectLoop => {
                sock.write_all(
                    format!("HTTP/1.1 302 Found\r\nLocation: {path}\r\nContent-Length: 0\r\n\r\n")
                        .as_bytes(),
                )
                .await?;
            }
            Answer::RedirectTo(url) => {
                sock.write_all(
                    format!("HTTP/1.1 302 Found\r\nLocation: {url}\r\nContent-Length: 0\r\n\r\n")
                        .as_bytes(),
                )
                .await?;
            }
        }
    }
}

/// A gzip member of 1 GiB of zeros: one literal zero, then length-258/distance-1 copies in
/// a fixed-Huffman deflate block (13 bits per 258 bytes: about 6.8 MB). Built once.
fn gzip_bomb() -> &'static [u8] {
    static BOMB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BOMB.get_or_init(|| {
        struct Bits {
            out: Vec<u8>,
            acc: u64,
            n: u32,
        }
        impl Bits {
            fn lsb(&mut self, value: u64, count: u32) {
                self.acc |= value << self.n;
                self.n += count;
                while self.n >= 8 {
                    self.out.push(self.acc as u8);
                    self.acc >>= 8;
                    self.n -= 8;
                }
            }
            /// A Huffman code: most significant bit first.
            fn code(&mut self, code: u64, len: u32) {
                let mut rev = 0;
                for i in 0..len {
                    rev |= ((code >> i) & 1) << (len - 1 - i);
                }
                self.lsb(rev, len);
            }
        }
        let total: u64 = 1 << 30;
        let mut b = Bits {
            out: vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255],
            acc: 0,
            n: 0,
        };
        b.lsb(1, 1); // BFINAL
        b.lsb(1, 2); // fixed Huffman
        b.code(0x30, 8); // literal 0
        let copies = (total - 1) / 258;
        for _ in 0..copies {
            b.code(0b1100_0101, 8); // length 258 (symbol 285)
            b.code(0, 5); // distance 1
        }
        let rest = (total - 1) - copies * 258;
        for _ in 0..rest {
            b.code(0x30, 8);
        }
        b.code(0, 7); // end of block
        b.lsb(0, 7); // flush to a byte
        let mut out = b.out;
        out.extend_from_slice(&0u32.to_le_bytes()); // CRC (never reached)
        out.extend_from_slice(&((total & 0xffff_ffff) as u32).to_le_bytes());
        out
    })
}

fn client(base: &str) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(base)
        .rate_limit(vt_api::transport::RateLimitSpec::none())
        .max_retries(0)
        .connect_timeout(Duration::from_secs(2))
        .response_timeout(Duration::from_secs(3))
        .idle_timeout(Duration::from_secs(1))
        .max_json_body(CAP)
        .build()
        .unwrap()
}

fn http(status: &str, content_type: &str, body: &[u8]) -> Answer {
    let mut v = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    v.extend_from_slice(body);
    Answer::Raw(v)
}

const REPORT: &str = r#"{"data": {"type": "file", "id": "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f", "attributes": {"size": 68}}}"#;

/// Looks the file up against a server answering `answer`; panics on a hang.
async fn lookup(answer: Answer) -> Result<vt_model::FileReport, Error> {
    let (base, _) = serve("127.0.0.1:0", answer).await;
    let c = client(&base);
    let hash: FileHash = HASH.parse().unwrap();
    tokio::time::timeout(Duration::from_secs(60), c.files().report(&hash))
        .await
        .expect("the client hung")
}

/// The same lookup through `report_json` (the report's text, validated but not decoded, as
/// `vt file` prints it).
async fn lookup_json(answer: Answer) -> Result<vt_api::raw_json::RawJson, Error> {
    let (base, _) = serve("127.0.0.1:0", answer).await;
    let c = client(&base);
    let hash: FileHash = HASH.parse().unwrap();
    tokio::time::timeout(Duration::from_secs(60), c.files().report_json(&hash))
        .await
        .expect("the client hung")
}

fn assert_typed<T>(case: &str, r: &Result<T, Error>) {
    let e = r
        .as_ref()
        .err()
        .unwrap_or_else(|| panic!("{case}: parsed a hostile answer"));
    let text = e.to_string();
    let source = std::error::Error::source(e).map(ToString::to_string);
    eprintln!("{case}: {text} (source: {source:?})");
    assert!(!text.is_empty(), "{case}");
    assert!(!text.contains(KEY), "{case}: {text}");
    assert!(text.lines().count() <= 1, "{case}: one line: {text:?}");
}

fn malformed_answers() -> Vec<(&'static str, Answer)> {
    let nested = format!(
        "{{\"data\": {{\"type\": \"file\", \"id\": \"{HASH}\", \"attributes\": {{\"x\": {}{}}}}}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let cases: Vec<(&str, Answer)> = vec![
        (
            "truncated JSON",
            http("200 OK", "application/json", &REPORT.as_bytes()[..40]),
        ),
        (
            "HTML with 200",
            http("200 OK", "text/html", b"<html><body>Login</body></html>"),
        ),
        (
            "HTML with 502",
            http(
                "502 Bad Gateway",
                "text/html",
                b"<html>502 Bad Gateway</html>",
            ),
        ),
        (
            "data is an array",
            http("200 OK", "application/json", b"{\"data\": [1, 2, 3]}"),
        ),
        (
            "data is a string",
            http("200 OK", "application/json", b"{\"data\": \"file\"}"),
        ),
        ("no data at all", http("200 OK", "application/json", b"{}")),
        ("empty body", http("200 OK", "application/json", b"")),
        (
            "deeply nested JSON",
            http("200 OK", "application/json", nested.as_bytes()),
        ),
        (
            "invalid UTF-8",
            http(
                "200 OK",
                "application/json",
                b"{\"data\": {\"type\": \"file\", \"id\": \"\xff\xfe\", \"attributes\": {}}}",
            ),
        ),
        (
            "error body with 200 status garbage",
            http("200 OK", "application/json", b"\x00\x01\x02"),
        ),
        ("closed without an answer", Answer::Raw(Vec::new())),
        (
            "garbage status line",
            Answer::Raw(b"HTTP/1.1 abc\r\n\r\n".to_vec()),
        ),
        (
            "2 GB Content-Length that never arrives",
            Answer::HugeLengthNeverArrives,
        ),
        ("endless chunked JSON", Answer::EndlessChunked),
        ("gzip bomb: 1 GiB of zeros", Answer::GzipBomb),
        ("redirect loop", Answer::RedirectLoop),
    ];
    cases
}

#[tokio::test]
async fn malformed_answers_are_typed_errors() {
    for (case, answer) in malformed_answers() {
        let r = lookup(answer).await;
        assert_typed(case, &r);
    }
}

#[tokio::test]
async fn malformed_answers_are_typed_errors_for_reports_as_received_too() {
    for (case, answer) in malformed_answers() {
        let r = lookup_json(answer).await;
        assert_typed(case, &r);
    }
    // And a good answer is the `data` object's text, exactly as sent.
    let r = lookup_json(http("200 OK", "application/json", REPORT.as_bytes()))
        .await
        .unwrap();
    assert!(REPORT.contains(r.get()), "{}", r.get());
    assert!(r.get().starts_with("{\"type\": \"file\""), "{}", r.get());
}

#[tokio::test]
async fn html_502_is_an_unexpected_status_not_a_decode_error() {
    let r = lookup(http(
        "502 Bad Gateway",
        "text/html",
        b"<html>502 Bad Gateway</html>",
    ))
    .await;
    match r {
        Err(Error::UnexpectedStatus { status, snippet }) => {
            assert_eq!(status.as_u16(), 502);
            assert!(snippet.contains("502"), "{snippet}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_json_body_over_the_cap_is_refused_without_reading_it_all() {
    // 2 MiB of valid JSON against a 1 MiB cap.
    let big = format!(
        "{{\"data\": {{\"type\": \"file\", \"id\": \"{HASH}\", \"attributes\": {{\"pad\": \"{}\"}}}}}}",
        "x".repeat(2 << 20)
    );
    let r = lookup(http("200 OK", "application/json", big.as_bytes())).await;
    assert_typed("2 MiB body, 1 MiB cap", &r);
}

#[tokio::test]
async fn wrong_content_type_with_valid_json_still_parses() {
    let r = lookup(http("200 OK", "text/plain", REPORT.as_bytes())).await;
    let report = r.expect("a JSON body labelled text/plain");
    assert_eq!(report.id.as_str(), HASH);
}

#[tokio::test]
async fn unknown_enum_values_parse_losslessly() {
    let body = format!(
        r#"{{"data": {{"type": "file", "id": "{HASH}", "attributes": {{
            "last_analysis_results": {{"NewEngine": {{"category": "brand-new-category",
                "engine_name": "NewEngine", "method": "quantum", "result": null}}}},
            "last_analysis_stats": {{"malicious": 1, "brand-new-stat": 7}},
            "sandbox_verdicts": {{"S": {{"category": "new-verdict-kind", "sandbox_name": "S"}}}},
            "a_field_from_the_future": {{"nested": [1, 2, 3]}}
        }}}}}}"#
    );
    let report = lookup(http("200 OK", "application/json", body.as_bytes()))
        .await
        .expect("unknown values are not errors");
    let back = serde_json::to_string(&report).unwrap();
    for s in [
        "brand-new-category",
        "quantum",
        "brand-new-stat",
        "new-verdict-kind",
        "a_field_from_the_future",
    ] {
        assert!(back.contains(s), "{s} lost in {back}");
    }
}

#[tokio::test]
async fn a_download_redirected_to_another_host_never_carries_the_key() {
    // The other host: 127.0.0.2 (loopback, another address), serving the bytes.
    let (other, other_seen) = serve(
        "127.0.0.2:0",
        http("200 OK", "application/octet-stream", b"file bytes"),
    )
    .await;
    let (base, seen) = serve(
        "127.0.0.1:0",
        Answer::RedirectTo(format!("{other}/_download/signed-token")),
    )
    .await;
    let c = client(&base);
    let hash: FileHash = HASH.parse().unwrap();
    let mut out = Vec::new();
    let r = tokio::time::timeout(
        Duration::from_secs(30),
        c.files()
            .download_to_writer(&hash, &mut out, DownloadOptions::default()),
    )
    .await
    .expect("hung");
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .all(|h| h.contains(&KEY.to_lowercase())),
        "the API host gets the key"
    );
    for head in other_seen.lock().unwrap().iter() {
        assert!(
            !head.contains(&KEY.to_lowercase()),
            "key sent to the other host: {head}"
        );
        assert!(
            !head.contains("x-apikey"),
            "x-apikey sent to the other host: {head}"
        );
    }
    if let Err(e) = &r {
        assert!(!e.to_string().contains(KEY));
    } else {
        assert_eq!(out, b"file bytes");
    }
}

#[tokio::test]
async fn a_download_cut_mid_stream_is_an_error() {
    // Headers promise 1 MiB; 1 KiB arrives; the connection closes.
    let mut raw = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1048576\r\n\r\n".to_vec();
    raw.extend(std::iter::repeat_n(b'z', 1024));
    let (base, _) = serve("127.0.0.1:0", Answer::Raw(raw)).await;
    let c = client(&base);
    let hash: FileHash = HASH.parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out.bin");
    let r = tokio::time::timeout(
        Duration::from_secs(30),
        c.files()
            .download_to_path(&hash, &dest, DownloadOptions::default()),
    )
    .await
    .expect("hung");
    assert!(r.is_err(), "a cut download is an error: {r:?}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// bzip2 of `text`.
fn bz2(text: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    enc.write_all(text).unwrap();
    enc.finish().unwrap()
}

/// Issue 11: hostile feed packages. Each is a typed feed error (or the transport's), no
/// panic, bounded in time and memory (the decoder works in 64 KiB steps under the line and
/// package caps).
#[tokio::test]
async fn hostile_feed_packages_are_typed_errors() {
    use futures_util::TryStreamExt;
    use vt_api::feeds::FeedEnd;
    use vt_model::{AnyObject, FeedCursor, FeedKind};

    let item = br#"{"type": "file", "id": "abc", "attributes": {}}"#;
    let good = bz2(&[&item[..], b"\n"].concat().repeat(200));
    let mut corrupt = good.clone();
    let mid = corrupt.len() / 2;
    for b in &mut corrupt[mid..mid + 16] {
        *b ^= 0x5a;
    }
    let mut bad_line = item.to_vec();
    bad_line.extend_from_slice(b"\n{\"type\": \"file\", \"id\": \n");
    let bz = "application/x-bzip2";
    /// A case: its name, the answer, the package cap, what the error must be.
    type Case = (&'static str, Answer, u64, fn(&Error) -> bool);
    let cases: Vec<Case> = vec![
        (
            "truncated bz2",
            http("200 OK", bz, &good[..good.len() / 2]),
            u64::MAX,
            |e| matches!(e, Error::FeedPackage { reason, .. } if reason.contains("truncated")),
        ),
        ("corrupt bz2", http("200 OK", bz, &corrupt), u64::MAX, |e| {
            matches!(e, Error::FeedPackage { .. })
        }),
        (
            "not bz2 at all (a JSON error body with 200)",
            http("200 OK", "application/json", br#"{"error": {"code": "x"}}"#),
            u64::MAX,
            |e| matches!(e, Error::FeedPackage { reason, .. } if reason.contains("corrupt")),
        ),
        ("empty body", http("200 OK", bz, b""), u64::MAX, |e| {
            matches!(e, Error::FeedPackage { .. })
        }),
        (
            "bz2 bomb: one 40 MiB line",
            http("200 OK", bz, &bz2(&vec![b'0'; 40 << 20])),
            u64::MAX,
            |e| matches!(e, Error::FeedTooLarge { what: "line", .. }),
        ),
        (
            "bz2 bomb: many lines past the package cap",
            http(
                "200 OK",
                bz,
                &bz2(&[&item[..], b"\n"].concat().repeat(200_000)),
            ),
            8 << 20,
            |e| {
                matches!(
                    e,
                    Error::FeedTooLarge {
                        what: "package",
                        ..
                    } | Error::FeedLine { .. }
                )
            },
        ),
        (
            "a line that is not JSON",
            http("200 OK", bz, &bz2(&bad_line)),
            u64::MAX,
            |e| matches!(e, Error::FeedLine { line: 2, .. }),
        ),
        (
            "endless chunked body",
            Answer::EndlessChunked,
            u64::MAX,
            |e| e.is_bad_feed_package() || e.is_transport(),
        ),
        (
            "2 GB Content-Length that never arrives",
            Answer::HugeLengthNeverArrives,
            u64::MAX,
            |e| e.is_bad_feed_package() || e.is_transport(),
        ),
    ];
    for (case, answer, package_cap, expected) in cases {
        let (base, _) = serve("127.0.0.1:0", answer).await;
        let c = client(&base);
        let minute = "202612030400".parse().unwrap();
        let mut feed = c
            .feeds()
            .stream(FeedKind::Files, FeedCursor::at(minute))
            .end(FeedEnd::At(minute));
        if package_cap != u64::MAX {
            feed = feed.max_package_bytes(package_cap);
        }
        let r: Result<Vec<AnyObject>, Error> =
            tokio::time::timeout(Duration::from_secs(60), feed.try_collect())
                .await
                .unwrap_or_else(|_| panic!("{case}: the client hung"));
        assert_typed(case, &r);
        let err = r.unwrap_err();
        assert!(expected(&err), "{case}: {err:?}");
    }
}

/// The same hostile answers to the private-scan calls (issue 11): a private report, a private
/// analysis and MITRE trees are typed errors too, never a panic or a hang.
#[tokio::test]
async fn malformed_answers_to_private_and_sandbox_calls_are_typed_errors() {
    for (case, answer) in malformed_answers() {
        let (base, _) = serve("127.0.0.1:0", answer).await;
        let c = client(&base);
        let hash: FileHash = HASH.parse().unwrap();
        let id: vt_model::AnalysisId = "aWQ6MTcwMDAwMDAwMA==".parse().unwrap();
        let bound = Duration::from_secs(60);
        let r = tokio::time::timeout(bound, c.private().file(&hash))
            .await
            .expect("the client hung");
        assert_typed(case, &r);
        let r = tokio::time::timeout(bound, c.private().analysis(&id))
            .await
            .expect("the client hung");
        assert_typed(case, &r);
        let r = tokio::time::timeout(bound, c.files().behaviour_mitre_trees(&hash))
            .await
            .expect("the client hung");
        assert_typed(case, &r);
    }
}

/// A ZIP bundle the server keeps "creating" forever (or answers with garbage, or a status it
/// gave up on): `wait_zip` ends with a typed one-line error within its timeout.
#[tokio::test]
async fn a_zip_that_never_completes_or_makes_no_sense_is_a_typed_error_in_bounded_time() {
    let creating = br#"{"data": {"type": "zip_file", "id": "z", "attributes": {"status": "creating", "progress": 7}}}"#;
    type Expected = fn(&Error) -> bool;
    let cases: Vec<(&str, Answer, Expected)> = vec![
        ("forever creating", http("200 OK", "application/json", creating), |e| {
            matches!(e, Error::ZipTimeout { progress: 7, .. })
        }),
        (
            "gave up",
            http(
                "200 OK",
                "application/json",
                br#"{"data": {"type": "zip_file", "id": "z", "attributes": {"status": "timeout"}}}"#,
            ),
            |e| matches!(e, Error::ZipFailed { status, .. } if status == "timeout"),
        ),
        (
            "progress is not a number",
            http(
                "200 OK",
                "application/json",
                br#"{"data": {"type": "zip_file", "id": "z", "attributes": {"status": "creating", "progress": "lots"}}}"#,
            ),
            |e| matches!(e, Error::ZipTimeout { progress: 0, .. }),
        ),
        ("not JSON", http("200 OK", "application/json", b"<html>"), |e| {
            matches!(e, Error::Decode { .. })
        }),
    ];
    for (case, answer, expected) in cases {
        let (base, _) = serve("127.0.0.1:0", answer).await;
        let c = client(&base);
        let options = vt_api::WaitOptions::new()
            .intervals(Duration::from_millis(10), Duration::from_millis(20))
            .timeout(Duration::from_millis(200));
        let r = tokio::time::timeout(
            Duration::from_secs(30),
            c.intelligence().wait_zip("z", options, |_| {}),
        )
        .await
        .expect("the client hung");
        assert_typed(case, &r);
        let e = r.unwrap_err();
        assert!(expected(&e), "{case}: {e:?}");
    }
}

/// A search cursor the server refuses, and a search page that is no collection: typed.
#[tokio::test]
async fn a_refused_search_cursor_and_a_broken_search_page_are_typed_errors() {
    use futures_util::TryStreamExt;
    let refused = http(
        "400 Bad Request",
        "application/json",
        br#"{"error": {"code": "InvalidArgumentError", "message": "Invalid cursor"}}"#,
    );
    let (base, _) = serve("127.0.0.1:0", refused).await;
    let c = client(&base);
    let r = tokio::time::timeout(
        Duration::from_secs(30),
        c.intelligence().search("p:1+").start_at("stale").try_next(),
    )
    .await
    .expect("hung");
    assert_typed("refused cursor", &r);
    assert_eq!(
        r.unwrap_err().api_code().map(|c| c.as_str().to_owned()),
        Some("InvalidArgumentError".to_owned())
    );
    let (base, _) = serve(
        "127.0.0.1:0",
        http("200 OK", "application/json", br#"{"data": "not a list"}"#),
    )
    .await;
    let c = client(&base);
    let r = tokio::time::timeout(
        Duration::from_secs(30),
        c.intelligence().search("p:1+").try_next(),
    )
    .await
    .expect("hung");
    assert_typed("data is a string", &r);
}

/// Collections and the IoC stream (issue 12): every malformed answer to a collection read
/// and to an IoC stream page is a typed one-line error (an IoC stream answer without `data`
/// may read as an empty page, never as invented items).
#[tokio::test]
async fn hostile_collection_and_ioc_stream_answers_are_typed_errors() {
    use futures_util::TryStreamExt;
    for (case, answer) in malformed_answers() {
        let (base, _) = serve("127.0.0.1:0", answer.clone()).await;
        let c = client(&base);
        let r = tokio::time::timeout(Duration::from_secs(60), c.collections().get("c1"))
            .await
            .expect("the client hung");
        assert_typed(case, &r);
        let (base, _) = serve("127.0.0.1:0", answer).await;
        let c = client(&base);
        let page = c.ioc_stream().list().limit(5);
        let r = tokio::time::timeout(Duration::from_secs(60), page.try_collect::<Vec<_>>())
            .await
            .expect("the client hung");
        match r {
            Ok(items) => assert!(items.is_empty(), "{case}: invented {items:?}"),
            Err(_) => assert_typed(case, &r),
        }
    }
}

/// A 409 behind a proxy's HTML page is still a conflict; an IoC stream item whose
/// `context_attributes` are not an object parses, and its notification reads as absent.
#[tokio::test]
async fn a_conflict_without_a_json_body_and_garbled_notification_context() {
    let (base, _) = serve(
        "127.0.0.1:0",
        http("409 Conflict", "text/html", b"<html>conflict</html>"),
    )
    .await;
    let update = vt_api::collections::CollectionUpdate::new().name("x");
    let err = client(&base)
        .collections()
        .update("c1", &update)
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    let body = br#"{"data": [{"type": "file", "id": "ab", "attributes": {}, "context_attributes": "garbage"},
        {"type": "url", "id": "u", "context_attributes": {"origin": 5, "sources": "x"}}]}"#;
    let (base, _) = serve("127.0.0.1:0", http("200 OK", "application/json", body)).await;
    let items: Vec<vt_model::AnyObject> = {
        use futures_util::TryStreamExt;
        client(&base)
            .ioc_stream()
            .list()
            .try_collect()
            .await
            .unwrap()
    };
    assert_eq!(items.len(), 2);
    assert!(vt_model::IocStreamContext::of(&items[0]).is_none());
    let second = vt_model::IocStreamContext::of(&items[1]).unwrap();
    assert!(
        second.origin.is_none() && second.sources.is_none(),
        "{second:?}"
    );
    assert!(
        second.extra.contains_key("origin"),
        "mistyped members are kept"
    );
}
/// Livehunt: every malformed answer to a ruleset, a notification and a ruleset creation is a
/// typed error, in bounded time.
#[tokio::test]
async fn malformed_answers_to_livehunt_calls_are_typed_errors() {
    for (case, answer) in malformed_answers() {
        let (base, _) = serve("127.0.0.1:0", answer).await;
        let c = client(&base);
        let bound = Duration::from_secs(60);
        let r = tokio::time::timeout(bound, c.hunting().ruleset("123"))
            .await
            .expect("the client hung");
        assert_typed(case, &r);
        let r = tokio::time::timeout(bound, c.hunting().notification("1-2-ab"))
            .await
            .expect("the client hung");
        assert_typed(case, &r);
        let hunting = c.hunting();
        let create = hunting.create_ruleset(
            "x",
            "rule a { condition: true }",
            vt_api::hunting::RulesetChanges::new(),
        );
        let r = tokio::time::timeout(bound, create)
            .await
            .expect("the client hung");
        assert_typed(case, &r);
    }
}

/// Hostile answers to the Retrohunt calls (garbage, a job that never ends or whose progress
/// is no number, a matching-files page that is no collection): typed errors in bounded time.
#[tokio::test]
async fn hostile_answers_to_retrohunt_calls_are_typed_errors_in_bounded_time() {
    use futures_util::TryStreamExt;
    let id: vt_model::RetrohuntJobId = "alice-1700000000".parse().unwrap();
    for (case, answer) in malformed_answers() {
        let (base, _) = serve("127.0.0.1:0", answer).await;
        let c = client(&base);
        let bound = Duration::from_secs(60);
        let r = tokio::time::timeout(bound, c.retrohunt().get(&id))
            .await
            .expect("the client hung");
        assert_typed(case, &r);
        let r = tokio::time::timeout(bound, c.retrohunt().matching_files(&id).try_next())
            .await
            .expect("the client hung");
        // `{}` is an empty page to a list (the paginator's rule): the stream just ends.
        if case == "no data at all" {
            assert!(matches!(r, Ok(None)), "{case}: {r:?}");
        } else {
            assert_typed(case, &r);
        }
    }
    type Expected = fn(&Error) -> bool;
    let cases: Vec<(&str, &[u8], Expected)> = vec![
        (
            "running for ever",
            br#"{"data": {"type": "retrohunt_job", "id": "alice-1700000000", "attributes": {"status": "running", "progress": 12.5}}}"#,
            |e| matches!(e, Error::RetrohuntTimeout { progress, .. } if *progress == 12.5),
        ),
        (
            "progress is not a number",
            br#"{"data": {"type": "retrohunt_job", "id": "alice-1700000000", "attributes": {"status": "running", "progress": "lots"}}}"#,
            |e| matches!(e, Error::RetrohuntTimeout { progress, .. } if *progress == 0.0),
        ),
        (
            "a status this version does not know is polled on",
            br#"{"data": {"type": "retrohunt_job", "id": "alice-1700000000", "attributes": {"status": "paused"}}}"#,
            |e| matches!(e, Error::RetrohuntTimeout { last_status, .. } if last_status == "paused"),
        ),
        ("not JSON", b"<html>", |e| matches!(e, Error::Decode { .. })),
    ];
    for (case, body, expected) in cases {
        let (base, _) = serve("127.0.0.1:0", http("200 OK", "application/json", body)).await;
        let c = client(&base);
        let options = vt_api::WaitOptions::new()
            .intervals(Duration::from_millis(10), Duration::from_millis(20))
            .timeout(Duration::from_millis(200));
        let r = tokio::time::timeout(Duration::from_secs(30), c.retrohunt().wait(&id, options))
            .await
            .expect("the client hung");
        assert_typed(case, &r);
        let e = r.unwrap_err();
        assert!(expected(&e), "{case}: {e:?}");
    }
}
