//! The concurrency bound (tower's `GlobalConcurrencyLimit` in the stack): never more than N
//! attempts in flight, shared by every clone of a transport.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{get, respond};
use tower::ServiceExt;
use vt_transport::{RateLimitSpec, RetryConfig, TransportBuilder};

#[tokio::test(start_paused = true)]
async fn clones_share_one_bound_on_requests_in_flight() {
    let now = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (n, p) = (now.clone(), peak.clone());
    let inner = tower::service_fn(move |_req: http::Request<vt_transport::VtBody>| {
        let (n, p) = (n.clone(), p.clone());
        async move {
            let cur = n.fetch_add(1, Ordering::SeqCst) + 1;
            p.fetch_max(cur, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(10)).await;
            n.fetch_sub(1, Ordering::SeqCst);
            respond(200, "{}")
        }
    });
    let transport = TransportBuilder::new()
        .rate_limit(RateLimitSpec::none())
        .retry(RetryConfig::disabled())
        .concurrency(3)
        .build_with(inner)
        .unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let t = transport.clone();
            tokio::spawn(async move {
                t.oneshot(get("https://www.virustotal.com/api/v3/files/abc"))
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    assert_eq!(peak.load(Ordering::SeqCst), 3);
    assert_eq!(now.load(Ordering::SeqCst), 0);
}
