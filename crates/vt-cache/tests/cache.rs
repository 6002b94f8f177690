//! The SQLite store with a real database: through a client over an in-process fake (what is
//! cached, for how long, under which key) and alone (pruning, bad files, several writers).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use vt_api::cache::{CachePolicy, CachedAnswer, ReportCache, observe};
use vt_api::transport::RateLimitSpec;
use vt_cache::{OpenError, SqliteCache};
use vt_test_support::{Fake, api_error, respond};

const HASH: &str = "44d88612fea8a8f36de82e1278abb02f";
const REPORT: &str = r#"{"data": {"type": "file", "id": "44d88612fea8a8f36de82e1278abb02f",  "attributes": {"size": 68}}}"#;

fn store(dir: &Path) -> Arc<SqliteCache> {
    Arc::new(SqliteCache::open(dir.join("cache.sqlite3")).unwrap().cache)
}

fn client(fake: &Fake, key: &str, store: Arc<SqliteCache>, policy: CachePolicy) -> vt_api::Client {
    vt_api::Client::builder()
        .api_key(key)
        .base_url("http://vt.test")
        .rate_limit(RateLimitSpec::none())
        .max_retries(0)
        .cache(store, policy)
        .build_with(fake.service())
        .unwrap()
}

fn report_fake() -> Fake {
    Fake::new(|_, seen| {
        if seen
            .path()
            .ends_with("/files/0000000000000000000000000000000a")
        {
            api_error(404, "NotFoundError")
        } else {
            respond(200, REPORT)
        }
    })
}

fn answer(status: u16, body: &str, age: Duration) -> CachedAnswer {
    CachedAnswer {
        status,
        body: Bytes::from(body.to_owned()),
        stored_at: SystemTime::now() - age,
    }
}

#[tokio::test]
async fn a_second_lookup_is_answered_from_the_store_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let fake = report_fake();
    let c = client(&fake, "key-1", store(dir.path()), CachePolicy::default());
    let hash = HASH.parse().unwrap();
    let (first, used) = observe(c.files().report_json(&hash)).await;
    assert!(!used.all_cached());
    let (second, used) = observe(c.files().report_json(&hash)).await;
    assert!(used.all_cached(), "{used:?}");
    assert_eq!(fake.count(), 1);
    assert_eq!(first.unwrap().get(), second.unwrap().get());
    assert!(first_raw_is(REPORT, &c, &hash).await);
}

async fn first_raw_is(text: &str, c: &vt_api::Client, hash: &vt_api::model::FileHash) -> bool {
    let raw = c.files().report_json(hash).await.unwrap();
    // The JSON is the body as received, spacing included.
    text.contains(raw.get())
}

#[tokio::test]
async fn answers_older_than_max_age_are_asked_again_and_refresh_always_asks() {
    let dir = tempfile::tempdir().unwrap();
    let st = store(dir.path());
    let fake = report_fake();
    let policy = CachePolicy {
        max_age: Duration::from_secs(3600),
        ..CachePolicy::default()
    };
    let c = client(&fake, "key-1", st.clone(), policy);
    let key = format!("http://vt.test/api/v3/files/{HASH}");
    let ns = st.namespace("key-1");
    st.put(
        &ns,
        &key,
        &answer(200, REPORT, Duration::from_secs(2 * 3600)),
    )
    .unwrap();
    let hash = HASH.parse().unwrap();
    c.files().report(&hash).await.unwrap();
    assert_eq!(
        fake.count(),
        1,
        "a two-hour-old answer is stale at --max-age 1h"
    );
    c.files().report(&hash).await.unwrap();
    assert_eq!(fake.count(), 1, "the fresh answer replaced the stale one");

    let refreshing = client(
        &fake,
        "key-1",
        st.clone(),
        CachePolicy {
            refresh: true,
            ..policy
        },
    );
    refreshing.files().report(&hash).await.unwrap();
    assert_eq!(fake.count(), 2, "--refresh asks again");
    let stored = st.get(&ns, &key).unwrap().unwrap();
    assert!(stored.age(SystemTime::now()) < Duration::from_secs(60));
}

