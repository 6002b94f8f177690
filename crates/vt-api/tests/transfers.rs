//! Uploads switching at the 32 MiB request limit, the 650 MiB refusal, and downloads that
//! never leave a file that looks complete.

mod common;

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use common::{Fake, fixture};
use http::{Request, Response};
use http_body::Frame;
use http_body_util::StreamBody;
use httpmock::prelude::*;
use vt_api::upload::{DIRECT_UPLOAD_LIMIT, MAX_UPLOAD_SIZE};
use vt_api::{Client, DownloadOptions, UploadOptions};
use vt_transport::{BoxError, VtBody};

/// A fake that hands out an upload URL and accepts uploads at both places.
fn upload_fake() -> Fake {
    Fake::new(|seen| {
        let descriptor = fixture("analysis/vtx_file_upload_descriptor.json");
        match (seen.method.as_str(), seen.uri.to_string().as_str()) {
            ("GET", "https://fake.example/api/v3/files/upload_url") => (
                200,
                r#"{"data": "https://upload.example/_ah/upload/AMmfu6b/"}"#.into(),
            ),
            ("GET", "https://fake.example/api/v3/monitor/items/upload_url") => (
                200,
                r#"{"data": "https://upload.example/_ah/upload/monitor/"}"#.into(),
            ),
            ("POST", "https://fake.example/api/v3/files")
            | ("POST", "https://upload.example/_ah/upload/AMmfu6b/") => (200, descriptor),
            ("POST", "https://fake.example/api/v3/monitor/items")
            | ("POST", "https://upload.example/_ah/upload/monitor/") => (
                200,
                r#"{"data": {"type": "monitor_item", "id": "bW9uaXRvcg=="}}"#.into(),
            ),
            _ => (
                404,
                r#"{"error": {"code": "NotFoundError", "message": "no route"}}"#.into(),
            ),
        }
    })
}

fn sparse(dir: &std::path::Path, name: &str, len: u64) -> std::path::PathBuf {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(len).unwrap();
    path
}

#[tokio::test]
async fn uploads_switch_to_an_upload_url_exactly_above_the_request_limit() {
    let dir = tempfile::tempdir().unwrap();
    let fake = upload_fake();
    let client = fake.client();

    // The multipart overhead for this file name, measured on an empty file.
    let empty = sparse(dir.path(), "s.bin", 0);
    client.files().upload(&empty).await.unwrap();
    let overhead = fake.requests()[0].body.len() as u64;
    assert_eq!(
        fake.requests()[0].headers["content-length"]
            .to_str()
            .unwrap(),
        overhead.to_string()
    );

    // A body of exactly 32 MiB still goes to POST /files.
    let fits = sparse(dir.path(), "s.bin", DIRECT_UPLOAD_LIMIT - overhead);
    client.files().upload(&fits).await.unwrap();
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].uri, "https://fake.example/api/v3/files");
    assert_eq!(reqs[1].body.len() as u64, DIRECT_UPLOAD_LIMIT);

    // One byte more goes through a fresh upload URL.
    let over = sparse(dir.path(), "s.bin", DIRECT_UPLOAD_LIMIT - overhead + 1);
    client.files().upload(&over).await.unwrap();
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 4);
    assert_eq!(reqs[2].uri, "https://fake.example/api/v3/files/upload_url");
    assert_eq!(reqs[3].method, http::Method::POST);
    assert_eq!(reqs[3].uri, "https://upload.example/_ah/upload/AMmfu6b/");
    assert_eq!(reqs[3].body.len() as u64, DIRECT_UPLOAD_LIMIT + 1);
    assert!(
        reqs[3].headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
}

