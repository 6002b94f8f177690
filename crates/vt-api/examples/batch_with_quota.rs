//! Looks up many hashes with the v2 batch report, 4 per request (public keys), stopping
//! cleanly when the quota is spent and printing what was obtained and what is left.
//!
//! ```sh
//! VT_API_KEY=... cargo run -p vt-api --example batch_with_quota -- hashes.txt
//! ```

use futures_util::StreamExt;
use vt_api::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let list = std::env::args()
        .nth(1)
        .ok_or("usage: batch_with_quota <file of hashes>")?;
    let text = std::fs::read_to_string(&list)?;
    let hashes: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();

    let mut builder = Client::builder()
        .api_key(std::env::var("VT_API_KEY").unwrap_or_default())
        // The public allowance; the transport waits for a slot rather than failing.
        .rate_limit("4/min,500/day".parse()?);
    if let Ok(base) = std::env::var("VT_BASE_URL") {
        builder = builder.base_url(base);
    }
    let client = builder.build()?;

    let mut done = 0;
    let mut batches = Box::pin(client.v2().file_report_batches(&hashes, false));
    while let Some(batch) = batches.next().await {
        match batch {
            Ok(reports) => {
                for r in &reports {
                    println!(
                        "{} {}/{}",
                        r.resource.as_deref().unwrap_or("?"),
                        r.positives.unwrap_or(0),
                        r.total.unwrap_or(0)
                    );
                }
                done += reports.len();
            }
            Err(e) if e.is_quota() => {
                eprintln!("quota spent after {done} of {} hashes: {e}", hashes.len());
                eprintln!(
                    "resume with the remaining {} hashes later",
                    hashes.len() - done
                );
                break;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