#[tokio::test]
async fn not_found_answers_are_kept_for_a_shorter_time() {
    let dir = tempfile::tempdir().unwrap();
    let st = store(dir.path());
    let fake = report_fake();
    let c = client(&fake, "key-1", st.clone(), CachePolicy::default());
    let unknown = "0000000000000000000000000000000a".parse().unwrap();
    let e = c.files().report(&unknown).await.unwrap_err();
    assert!(e.is_not_found());
    let (e, used) = observe(c.files().report(&unknown)).await;
    assert!(
        e.unwrap_err().is_not_found(),
        "the cached not-found is still an error"
    );
    assert!(used.all_cached());
    assert_eq!(fake.count(), 1);

    // Two hours old: past the not-found limit (1 h) though well within max_age (1 day).
    let ns = st.namespace("key-1");
    let key = "http://vt.test/api/v3/files/0000000000000000000000000000000a";
    let body = st.get(&ns, key).unwrap().unwrap().body;
    st.put(
        &ns,
        key,
        &answer(
            404,
            std::str::from_utf8(&body).unwrap(),
            Duration::from_secs(7200),
        ),
    )
    .unwrap();
    c.files().report(&unknown).await.unwrap_err();
    assert_eq!(fake.count(), 2);
}

#[tokio::test]
async fn errors_writes_and_running_analyses_are_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let st = store(dir.path());
    let fake = Fake::new(|_, seen| {
        let p = seen.path();
        if p.contains("/analyses/") {
            respond(
                200,
                r#"{"data": {"type": "analysis", "id": "a", "attributes": {"status": "queued"}}}"#,
            )
        } else if p.ends_with("/votes") && seen.method == http::Method::POST {
            respond(
                200,
                r#"{"data": {"type": "vote", "id": "v", "attributes": {"verdict": "harmless"}}}"#,
            )
        } else {
            api_error(503, "TransientError")
        }
    });
    let c = client(&fake, "key-1", st.clone(), CachePolicy::default());
    let hash = HASH.parse().unwrap();
    c.files().report(&hash).await.unwrap_err();
    c.files().report(&hash).await.unwrap_err();
    assert_eq!(fake.count(), 2, "a 503 is never kept");
    let id = "a".parse().unwrap();
    c.analyses().get(&id).await.unwrap();
    c.analyses().get(&id).await.unwrap();
    assert_eq!(fake.count(), 4, "a queued analysis is never kept");
    c.files()
        .add_vote(&hash, &vt_api::model::Verdict::Harmless)
        .await
        .unwrap();
    c.files()
        .add_vote(&hash, &vt_api::model::Verdict::Harmless)
        .await
        .unwrap();
    assert_eq!(fake.count(), 6, "writes always go out");
    assert_eq!(st.stats().unwrap().entries, 0);
}

#[tokio::test]
async fn keys_do_not_see_each_others_entries_and_are_never_stored() {
    let dir = tempfile::tempdir().unwrap();
    let st = store(dir.path());
    let fake = report_fake();
    let hash = HASH.parse().unwrap();
    let secret = "0123456789abcdef-very-secret-key";
    client(&fake, secret, st.clone(), CachePolicy::default())
        .files()
        .report(&hash)
        .await
        .unwrap();
    client(&fake, "another-key", st.clone(), CachePolicy::default())
        .files()
        .report(&hash)
        .await
        .unwrap();
    assert_eq!(fake.count(), 2, "another key asks for itself");
    assert_eq!(st.stats().unwrap().namespaces, 2);
    assert_ne!(st.namespace(secret), st.namespace("another-key"));
    let path = st.path().to_owned();
    drop(st);
    for file in [path.clone(), format!("{}-wal", path.display()).into()] {
        if let Ok(bytes) = std::fs::read(&file) {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds the key",
                file.display()
            );
        }
    }
    // Another store (another salt) names the same key differently.
    let other = tempfile::tempdir().unwrap();
    assert_ne!(
        store(other.path()).namespace(secret),
        store(dir.path()).namespace(secret)
    );
}