#[tokio::test]
async fn a_33_mib_sparse_file_goes_through_the_upload_url_with_every_byte() {
    let dir = tempfile::tempdir().unwrap();
    let fake = upload_fake();
    let client = fake.client();
    let path = sparse(dir.path(), "big.iso", 33 * 1024 * 1024);
    let last = Arc::new(Mutex::new((0, 0)));
    let last2 = last.clone();
    client
        .files()
        .upload_with(
            &path,
            UploadOptions::new().progress(move |s, t| *last2.lock().unwrap() = (s, t)),
        )
        .await
        .unwrap();
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 2);
    assert!(
        reqs[1]
            .uri
            .to_string()
            .starts_with("https://upload.example/")
    );
    assert!(reqs[1].body.len() as u64 > 33 * 1024 * 1024);
    assert_eq!(*last.lock().unwrap(), (33 * 1024 * 1024, 33 * 1024 * 1024));
}

#[tokio::test]
async fn files_over_650_mib_are_refused_and_nothing_is_sent() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).body(r#"{"data": "x"}"#);
        })
        .await;
    let dir = tempfile::tempdir().unwrap();
    let huge = sparse(dir.path(), "huge.bin", 651 * 1024 * 1024);
    let client = common::http_client(&server.base_url());
    let err = client
        .files()
        .upload_with(&huge, UploadOptions::new().skip_known(true))
        .await
        .unwrap_err();
    assert!(
        matches!(err, vt_api::Error::FileTooLarge { size, limit, .. }
        if size == 651 * 1024 * 1024 && limit == MAX_UPLOAD_SIZE)
    );
    assert!(err.to_string().contains("huge.bin"), "{err}");
    let err = client
        .monitor()
        .upload(&huge, "/huge.bin", UploadOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(err, vt_api::Error::FileTooLarge { .. }));
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn missing_files_are_io_errors_naming_the_path() {
    let client = upload_fake().client();
    let err = client
        .files()
        .upload("/no/such/file.bin")
        .await
        .unwrap_err();
    assert!(matches!(err, vt_api::Error::Io { ref path, .. } if path.ends_with("file.bin")));
}

/// A service whose download body yields `good` bytes then fails (or ends when `fail` is false).
fn download_service(fail: bool) -> Client {
    let service = tower::service_fn(move |req: Request<VtBody>| async move {
        if req.uri().path().starts_with("/api/v3/files/00000000") {
            let body = StreamBody::new(futures_util::stream::iter(vec![Ok::<_, BoxError>(
                Frame::data(Bytes::from_static(
                    br#"{"error": {"code": "NotFoundError", "message": "x"}}"#,
                )),
            )]));
            let mut resp = Response::new(http_body_util::BodyExt::boxed_unsync(body));
            *resp.status_mut() = http::StatusCode::NOT_FOUND;
            return Ok::<_, BoxError>(resp);
        }
        let chunks: Vec<Result<Frame<Bytes>, BoxError>> = if fail {
            vec![
                Ok(Frame::data(Bytes::from_static(b"first half"))),
                Err("connection reset".into()),
            ]
        } else {
            vec![
                Ok(Frame::data(Bytes::from_static(b"first half, "))),
                Ok(Frame::data(Bytes::from_static(b"second half"))),
            ]
        };
        Ok(Response::new(http_body_util::BodyExt::boxed_unsync(
            StreamBody::new(futures_util::stream::iter(chunks)),
        )))
    });
    Client::with_service(service, "https://fake.example").unwrap()
}

fn dir_entries(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const SHA256: &str = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";

#[tokio::test]
async fn a_download_failing_half_way_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("sample.bin");
    let client = download_service(true);
    let err = client
        .files()
        .download_to_path(&SHA256.parse().unwrap(), &dest, DownloadOptions::new())
        .await
        .unwrap_err();
    assert!(err.is_transport(), "{err:?}");
    assert!(!dest.exists());
    assert!(
        dir_entries(dir.path()).is_empty(),
        "{:?}",
        dir_entries(dir.path())
    );
}

