//! Prints a short summary of a file, URL, domain or IP address report.
//!
//! ```sh
//! VT_API_KEY=... cargo run -p vt-api --example report -- 44d88612fea8a8f36de82e1278abb02f
//! VT_API_KEY=... cargo run -p vt-api --example report -- https://example.com/
//! ```
//! `VT_BASE_URL` points it elsewhere (e.g. the emulator: `http://127.0.0.1:8080`).

use vt_api::{Client, Error};
use vt_model::{DomainName, FileHash, IpAddress};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = std::env::args()
        .nth(1)
        .ok_or("usage: report <hash | url | domain | ip>")?;
    let client = client_from_env()?;

    let result = if let Ok(hash) = target.parse::<FileHash>() {
        client.files().report(&hash).await.map(|r| {
            let stats = r.attributes.last_analysis_stats.clone().unwrap_or_default();
            format!(
                "file {} {:?}: {} malicious, {} undetected",
                r.id_str(),
                r.attributes.meaningful_name,
                stats.malicious(),
                stats.undetected()
            )
        })
    } else if let Ok(ip) = target.parse::<IpAddress>() {
        client.ip_addresses().report(&ip).await.map(|r| {
            format!(
                "ip {} AS{:?} {:?}",
                r.id_str(),
                r.attributes.asn,
                r.attributes.as_owner
            )
        })
    } else if target.contains("://") {
        client
            .urls()
            .report_by_url(&target)
            .await
            .map(|r| format!("url {} title {:?}", r.id_str(), r.attributes.title))
    } else {
        let domain: DomainName = target.parse()?;
        client.domains().report(&domain).await.map(|r| {
            format!(
                "domain {} reputation {:?}",
                r.id_str(),
                r.attributes.reputation
            )
        })
    };

    match result {
        Ok(line) => println!("{line}"),
        Err(e) if e.is_not_found() => println!("{target}: not known to VirusTotal"),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// A client from `VT_API_KEY` and, if set, `VT_BASE_URL`.
fn client_from_env() -> Result<Client, Error> {
    let key = std::env::var("VT_API_KEY").unwrap_or_default();
    let mut builder = Client::builder().api_key(key);
    if let Ok(base) = std::env::var("VT_BASE_URL") {
        builder = builder.base_url(base);
    }
    builder.build()
}