#[test]
fn least_recently_used_entries_go_first_past_the_size_bound() {
    let dir = tempfile::tempdir().unwrap();
    let st = SqliteCache::open(dir.path().join("c.sqlite3"))
        .unwrap()
        .cache
        .with_max_bytes(10_000);
    // 1000 bytes that do not compress: the bound counts the bytes kept.
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    let body: String = (0..1000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b"0123456789abcdef"[(x & 15) as usize])
        })
        .collect();
    for i in 0..9 {
        st.put("ns", &format!("k{i}"), &answer(200, &body, Duration::ZERO))
            .unwrap();
    }
    // k0 is read (used) after a while; k1 becomes the least recently used.
    std::thread::sleep(Duration::from_millis(5));
    assert!(st.get("ns", "k0").unwrap().is_some());
    st.put("ns", "k9", &answer(200, &body, Duration::ZERO))
        .unwrap();
    st.put("ns", "k10", &answer(200, &body, Duration::ZERO))
        .unwrap();
    let removed = st
        .prune(Duration::from_secs(86400), Duration::from_secs(3600))
        .unwrap();
    assert!(removed >= 2, "removed {removed}");
    let stats = st.stats().unwrap();
    assert!(stats.bytes <= 10_000, "{stats:?}");
    assert!(
        st.get("ns", "k1").unwrap().is_none(),
        "the least recently used went"
    );
    assert!(st.get("ns", "k10").unwrap().is_some(), "the newest stayed");
}

#[test]
fn prune_removes_expired_entries_and_clear_removes_all() {
    let dir = tempfile::tempdir().unwrap();
    let st = store(dir.path());
    st.put(
        "ns",
        "old",
        &answer(200, "{}", Duration::from_secs(3 * 86400)),
    )
    .unwrap();
    st.put("ns", "gone", &answer(404, "{}", Duration::from_secs(7200)))
        .unwrap();
    st.put("ns", "new", &answer(200, "{}", Duration::ZERO))
        .unwrap();
    assert_eq!(
        st.prune(Duration::from_secs(86400), Duration::from_secs(3600))
            .unwrap(),
        2
    );
    assert_eq!(st.stats().unwrap().entries, 1);
    assert_eq!(st.clear().unwrap(), 1);
    assert_eq!(st.stats().unwrap().entries, 0);
    assert_eq!(st.integrity_check().unwrap(), "ok");
}

#[test]
fn the_file_is_private_in_a_private_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new/vt/cache.sqlite3");
    let st = SqliteCache::open(&path).unwrap().cache;
    st.put("ns", "k", &answer(200, "{}", Duration::ZERO))
        .unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    let wal = format!("{}-wal", path.display());
    assert_eq!(mode(Path::new(&wal)), 0o600);
}

#[test]
fn unsafe_or_unwritable_directories_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let open = dir.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let e = SqliteCache::open(open.join("c.sqlite3")).unwrap_err();
    assert!(matches!(e, OpenError::UnsafeDirectory { .. }), "{e}");
    assert!(e.to_string().contains("writable by everyone"));

    // Root can write anywhere: only check read-only directories as another user.
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o500)).unwrap();
    let probe = std::fs::File::create(ro.join("probe"));
    if probe.is_err() {
        let e = SqliteCache::open(ro.join("c.sqlite3")).unwrap_err();
        assert!(matches!(e, OpenError::Unwritable { .. }), "{e}");
    }
    let file = dir.path().join("plain");
    std::fs::write(&file, "x").unwrap();
    assert!(SqliteCache::open(file.join("c.sqlite3")).is_err());
}

#[test]
fn a_corrupt_file_is_moved_aside_and_a_fresh_store_made() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    let opened = SqliteCache::open(&path).unwrap();
    let (aside, why) = opened.moved_aside.expect("moved aside");
    assert!(aside.exists());
    assert!(aside.display().to_string().contains("cache.sqlite3.bad-"));
    assert!(!why.is_empty());
    assert_eq!(std::fs::read(&aside).unwrap(), vec![0x5a; 8192]);
    opened
        .cache
        .put("ns", "k", &answer(200, "{}", Duration::ZERO))
        .unwrap();
    assert_eq!(opened.cache.integrity_check().unwrap(), "ok");
}

#[test]
fn another_programs_database_is_moved_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL);")
            .unwrap();
    }
    let opened = SqliteCache::open(&path).unwrap();
    let (_, why) = opened.moved_aside.clone().expect("moved aside");
    assert!(why.contains("not a vt cache"), "{why}");
    // Opening the fresh store again finds it fine.
    drop(opened);
    assert!(SqliteCache::open(&path).unwrap().moved_aside.is_none());
}

