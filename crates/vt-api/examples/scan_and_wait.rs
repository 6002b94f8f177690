//! Uploads a file (unless VirusTotal already knows it), waits for the analysis and prints
//! the verdict counts.
//!
//! ```sh
//! VT_API_KEY=... cargo run -p vt-api --example scan_and_wait -- ./sample.exe
//! ```

use std::time::Duration;

use vt_api::{Client, UploadOptions, UploadOutcome, WaitOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: scan_and_wait <file>")?;
    let mut builder = Client::builder().api_key(std::env::var("VT_API_KEY").unwrap_or_default());
    if let Ok(base) = std::env::var("VT_BASE_URL") {
        builder = builder.base_url(base);
    }
    let client = builder.build()?;

    let options = UploadOptions::new()
        .skip_known(true)
        .progress(|sent, total| eprint!("\ruploaded {sent}/{total} bytes"));
    let descriptor = match client.files().upload_with(&path, options).await? {
        UploadOutcome::Known(report) => {
            println!("already known: {}", report.id_str());
            return Ok(());
        }
        UploadOutcome::Submitted(descriptor) => descriptor,
    };
    eprintln!();
    let id = descriptor.id_str().parse()?;
    println!("analysis {id} queued; waiting");
    let wait = WaitOptions::new().timeout(Duration::from_secs(15 * 60));
    let done = client.analyses().wait(&id, wait).await?;
    let stats = done.data.attributes.stats.clone().unwrap_or_default();
    println!(
        "done: {} malicious, {} suspicious, {} undetected",
        stats.malicious(),
        stats.suspicious(),
        stats.undetected()
    );
    if let Some(info) = done.analysis_meta().and_then(|m| m.file_info) {
        println!("sha256 {:?}", info.sha256);
    }
    Ok(())
}
