//! The reference client of `cargo xtask bench` (bulk lookups): the least a client can do.
//!
//! `loadgen --base URL --key KEY --ids PATH [--concurrency 64] [--gzip]` sends one
//! `GET /api/v3/files/{id}` per line of PATH over `--concurrency` raw hyper HTTP/1.1
//! keep-alive connections (no pool, no retries, no rate limiter, no JSON decoding), reads each
//! body to the end, checks the status is 200 and prints `requests N bytes B seconds S`.
//!
//! `--gzip` asks for gzip as `vt` does (a User-Agent containing `gzip` and
//! `Accept-Encoding: gzip`, which is when the emulator, like VirusTotal, compresses), so the
//! server does the same work for both clients; the bodies are read, not decompressed.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut base = String::new();
    let mut key = String::new();
    let mut ids_path = String::new();
    let mut concurrency = 64usize;
    let mut gzip = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--gzip" {
            gzip = true;
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--base" => base = value,
            "--key" => key = value,
            "--ids" => ids_path = value,
            "--concurrency" => {
                concurrency = value
                    .parse()
                    .map_err(|e| format!("--concurrency {value}: {e}"))?
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let authority = base
        .strip_prefix("http://")
        .ok_or("--base must be an http:// URL")?
        .trim_end_matches('/')
        .to_owned();
    let ids: Arc<Vec<String>> = Arc::new(
        std::fs::read_to_string(&ids_path)
            .map_err(|e| format!("{ids_path}: {e}"))?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|id| format!("/api/v3/files/{id}"))
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (ids, next, bytes) = (ids.clone(), next.clone(), bytes.clone());
        let (authority, key) = (authority.clone(), key.clone());
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(authority.as_str()).await?;
            stream.set_nodelay(true)?;
            let (mut send, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = ids.get(i) else { break };
                send.ready().await?;
                let mut req = http::Request::get(path.as_str())
                    .header("host", authority.as_str())
                    .header("x-apikey", key.as_str());
                if gzip {
                    req = req
                        .header("user-agent", "loadgen; gzip")
                        .header("accept-encoding", "gzip");
                }
                let req = req.body(Empty::<Bytes>::new())?;
                let resp = send.send_request(req).await?;
                let status = resp.status();
                let body = resp.into_body().collect().await?.to_bytes();
                if status != 200 {
                    return Err::<(), Error>(format!("{path}: status {status}").into());
                }
                bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
            }
            Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "requests {} bytes {} seconds {secs:.6}",
        ids.len(),
        bytes.load(Ordering::Relaxed)
    );
    Ok(())
}