#[test]
fn threads_writing_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                // One store (connection) per thread, as separate processes would have.
                let st = SqliteCache::open(&path).unwrap().cache;
                for i in 0..100 {
                    st.put(
                        "ns",
                        &format!("t{t}-{i}"),
                        &answer(200, "{\"x\":1}", Duration::ZERO),
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let st = SqliteCache::open(&path).unwrap();
    assert!(st.moved_aside.is_none());
    assert_eq!(st.cache.stats().unwrap().entries, 400);
    assert_eq!(st.cache.integrity_check().unwrap(), "ok");
}

#[test]
fn processes_writing_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    let children: Vec<_> = (0..3)
        .map(|n| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "child_writer", "--nocapture"])
                .env("VT_CACHE_TEST_WRITER", &path)
                .env("VT_CACHE_TEST_WRITER_ID", n.to_string())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let st = SqliteCache::open(&path).unwrap();
    assert!(st.moved_aside.is_none());
    assert_eq!(st.cache.stats().unwrap().entries, 600);
    assert_eq!(st.cache.integrity_check().unwrap(), "ok");
}

/// Child of `processes_writing_at_once_lose_nothing` (does nothing when run alone).
#[test]
fn child_writer() {
    let Some(path) = std::env::var_os("VT_CACHE_TEST_WRITER") else {
        return;
    };
    let id = std::env::var("VT_CACHE_TEST_WRITER_ID").unwrap();
    let st = SqliteCache::open(Path::new(&path)).unwrap().cache;
    for i in 0..200 {
        st.put(
            "ns",
            &format!("p{id}-{i}"),
            &answer(200, "{\"x\":1}", Duration::ZERO),
        )
        .unwrap();
    }
}

#[tokio::test]
async fn a_request_or_answer_holding_the_key_is_never_stored() {
    let dir = tempfile::tempdir().unwrap();
    let st = store(dir.path());
    let secret = "k3y-SECRET-7f1d2c9a6b";
    let fake = Fake::new(|_, seen| {
        if seen.path().contains("/domains/") {
            respond(
                200,
                r#"{"data": {"type": "domain", "id": "k3y-SECRET-7f1d2c9a6b.example", "attributes": {}}}"#,
            )
        } else {
            api_error(404, "NotFoundError")
        }
    });
    let c = client(&fake, secret, st.clone(), CachePolicy::default());
    // The key typed where an identifier goes (the URL holds it) ...
    c.get_json::<serde_json::Value>(&format!("/files/{secret}"))
        .await
        .unwrap_err();
    // ... and an answer that holds it.
    let domain = "k3y-secret-7f1d2c9a6b.example".parse().unwrap();
    c.domains().report(&domain).await.unwrap();
    assert_eq!(st.stats().unwrap().entries, 0);
}

#[test]
fn queued_answers_are_read_at_once_and_stored_by_flush() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    let st = SqliteCache::open(&path).unwrap().cache;
    let other = SqliteCache::open(&path).unwrap().cache;
    for i in 0..1000 {
        st.put(
            "ns",
            &format!("k{i}"),
            &answer(200, "{\"x\":1}", Duration::ZERO),
        )
        .unwrap();
    }
    // Read back through the same store before any commit is guaranteed.
    let got = st.get("ns", "k999").unwrap().unwrap();
    assert_eq!(&got.body[..], b"{\"x\":1}");
    assert_eq!(st.stored("ns", "k0").unwrap().map(|s| s.0), Some(200));
    st.flush().unwrap();
    // Another connection (another process) sees every answer once flushed.
    for i in [0, 500, 999] {
        assert!(other.get("ns", &format!("k{i}")).unwrap().is_some(), "k{i}");
    }
    assert_eq!(other.stats().unwrap().entries, 1000);
}

#[test]
fn dropping_the_store_writes_what_is_queued() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    let st = SqliteCache::open(&path).unwrap().cache;
    for i in 0..300 {
        st.put("ns", &format!("k{i}"), &answer(200, "{}", Duration::ZERO))
            .unwrap();
    }
    drop(st);
    let st = SqliteCache::open(&path).unwrap().cache;
    assert_eq!(st.stats().unwrap().entries, 300);
    assert_eq!(st.integrity_check().unwrap(), "ok");
}

#[test]
fn answers_are_committed_without_a_flush_within_moments() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    let st = SqliteCache::open(&path).unwrap().cache;
    let other = SqliteCache::open(&path).unwrap().cache;
    st.put("ns", "k", &answer(200, "{}", Duration::ZERO))
        .unwrap();
    // The writer commits a batch after its window (5 ms) by itself.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while other.get("ns", "k").unwrap().is_none() {
        assert!(std::time::Instant::now() < deadline, "never committed");
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(st);
}
