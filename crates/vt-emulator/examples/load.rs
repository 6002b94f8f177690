//! A quick throughput check: `cargo run --release -p vt-emulator --example load [conns] [secs]`.
//!
//! Starts an emulator in-process and hammers `GET /api/v3/files/{id}` over keep-alive
//! connections (client and server share the machine, so this understates the server).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use vt_emulator::{DEFAULT_PREMIUM_KEY, Emulator};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut args = std::env::args().skip(1);
    let conns: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(32);
    let secs: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let emu = Emulator::builder().start().await?;
    let ids: Vec<String> = emu
        .dataset()
        .files()
        .iter()
        .map(|f| f.sha256.clone())
        .collect();
    let addr = emu.addr();
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for c in 0..conns {
        let ids = ids.clone();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            let (mut send, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            let mut i = c;
            while Instant::now() < deadline {
                let id = &ids[i % ids.len()];
                i += 1;
                let req = http::Request::get(format!("/api/v3/files/{id}"))
                    .header("host", addr.to_string())
                    .header("x-apikey", DEFAULT_PREMIUM_KEY)
                    .body(Empty::<Bytes>::new())?;
                let resp = send.send_request(req).await?;
                let status = resp.status();
                resp.into_body().collect().await?;
                if status != 200 {
                    return Err(format!("status {status}").into());
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let n = done.load(Ordering::Relaxed);
    println!(
        "{n} requests in {secs} s over {conns} connections: {:.0} req/s",
        n as f64 / secs as f64
    );
    emu.shutdown().await;
    Ok(())
}
