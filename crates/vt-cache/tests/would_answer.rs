//! `Client::cache_would_answer` over a real SQLite store: what the quota planner asks. Read
//! only: nothing is sent, and the answer follows the client's policy.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use vt_api::cache::{CachePolicy, CachedAnswer, ReportCache};
use vt_api::quota_plan::LookupKind;
use vt_api::transport::RateLimitSpec;
use vt_cache::SqliteCache;
use vt_test_support::{Fake, respond};

const BASE: &str = "http://vt.test";

fn client(fake: &Fake, store: Arc<SqliteCache>, policy: CachePolicy) -> vt_api::Client {
    vt_api::Client::builder()
        .api_key("key-1")
        .base_url(BASE)
        .rate_limit(RateLimitSpec::none())
        .max_retries(0)
        .cache(store, policy)
        .build_with(fake.service())
        .unwrap()
}

fn put(store: &SqliteCache, kind: LookupKind, id: &str, status: u16, age: Duration) {
    let ns = store.namespace("key-1");
    let key = kind.report_request(id).url(BASE);
    store
        .put(
            &ns,
            &key,
            &CachedAnswer {
                status,
                body: Bytes::from_static(b"{\"data\": {}}"),
                stored_at: SystemTime::now() - age,
            },
        )
        .unwrap();
}

#[tokio::test]
async fn fresh_entries_answer_old_ones_and_unknown_ones_do_not_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqliteCache::open(dir.path().join("c.sqlite3"))
            .unwrap()
            .cache,
    );
    let hour = Duration::from_secs(3600);
    put(&store, LookupKind::File, "aa", 200, hour);
    put(&store, LookupKind::File, "bb", 200, 30 * hour); // older than the default day
    put(
        &store,
        LookupKind::Domain,
        "example.com",
        404,
        Duration::from_secs(60),
    );
    put(&store, LookupKind::Domain, "old.example", 404, 2 * hour); // older than 1 h for a 404
    let fake = Fake::new(|_, _| respond(200, "{}"));
    let c = client(&fake, store.clone(), CachePolicy::default());
    let requests = [
        LookupKind::File.report_request("aa"),
        LookupKind::File.report_request("bb"),
        LookupKind::File.report_request("cc"),
        LookupKind::Domain.report_request("example.com"),
        LookupKind::Domain.report_request("old.example"),
        // The same path under another collection is another entry.
        LookupKind::Url.report_request("aa"),
        // Not cacheable at all.
        vt_api::ApiRequest::post("/files/aa/analyse"),
    ];
    let answers: Vec<bool> = c
        .cache_would_answer(&requests)
        .await
        .iter()
        .map(Option::is_some)
        .collect();
    assert_eq!(answers, [true, false, false, true, false, false, false]);
    let age = c.cache_would_answer(&requests[..1]).await[0].unwrap();
    assert!(
        age >= hour && age < hour + Duration::from_secs(60),
        "{age:?}"
    );
    assert_eq!(fake.count(), 0, "a planner's question sends nothing");
    // --refresh answers nothing; a longer max-age takes the old entry in.
    let refresh = CachePolicy {
        refresh: true,
        ..CachePolicy::default()
    };
    let c = client(&fake, store.clone(), refresh);
    assert!(
        c.cache_would_answer(&requests)
            .await
            .iter()
            .all(Option::is_none)
    );
    let week = CachePolicy {
        max_age: 7 * 24 * hour,
        ..CachePolicy::default()
    };
    let c = client(&fake, store.clone(), week);
    assert!(c.cache_would_answer(&requests[1..2]).await[0].is_some());
    // Another key sees none of them.
    let other = vt_api::Client::builder()
        .api_key("key-2")
        .base_url(BASE)
        .rate_limit(RateLimitSpec::none())
        .cache(store, CachePolicy::default())
        .build_with(fake.service())
        .unwrap();
    assert!(
        other
            .cache_would_answer(&requests)
            .await
            .iter()
            .all(Option::is_none)
    );
    // No cache attached: nothing answered.
    let bare = vt_api::Client::builder()
        .api_key("key-1")
        .base_url(BASE)
        .build_with(fake.service())
        .unwrap();
    assert_eq!(
        bare.cache_would_answer(&requests).await,
        vec![None; requests.len()]
    );
}