#[tokio::test]
async fn an_error_answer_creates_no_file_and_a_good_download_is_renamed_into_place() {
    let dir = tempfile::tempdir().unwrap();
    let client = download_service(false);
    let missing = dir.path().join("missing.bin");
    let err = client
        .files()
        .download_to_path(
            &"00000000000000000000000000000000".parse().unwrap(),
            &missing,
            DownloadOptions::new(),
        )
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(dir_entries(dir.path()).is_empty());

    let service = download_service(false);
    let res = service
        .files()
        .download_to_path(
            &SHA256.parse().unwrap(),
            dir.path().join("ok.bin"),
            DownloadOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(res, 23);
    assert_eq!(
        std::fs::read(dir.path().join("ok.bin")).unwrap(),
        b"first half, second half"
    );
    assert_eq!(dir_entries(dir.path()), vec!["ok.bin".to_string()]);
}

/// A download of many odd-sized frames, larger than the writer's buffers in circulation and
/// than the background-sync interval: every byte lands in order, progress ends at the total.
#[tokio::test]
async fn a_large_download_in_odd_frames_is_written_whole_and_in_order() {
    const LEN: usize = 40 * 1024 * 1024 + 12_345;
    let content = Bytes::from(
        (0..LEN)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect::<Vec<u8>>(),
    );
    let served = content.clone();
    let service = tower::service_fn(move |_req: Request<VtBody>| {
        let served = served.clone();
        async move {
            let frames: Vec<Result<Frame<Bytes>, BoxError>> = (0..served.len())
                .step_by(300_007)
                .map(|at| {
                    Ok(Frame::data(
                        served.slice(at..(at + 300_007).min(served.len())),
                    ))
                })
                .collect();
            Ok::<_, BoxError>(Response::new(http_body_util::BodyExt::boxed_unsync(
                StreamBody::new(futures_util::stream::iter(frames)),
            )))
        }
    });
    let client = Client::with_service(service, "https://fake.example").unwrap();
    // Synced (the default) and not.
    for sync in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let options = DownloadOptions::new()
            .sync(sync)
            .progress(move |done, _| log.lock().unwrap().push(done));
        let n = client
            .files()
            .download_to_path(
                &SHA256.parse().unwrap(),
                dir.path().join("big.bin"),
                options,
            )
            .await
            .unwrap();
        assert_eq!(n, LEN as u64);
        let written = std::fs::read(dir.path().join("big.bin")).unwrap();
        assert_eq!(written.len(), LEN, "sync {sync}");
        assert!(
            written == content,
            "sync {sync}: the file differs from the body"
        );
        let seen = seen.lock().unwrap();
        assert_eq!(seen.last(), Some(&(LEN as u64)));
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(dir_entries(dir.path()), vec!["big.bin".to_string()]);
    }
}

#[tokio::test]
async fn monitor_uploads_switch_to_the_monitor_upload_url() {
    let dir = tempfile::tempdir().unwrap();
    let fake = upload_fake();
    let client = fake.client();
    let small = sparse(dir.path(), "a.exe", 10);
    let d = client
        .monitor()
        .upload(&small, "/releases/a.exe", UploadOptions::new())
        .await
        .unwrap();
    assert_eq!(d.type_str(), "monitor_item");
    let big = sparse(dir.path(), "b.exe", DIRECT_UPLOAD_LIMIT);
    client
        .monitor()
        .upload(&big, "/releases/b.exe", UploadOptions::new())
        .await
        .unwrap();
    let reqs = fake.requests();
    assert_eq!(reqs[0].uri, "https://fake.example/api/v3/monitor/items");
    let text = String::from_utf8_lossy(&reqs[0].body);
    assert!(
        text.contains("name=\"path\"\r\n\r\n/releases/a.exe\r\n"),
        "{text}"
    );
    assert!(text.contains("name=\"file\"; filename=\"a.exe\""));
    assert_eq!(
        reqs[1].uri,
        "https://fake.example/api/v3/monitor/items/upload_url"
    );
    assert_eq!(reqs[2].uri, "https://upload.example/_ah/upload/monitor/");
}
