//! The Redis rate-limit store against a real `redis-server` (skipped when it is not
//! installed, fatal with `VT_REQUIRE_REDIS=1`): several stores (as several processes would)
//! share one key's windows.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use vt_redis::{FleetError, FleetOptions, FleetUrl, RedisRateLimitStore};
use vt_test_support::RedisServer;
use vt_transport::{RateLimitSpec, RateLimiter, RateWindow, TransportError};

const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

async fn limiter(server: &RedisServer, spec: &str, options: FleetOptions) -> RateLimiter {
    let url: FleetUrl = server.url().parse().unwrap();
    let store = RedisRateLimitStore::connect(&url, KEY, options)
        .await
        .unwrap();
    RateLimiter::with_store(spec.parse::<RateLimitSpec>().unwrap(), Arc::new(store))
}

/// Asserts that no interval of `len` holds more than `n` of the sorted `times`.
fn assert_at_most(times: &mut [Instant], n: usize, len: Duration) {
    times.sort();
    for (i, t) in times.iter().enumerate() {
        if let Some(later) = times.get(i + n) {
            assert!(
                *later - *t >= len,
                "{} admissions within {:?}",
                n + 1,
                *later - *t
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_members_share_one_rolling_window() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let mut members = Vec::new();
    for _ in 0..3 {
        members.push(limiter(&server, "10/s", FleetOptions::default()).await);
    }
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (m, limiter) in members.iter().enumerate() {
        for _ in 0..(8 + m) {
            let limiter = limiter.clone();
            tasks.push(tokio::spawn(async move {
                let admission = limiter.admit().await.unwrap();
                let at = Instant::now();
                drop(admission);
                at
            }));
        }
    }
    let mut times = Vec::new();
    for t in tasks {
        times.push(t.await.unwrap());
    }
    assert_eq!(times.len(), 27);
    // 27 admissions at 10/s: the first 10 at once, the rest over two more seconds.
    assert!(
        start.elapsed() >= Duration::from_millis(1900),
        "{:?}",
        start.elapsed()
    );
    // Redis decides on its clock; these are the times the answers came back, so allow for
    // their spread.
    assert_at_most(&mut times, 10, Duration::from_millis(950));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiters_are_admitted_in_the_order_they_came_across_members() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let a = limiter(&server, "1/s", FleetOptions::default()).await;
    let b = limiter(&server, "1/s", FleetOptions::default()).await;
    let c = limiter(&server, "1/s", FleetOptions::default()).await;
    drop(a.admit().await.unwrap());
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for (name, l) in [("b1", &b), ("c1", &c), ("b2", &b), ("c2", &c)] {
        let l = l.clone();
        let order = order.clone();
        tasks.push(tokio::spawn(async move {
            let _slot = l.admit().await.unwrap();
            order.lock().unwrap().push(name);
        }));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(*order.lock().unwrap(), ["b1", "c1", "b2", "c2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_budget_is_shared_and_fails_fast_when_spent() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let a = limiter(&server, "2/day", FleetOptions::default()).await;
    let b = limiter(&server, "2/day", FleetOptions::default()).await;
    drop(a.admit().await.unwrap());
    drop(b.admit().await.unwrap());
    let start = Instant::now();
    match a.admit().await {
        Err(TransportError::QuotaExhausted { window, .. }) => assert_eq!(window, RateWindow::Day),
        other => panic!("expected QuotaExhausted, got {other:?}"),
    }
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_at_start_is_one_error_naming_the_url_without_its_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url: FleetUrl = format!("redis://:hunter2@127.0.0.1:{port}/0")
        .parse()
        .unwrap();
    let err = RedisRateLimitStore::connect(&url, KEY, FleetOptions::default())
        .await
        .unwrap_err();
    let FleetError::Unreachable { .. } = &err else {
        panic!("{err:?}");
    };
    let text = err.to_string();
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_redis_makes_requests_wait_then_fail_and_a_restart_holds_one_window() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let options = FleetOptions {
        outage_timeout: Duration::from_millis(800),
        ..FleetOptions::default()
    };
    let l = limiter(&server, "5/s", options).await;
    drop(l.admit().await.unwrap());
    server.kill();
    let start = Instant::now();
    match l.admit().await {
        Err(TransportError::RateLimitStore { reason, .. }) => {
            assert!(reason.contains("Redis at redis://127.0.0.1"), "{reason}")
        }
        other => panic!("expected RateLimitStore, got {other:?}"),
    }
    assert!(start.elapsed() >= Duration::from_millis(800));
    // Back, but empty: the admissions of the last second are unknown, so none for a second.
    server.restart();
    let start = Instant::now();
    drop(l.admit().await.unwrap());
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_waiting_through_an_outage_goes_when_redis_is_back() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let l = limiter(&server, "5/s", FleetOptions::default()).await;
    drop(l.admit().await.unwrap());
    server.kill();
    let waiter = tokio::spawn({
        let l = l.clone();
        async move { l.admit().await.map(drop) }
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(!waiter.is_finished(), "admitted while Redis was down");
    server.restart();
    tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .expect("admitted once Redis is back")
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiter_that_gives_up_leaves_the_queue_at_once() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let a = limiter(&server, "1/s", FleetOptions::default()).await;
    let b = limiter(&server, "1/s", FleetOptions::default()).await;
    drop(a.admit().await.unwrap());
    // `a` queues first, then gives up after 200 ms; `b` must not wait for a's lease (3 s).
    let _ = tokio::time::timeout(Duration::from_millis(200), a.admit()).await;
    let start = Instant::now();
    drop(b.admit().await.unwrap());
    assert!(
        start.elapsed() < Duration::from_millis(2000),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_key_never_reaches_redis() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let l = limiter(&server, "5/s,100/day,1000/month", FleetOptions::default()).await;
    for _ in 0..3 {
        drop(l.admit().await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let client = redis::Client::open(server.url()).unwrap();
    let mut con = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut con)
        .await
        .unwrap();
    assert!(!keys.is_empty());
    for k in &keys {
        assert!(k.starts_with("vt:fleet:{"), "{k}");
        assert!(!k.contains(&KEY[..16]), "{k}");
    }
    let mut dump = String::new();
    for k in &keys {
        let kind: String = redis::cmd("TYPE")
            .arg(k)
            .query_async(&mut con)
            .await
            .unwrap();
        let value: Vec<String> = match kind.as_str() {
            "zset" => redis::cmd("ZRANGE")
                .arg(k)
                .arg(0)
                .arg(-1)
                .query_async(&mut con)
                .await
                .unwrap(),
            _ => vec![
                redis::cmd("GET")
                    .arg(k)
                    .query_async(&mut con)
                    .await
                    .unwrap(),
            ],
        };
        dump.push_str(&value.join(" "));
    }
    assert!(!dump.contains(&KEY[..16]), "{dump}");
}
