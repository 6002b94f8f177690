//! The local limiter on a paused clock: never more than N per window, FIFO, shared by
//! clones, fail fast on a spent day budget.

mod common;

use std::time::{Duration, SystemTime};

use common::{Fake, get, respond};
use tokio::time::Instant;
use tower::ServiceExt;
use vt_transport::{
    RateLimitSpec, RateLimiter, RateWindow, RetryConfig, Transport, TransportBuilder,
    TransportError,
};

const URL: &str = "https://www.virustotal.com/api/v3/files/abc";

fn transport(fake: &Fake, limiter: RateLimiter) -> Transport {
    TransportBuilder::new()
        .rate_limiter(limiter)
        .retry(RetryConfig::disabled())
        .concurrency(0)
        .build_with(fake.service())
        .unwrap()
}

/// Asserts that no interval of length `len` holds more than `n` of the sorted `times`.
fn assert_at_most(times: &[Instant], n: usize, len: Duration) {
    for (i, t) in times.iter().enumerate() {
        if let Some(later) = times.get(i + n) {
            assert!(
                *later - *t >= len,
                "{} requests within {:?}: {:?} .. {:?}",
                n + 1,
                later.duration_since(*t),
                t,
                later
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn many_concurrent_callers_never_exceed_any_window() {
    let fake = Fake::new(|_, _| respond(200, "{}"));
    let spec: RateLimitSpec = "2/s,5/min".parse().unwrap();
    let t = transport(&fake, RateLimiter::new(spec));
    let start = Instant::now();
    let tasks: Vec<_> = (0..23)
        .map(|_| {
            let t = t.clone();
            tokio::spawn(async move { t.oneshot(get(URL)).await.unwrap().status() })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    let times: Vec<Instant> = fake.seen().iter().map(|s| s.at).collect();
    assert_eq!(times.len(), 23);
    assert_at_most(&times, 2, Duration::from_secs(1));
    assert_at_most(&times, 5, Duration::from_secs(60));
    // 23 requests at 5/min and 2/s: the 21st and 22nd go at 4 min, the 23rd a second later;
    // the limiter wastes no time either.
    let took = *times.last().unwrap() - start;
    assert_eq!(took, Duration::from_secs(241));
}

#[tokio::test(start_paused = true)]
async fn the_public_preset_admits_four_a_minute() {
    let fake = Fake::new(|_, _| respond(200, "{}"));
    let t = transport(&fake, RateLimiter::new(RateLimitSpec::public()));
    for _ in 0..9 {
        t.clone().oneshot(get(URL)).await.unwrap();
    }
    let times: Vec<Instant> = fake.seen().iter().map(|s| s.at).collect();
    assert_at_most(&times, 4, Duration::from_secs(60));
    assert_eq!(times[4] - times[0], Duration::from_secs(60));
}

#[tokio::test(start_paused = true)]
async fn waiters_are_served_first_come_first_served() {
    let fake = Fake::new(|_, _| respond(200, "{}"));
    let t = transport(&fake, RateLimiter::new("1/s".parse().unwrap()));
    let mut tasks = Vec::new();
    for i in 0..10u32 {
        let t = t.clone();
        let req = http::Request::get(format!("{URL}?n={i}"))
            .body(vt_transport::VtBody::empty())
            .unwrap();
        tasks.push(tokio::spawn(async move { t.oneshot(req).await.unwrap() }));
        // Let this caller join the queue before the next one arrives.
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    for task in tasks {
        task.await.unwrap();
    }
    let order: Vec<String> = fake
        .seen()
        .iter()
        .map(|s| s.uri.query().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = (0..10).map(|i| format!("n={i}")).collect();
    assert_eq!(order, expected);
}

#[tokio::test(start_paused = true)]
async fn clones_and_transports_sharing_a_limiter_share_its_budget() {
    let fake = Fake::new(|_, _| respond(200, "{}"));
    let limiter = RateLimiter::new("3/min".parse().unwrap());
    let a = transport(&fake, limiter.clone());
    let b = a.clone();
    let c = transport(&fake, limiter);
    let tasks: Vec<_> = [a, b, c]
        .into_iter()
        .flat_map(|t| (0..3).map(move |_| t.clone()))
        .map(|t| tokio::spawn(async move { t.oneshot(get(URL)).await.unwrap() }))
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let times: Vec<Instant> = fake.seen().iter().map(|s| s.at).collect();
    assert_eq!(times.len(), 9);
    assert_at_most(&times, 3, Duration::from_secs(60));
}

#[tokio::test(start_paused = true)]
async fn a_spent_day_budget_fails_at_once_and_resets_at_midnight_utc() {
    let fake = Fake::new(|_, _| respond(200, "{}"));
    // 2026-11-21 23:00:00 UTC
    let evening = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_302_000);
    let midnight = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_305_600);
    let limiter = RateLimiter::starting_at("4/min,2/day".parse().unwrap(), evening);
    let t = transport(&fake, limiter);
    t.clone().oneshot(get(URL)).await.unwrap();
    t.clone().oneshot(get(URL)).await.unwrap();
    let before = Instant::now();
    let err = t.clone().oneshot(get(URL)).await.unwrap_err();
    assert_eq!(Instant::now(), before, "the failing request waited");
    match err {
        TransportError::QuotaExhausted { window, resets_at } => {
            assert_eq!(window, RateWindow::Day);
            assert_eq!(resets_at, midnight);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        fake.count(),
        2,
        "a request was sent after the budget was spent"
    );
    // An hour later the new day has a fresh budget.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    t.oneshot(get(URL)).await.unwrap();
    assert_eq!(fake.count(), 3);
}

#[tokio::test(start_paused = true)]
async fn month_budgets_reset_on_the_first() {
    // 2026-11-30 23:59:00 UTC
    let last_minute = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_083_140);
    let limiter = RateLimiter::starting_at("1/month".parse().unwrap(), last_minute);
    limiter.acquire().await.unwrap();
    match limiter.acquire().await.unwrap_err() {
        TransportError::QuotaExhausted { window, resets_at } => {
            assert_eq!(window, RateWindow::Month);
            assert_eq!(
                resets_at,
                SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_083_200)
            );
        }
        other => panic!("{other:?}"),
    }
    tokio::time::sleep(Duration::from_secs(60)).await;
    limiter.acquire().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn retries_take_limiter_slots_too() {
    let fake = Fake::new(|n, _| {
        if n == 0 {
            common::api_error(503, "TransientError")
        } else {
            respond(200, "{}")
        }
    });
    let t = TransportBuilder::new()
        .rate_limit("1/min".parse().unwrap())
        .retry(RetryConfig::default().base_delay(Duration::from_millis(10)))
        .build_with(fake.service())
        .unwrap();
    assert_eq!(t.oneshot(get(URL)).await.unwrap().status(), 200);
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    assert!(seen[1].at - seen[0].at >= Duration::from_secs(60));
}

/// Finding R5: VirusTotal counts a request when it arrives. A request admitted at once but
/// slow to arrive (a new connection, a busy machine) must keep its slot until it arrives,
/// or a later one admitted when the first one's slot expired lands in the same window.
#[tokio::test(start_paused = true)]
async fn a_slot_counts_until_its_request_arrives() {
    use std::sync::{Arc, Mutex};
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let seen = arrivals.clone();
    let svc = tower::service_fn(move |delay_ms: u64| {
        let seen = seen.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            seen.lock().unwrap().push(Instant::now());
            Ok::<_, TransportError>(())
        }
    });
    let layer = vt_transport::RateLimitLayer::new("2/s".parse().unwrap());
    let svc = tower::Layer::layer(&layer, svc);
    // The first request reaches the server 400 ms after admission; the others at once.
    let tasks: Vec<_> = [400u64, 0, 0, 0]
        .into_iter()
        .enumerate()
        .map(|(i, delay)| {
            let svc = svc.clone();
            tokio::spawn(async move {
                // One millisecond apart, so they queue in this order.
                tokio::time::sleep(Duration::from_millis(i as u64)).await;
                svc.oneshot(delay).await.unwrap()
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let mut times = arrivals.lock().unwrap().clone();
    times.sort();
    assert_eq!(times.len(), 4);
    assert_at_most(&times, 2, Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn status_says_who_waits_and_when_the_next_slot_frees() {
    let limiter = RateLimiter::new("2/min".parse().unwrap());
    assert_eq!(limiter.interval(), Some(Duration::from_secs(30)));
    let idle = limiter.status();
    assert_eq!((idle.waiting, idle.next_slot_in), (0, None));
    limiter.acquire().await.unwrap();
    tokio::time::advance(Duration::from_secs(10)).await;
    limiter.acquire().await.unwrap();
    // Both slots taken: the first frees 60 s after it was taken, 50 s from now.
    assert_eq!(limiter.status().next_slot_in, Some(Duration::from_secs(50)));
    let third = {
        let limiter = limiter.clone();
        tokio::spawn(async move { limiter.acquire().await })
    };
    tokio::task::yield_now().await;
    assert_eq!(limiter.status().waiting, 1);
    third.await.unwrap().unwrap();
    assert_eq!(limiter.status().waiting, 0);
    assert!(RateLimiter::new(RateLimitSpec::none()).interval().is_none());
}

/// A store that admits everything and records what the limiter asked of it.
#[derive(Debug, Default)]
struct RecordingStore {
    events: std::sync::Mutex<Vec<String>>,
}

#[derive(Debug)]
struct RecordingSlot(std::sync::Arc<RecordingStore>, u32);

impl vt_transport::StoreSlot for RecordingSlot {
    fn arrived(self: Box<Self>) {
        self.0
            .events
            .lock()
            .unwrap()
            .push(format!("arrived {}", self.1));
    }
}

#[derive(Debug)]
struct SharedStore(std::sync::Arc<RecordingStore>);

impl vt_transport::RateLimitStore for SharedStore {
    fn admit<'a>(
        &'a self,
        spec: &'a RateLimitSpec,
    ) -> vt_transport::StoreFuture<'a, Result<Box<dyn vt_transport::StoreSlot>, TransportError>>
    {
        Box::pin(async move {
            let mut events = self.0.events.lock().unwrap();
            let n = events.len() as u32;
            events.push(format!("admit {spec} {n}"));
            Ok(Box::new(RecordingSlot(self.0.clone(), n)) as Box<dyn vt_transport::StoreSlot>)
        })
    }

    fn status(&self) -> vt_transport::RateLimitStatus {
        vt_transport::RateLimitStatus {
            waiting: 7,
            next_slot_in: None,
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_store_takes_the_windows_and_hears_when_each_request_arrived() {
    let fake = Fake::new(|_, _| respond(200, "{}"));
    let record = std::sync::Arc::new(RecordingStore::default());
    let limiter = RateLimiter::with_store(
        "1/min".parse().unwrap(),
        std::sync::Arc::new(SharedStore(record.clone())),
    );
    assert!(limiter.store().is_some());
    let t = transport(&fake, limiter.clone());
    let start = Instant::now();
    for _ in 0..2 {
        assert_eq!(t.clone().oneshot(get(URL)).await.unwrap().status(), 200);
    }
    // The store decides: two requests in a "1/min" spec went at once, because it said so.
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(
        *record.events.lock().unwrap(),
        ["admit 1/min 0", "arrived 0", "admit 1/min 2", "arrived 2"]
    );
    assert_eq!(limiter.status().waiting, 7);
}
