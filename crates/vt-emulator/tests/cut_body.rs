//! The `cut-body` fault: signed downloads whose connection closes half-way, only when a rule
//! names `/_download`; and the request log's arrival times.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use vt_emulator::{
    DEFAULT_PREMIUM_KEY as PREMIUM, EICAR_SHA256, Emulator, EmulatorHandle, FaultRule,
};

/// One raw HTTP/1.1 GET; the whole answer as bytes (until the server closes).
async fn raw_get(emu: &EmulatorHandle, path: &str, key: Option<&str>) -> Vec<u8> {
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    let key = key.map_or(String::new(), |k| format!("x-apikey: {k}\r\n"));
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: x\r\n{key}Connection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    out
}

fn header<'a>(answer: &'a [u8], name: &str) -> Option<&'a str> {
    let text = std::str::from_utf8(answer).ok().or_else(|| {
        let end = answer.windows(4).position(|w| w == b"\r\n\r\n")?;
        std::str::from_utf8(&answer[..end]).ok()
    })?;
    text.lines().take_while(|l| !l.is_empty()).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn body(answer: &[u8]) -> &[u8] {
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    &answer[end + 4..]
}

async fn download(emu: &EmulatorHandle) -> (u64, usize) {
    let redirect = raw_get(
        emu,
        &format!("/api/v3/files/{EICAR_SHA256}/download"),
        Some(PREMIUM),
    )
    .await;
    let location = header(&redirect, "location").unwrap().to_owned();
    let path = location
        .split_once("//")
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(_, p)| format!("/{p}"))
        .unwrap();
    let answer = raw_get(emu, &path, None).await;
    let promised: u64 = header(&answer, "content-length").unwrap().parse().unwrap();
    (promised, body(&answer).len())
}

#[tokio::test]
async fn cut_body_closes_a_download_half_way() {
    let emu = Emulator::builder()
        .small_dataset()
        .fault("cut-body=1@/_download".parse::<FaultRule>().unwrap())
        .start()
        .await
        .unwrap();
    let (promised, got) = download(&emu).await;
    assert!(promised > 0);
    assert!((got as u64) < promised, "got {got} of {promised}");
    assert_eq!(emu.stats().fault_count("cut-body"), 1);
}

#[tokio::test]
async fn rules_without_a_download_prefix_leave_downloads_alone() {
    let emu = Emulator::builder()
        .small_dataset()
        .fault("cut-body=1".parse::<FaultRule>().unwrap())
        .fault(
            "transient=0.5@/api/v3/metadata"
                .parse::<FaultRule>()
                .unwrap(),
        )
        .start()
        .await
        .unwrap();
    let (promised, got) = download(&emu).await;
    assert_eq!(got as u64, promised);
}

#[tokio::test]
async fn the_request_log_has_arrival_times_in_order() {
    let emu = Emulator::builder().small_dataset().start().await.unwrap();
    for _ in 0..3 {
        raw_get(&emu, "/api/v3/metadata", Some(PREMIUM)).await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let log = emu.stats().request_log;
    assert_eq!(log.len(), 3);
    assert!(
        log.windows(2).all(|w| w[1].at_us >= w[0].at_us + 5_000),
        "{log:?}"
    );
}
