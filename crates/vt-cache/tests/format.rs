//! The store's format: bodies kept compressed, a format 1 store upgraded in place, a newer or
//! damaged one never misread, and several lookups read in one transaction.

use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use rusqlite::Connection;
use vt_api::cache::{CachePolicy, CachedAnswer, ReportCache};
use vt_api::transport::RateLimitSpec;
use vt_cache::SqliteCache;
use vt_test_support::Fake;

/// A report shaped like VirusTotal's: one entry per engine, the same keys in each.
fn report() -> String {
    let engines: Vec<String> = (0..70)
        .map(|i| {
            format!(
                r#""Engine{i}": {{"category": "undetected", "engine_name": "Engine{i}", "engine_version": "{i}.0.1", "result": null, "method": "blacklist", "engine_update": "20261203"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"data": {{"type": "file", "id": "44d88612fea8a8f36de82e1278abb02f", "attributes": {{"last_analysis_results": {{{}}}}}}}}}"#,
        engines.join(", ")
    )
}

fn answer(body: &str) -> CachedAnswer {
    CachedAnswer {
        status: 200,
        body: Bytes::from(body.to_owned()),
        stored_at: SystemTime::now(),
    }
}

fn open(path: &Path) -> SqliteCache {
    let opened = SqliteCache::open(path).unwrap();
    assert!(opened.moved_aside.is_none(), "{:?}", opened.moved_aside);
    opened.cache
}

#[test]
fn bodies_are_kept_compressed_and_read_back_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    let st = open(&path);
    let body = report();
    st.put("ns", "files/a", &answer(&body)).unwrap();
    st.put("ns", "files/short", &answer("{}")).unwrap();
    st.flush().unwrap();
    let conn = Connection::open(&path).unwrap();
    let (codec, stored, size): (i64, i64, i64) = conn
        .query_row(
            "SELECT codec, length(body), size FROM reports WHERE key = 'files/a'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(codec, 1, "LZ4");
    assert!(stored * 4 < body.len() as i64, "{stored} of {}", body.len());
    assert_eq!(
        size,
        stored + "files/a".len() as i64,
        "the bound counts what is kept"
    );
    let short: i64 = conn
        .query_row(
            "SELECT codec FROM reports WHERE key = 'files/short'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(short, 0, "a short body is kept as is");
    // Read back by another store (another process), not from the queue.
    let other = open(&path);
    assert_eq!(
        other.get("ns", "files/a").unwrap().unwrap().body,
        body.as_bytes()
    );
    assert_eq!(
        &other.get("ns", "files/short").unwrap().unwrap().body[..],
        b"{}"
    );
    assert!(other.stats().unwrap().bytes < body.len() as u64 / 4);
}

/// The schema and marker of format 1 (vt-cache before bodies were compressed).
const FORMAT_1: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE entries (
    ns TEXT NOT NULL, key TEXT NOT NULL, status INTEGER NOT NULL, body BLOB NOT NULL,
    stored_at INTEGER NOT NULL, used_at INTEGER NOT NULL, size INTEGER NOT NULL,
    UNIQUE (ns, key)
);
CREATE INDEX entries_used_at ON entries (used_at);
CREATE INDEX entries_used_size ON entries (used_at, size);
INSERT INTO meta (key, value) VALUES ('format', 'vt-cache/1'), ('salt', x'000102030405060708090a0b0c0d0e0f1011121314151617');
";

#[test]
fn a_format_1_store_is_upgraded_in_place_and_keeps_its_answers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    let body = report();
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode=WAL;").unwrap();
        conn.execute_batch(FORMAT_1).unwrap();
        let now = vt_millis(SystemTime::now());
        conn.execute(
            "INSERT INTO entries VALUES ('ns', 'files/a', 200, ?1, ?2, ?2, ?3)",
            rusqlite::params![body.as_bytes(), now, body.len() as i64 + 7],
        )
        .unwrap();
    }
    let st = open(&path);
    let namespace = st.namespace("key-1");
    assert_eq!(
        st.get("ns", "files/a").unwrap().unwrap().body,
        body.as_bytes()
    );
    // The salt came along: the namespace of a key is what it was.
    let again = open(&path);
    assert_eq!(again.namespace("key-1"), namespace);
    st.put("ns", "files/b", &answer(&body)).unwrap();
    st.flush().unwrap();
    assert_eq!(st.stats().unwrap().entries, 2);
    assert_eq!(st.integrity_check().unwrap(), "ok");
    let conn = Connection::open(&path).unwrap();
    let format: String = conn
        .query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(format, "vt-cache/2");
    let old_tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name LIKE 'entries%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(old_tables, 0, "the old table and its indexes are gone");
}

fn vt_millis(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[test]
fn a_store_of_a_newer_format_is_moved_aside_never_misread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
             CREATE TABLE reports (x);
             INSERT INTO meta VALUES ('format', 'vt-cache/3'), ('salt', x'00');",
        )
        .unwrap();
    }
    let opened = SqliteCache::open(&path).unwrap();
    let (aside, why) = opened.moved_aside.expect("moved aside");
    assert!(
        why.contains("vt-cache/3") && why.contains("another version"),
        "{why}"
    );
    assert!(aside.exists());
    assert!(opened.cache.get("ns", "files/a").unwrap().is_none());
}

#[tokio::test]
async fn a_damaged_body_is_asked_again_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    let st = Arc::new(open(&path));
    let body = report();
    let fake = Fake::answering(move |_| (200, report()));
    let c = vt_api::Client::builder()
        .api_key("key-1")
        .base_url("http://vt.test")
        .rate_limit(RateLimitSpec::none())
        .max_retries(0)
        .cache(st.clone(), CachePolicy::default())
        .build_with(fake.service())
        .unwrap();
    let hash = "44d88612fea8a8f36de82e1278abb02f".parse().unwrap();
    let first = c.files().report_json(&hash).await.unwrap();
    c.flush_cache().await.unwrap();
    assert_eq!(fake.count(), 1);
    // Cut the stored block in half behind the store's back.
    Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE reports SET body = substr(body, 1, length(body) / 2)",
            [],
        )
        .unwrap();
    let (namespace, key): (String, String) = Connection::open(&path)
        .unwrap()
        .query_row("SELECT ns, key FROM reports", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let fresh = open(&path);
    assert!(
        fresh.get(&namespace, &key).is_err(),
        "a read error, not a body"
    );
    let again = c.files().report_json(&hash).await.unwrap();
    assert_eq!(fake.count(), 2, "the damaged entry was a miss");
    assert_eq!(again.get(), first.get(), "and the answer is VirusTotal's");
    assert!(body.contains(again.get()));
}

#[test]
fn several_lookups_are_read_at_once_in_their_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    let st = open(&path);
    st.put("ns", "stored", &answer("{\"n\": 1}")).unwrap();
    st.flush().unwrap();
    st.put("ns", "queued", &answer("{\"n\": 2}")).unwrap();
    let keys: Vec<String> = ["queued", "missing", "stored", "queued"]
        .map(String::from)
        .to_vec();
    let got: Vec<Option<Vec<u8>>> = st
        .get_many("ns", &keys)
        .into_iter()
        .map(|a| a.unwrap().map(|a| a.body.to_vec()))
        .collect();
    assert_eq!(
        got,
        vec![
            Some(b"{\"n\": 2}".to_vec()),
            None,
            Some(b"{\"n\": 1}".to_vec()),
            Some(b"{\"n\": 2}".to_vec()),
        ]
    );
    // Another namespace sees none of them.
    assert!(
        st.get_many("other", &keys)
            .iter()
            .all(|a| matches!(a, Ok(None)))
    );
}
