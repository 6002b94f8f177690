//! Lists VT Monitor items, optionally filtered by tags, with a resumable cursor.
//!
//! ```sh
//! VT_API_KEY=... cargo run -p vt-api --example monitor_list -- detected new-detections
//! VT_API_KEY=... VT_CURSOR=<cursor> cargo run -p vt-api --example monitor_list
//! ```

use futures_util::TryStreamExt;
use vt_api::{Client, MonitorFilter, MonitorTag};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = Client::builder().api_key(std::env::var("VT_API_KEY").unwrap_or_default());
    if let Ok(base) = std::env::var("VT_BASE_URL") {
        builder = builder.base_url(base);
    }
    let client = builder.build()?;

    let tags: Vec<MonitorTag> = std::env::args()
        .skip(1)
        .map(|t| MonitorTag::parse(&t))
        .collect();
    let mut items = if tags.is_empty() {
        client.monitor().items_filtered(&MonitorFilter::path("/"))
    } else {
        client.monitor().items_filtered(&MonitorFilter::tags(tags))
    }
    .page_size(40)
    .limit(100);
    if let Ok(cursor) = std::env::var("VT_CURSOR") {
        items = items.start_at(cursor);
    }
    while let Some(item) = items.try_next().await? {
        let a = &item.attributes;
        println!(
            "{:<50} {:>10} detections={:?} tags={:?}",
            a.path.as_deref().unwrap_or("?"),
            a.size.map(|s| s.to_string()).unwrap_or_default(),
            a.last_detections_count,
            a.tags.as_deref().unwrap_or_default()
        );
    }
    if let Some(cursor) = items.cursor() {
        eprintln!("more with VT_CURSOR={cursor}");
    }
    Ok(())
}
