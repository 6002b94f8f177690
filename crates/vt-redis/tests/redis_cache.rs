//! The Redis report cache against a real `redis-server` (skipped when it is not installed,
//! fatal with `VT_REQUIRE_REDIS=1`): several stores (as several processes would) share one
//! key's entries; expiry, namespaces, maintenance, and a Redis that goes away.

use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use vt_api::cache::{CachedAnswer, ReportCache};
use vt_redis::{FleetUrl, RedisCache, RedisCacheOptions};
use vt_test_support::RedisServer;

const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const OTHER_KEY: &str = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
const URL_A: &str = "https://www.virustotal.com/api/v3/files/aaaa";
const URL_B: &str = "https://www.virustotal.com/api/v3/files/bbbb";

fn store(server: &RedisServer, options: RedisCacheOptions) -> RedisCache {
    let url: FleetUrl = server.url().parse().unwrap();
    RedisCache::connect(&url, options).unwrap()
}

fn answer(status: u16, body: &'static [u8]) -> CachedAnswer {
    CachedAnswer {
        status,
        body: Bytes::from_static(body),
        stored_at: SystemTime::now(),
    }
}

/// Every key in the server's database 0.
fn all_keys(server: &RedisServer) -> Vec<String> {
    let client = redis::Client::open(server.url()).unwrap();
    let mut con = client.get_connection().unwrap();
    redis::cmd("KEYS").arg("*").query(&mut con).unwrap()
}

#[test]
fn an_answer_put_by_one_member_is_read_byte_for_byte_by_another() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let first = store(&server, RedisCacheOptions::default());
    let second = store(&server, RedisCacheOptions::default());
    let ns = first.namespace(KEY);
    assert_eq!(ns, second.namespace(KEY), "every member names a key alike");
    let body: &'static [u8] = b"{\"data\": {\"id\": \"aaaa\"}}\n  \xe2\x9c\x93";
    let put = answer(200, body);
    first.put(&ns, URL_A, &put).unwrap();
    // Seen at once through the store that queued it, before it reached Redis.
    assert_eq!(first.get(&ns, URL_A).unwrap(), Some(put.clone()));
    first.flush().unwrap();
    let got = second.get(&ns, URL_A).unwrap().expect("stored in Redis");
    assert_eq!(got.status, 200);
    assert_eq!(got.body.as_ref(), body);
    // Milliseconds are kept: the age a member shows is the writer's.
    let ms = |t: SystemTime| {
        t.duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis()
    };
    assert_eq!(ms(got.stored_at), ms(put.stored_at));
    assert_eq!(
        second.stored(&ns, URL_A).unwrap().map(|(s, _)| s),
        Some(200)
    );
    assert_eq!(second.get(&ns, URL_B).unwrap(), None);
    assert_eq!(second.stored(&ns, URL_B).unwrap(), None);
}

#[test]
fn many_lookups_at_once_see_queued_stored_and_missing_answers_in_order() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let writer = store(&server, RedisCacheOptions::default());
    let reader = store(&server, RedisCacheOptions::default());
    let ns = writer.namespace(KEY);
    let urls: Vec<String> = (0..600)
        .map(|i| format!("https://www.virustotal.com/api/v3/files/{i:064x}"))
        .collect();
    // Every third one stored (more than one MGET's worth), then one queued in the reader.
    for (i, url) in urls.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        let body = Bytes::from(format!("{{\"n\":{i}}}"));
        let answer = CachedAnswer {
            body,
            ..answer(200, b"")
        };
        writer.put(&ns, url, &answer).unwrap();
    }
    writer.flush().unwrap();
    reader.put(&ns, &urls[1], &answer(404, b"{}")).unwrap();
    let got = reader.get_many(&ns, &urls);
    assert_eq!(got.len(), urls.len());
    for (i, answer) in got.into_iter().enumerate() {
        let answer = answer.unwrap();
        match i {
            1 => assert_eq!(answer.map(|a| a.status), Some(404)),
            i if i % 3 == 0 => assert_eq!(
                answer.map(|a| a.body),
                Some(Bytes::from(format!("{{\"n\":{i}}}"))),
                "{i}"
            ),
            _ => assert_eq!(answer, None, "{i}"),
        }
    }
}

#[test]
fn the_api_key_never_reaches_redis_and_keys_are_namespaced_by_its_digest() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let cache = store(&server, RedisCacheOptions::default());
    let ns = cache.namespace(KEY);
    cache.put(&ns, URL_A, &answer(200, b"{}")).unwrap();
    cache.flush().unwrap();
    let keys = all_keys(&server);
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(keys[0], format!("vt:cache:{{{ns}}}:{URL_A}"));
    assert!(!keys[0].contains(&KEY[..16]));
}

#[test]
fn another_key_sees_none_of_these_entries_and_clear_removes_only_its_own() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let cache = store(&server, RedisCacheOptions::default());
    let (mine, theirs) = (cache.namespace(KEY), cache.namespace(OTHER_KEY));
    assert_ne!(mine, theirs);
    cache.put(&mine, URL_A, &answer(200, b"{\"a\":1}")).unwrap();
    cache
        .put(&mine, URL_B, &answer(404, b"{\"error\":{}}"))
        .unwrap();
    cache
        .put(&theirs, URL_A, &answer(200, b"{\"other\":1}"))
        .unwrap();
    cache.flush().unwrap();
    let reader = store(&server, RedisCacheOptions::default());
    assert_eq!(
        reader.get(&theirs, URL_A).unwrap().unwrap().body.as_ref(),
        b"{\"other\":1}"
    );
    assert_eq!(reader.get(&theirs, URL_B).unwrap(), None);

    let stats = reader.stats(&mine).unwrap();
    assert_eq!((stats.entries, stats.not_found), (2, 1));
    let prefix = RedisCache::key_prefix(&mine);
    // Key, 15 bytes of header, body (short bodies are kept as they came).
    let want_bytes = (prefix.len() + URL_A.len() + 15 + 7) + (prefix.len() + URL_B.len() + 15 + 12);
    assert_eq!(stats.bytes, want_bytes as u64);
    assert!(stats.oldest.is_some() && stats.oldest <= stats.newest);

    assert_eq!(reader.clear(&mine).unwrap(), 2);
    assert_eq!(reader.stats(&mine).unwrap().entries, 0);
    assert_eq!(reader.get(&mine, URL_A).unwrap(), None);
    assert_eq!(reader.stats(&theirs).unwrap().entries, 1);
}

#[test]
fn redis_expires_reports_and_not_found_answers_itself() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let options = RedisCacheOptions {
        ttl: Duration::from_secs(30),
        not_found_ttl: Duration::from_millis(300),
        ..RedisCacheOptions::default()
    };
    let cache = store(&server, options);
    let ns = cache.namespace(KEY);
    cache.put(&ns, URL_A, &answer(200, b"{}")).unwrap();
    cache.put(&ns, URL_B, &answer(404, b"{}")).unwrap();
    // Older than its expiry already: not written at all.
    let old = CachedAnswer {
        stored_at: SystemTime::now() - Duration::from_secs(60),
        ..answer(200, b"{}")
    };
    cache
        .put(&ns, "https://www.virustotal.com/api/v3/files/old", &old)
        .unwrap();
    cache.flush().unwrap();
    let client = redis::Client::open(server.url()).unwrap();
    let mut con = client.get_connection().unwrap();
    let prefix = RedisCache::key_prefix(&ns);
    let ttl_a: i64 = redis::cmd("PTTL")
        .arg(format!("{prefix}{URL_A}"))
        .query(&mut con)
        .unwrap();
    assert!((29_000..=30_000).contains(&ttl_a), "{ttl_a}");
    assert_eq!(cache.stats(&ns).unwrap().entries, 2);
    std::thread::sleep(Duration::from_millis(600));
    assert!(cache.get(&ns, URL_A).unwrap().is_some());
    assert_eq!(
        cache.get(&ns, URL_B).unwrap(),
        None,
        "the not-found answer expired"
    );
    assert_eq!(cache.stats(&ns).unwrap().entries, 1);
}

#[test]
fn options_for_a_policy_follow_its_ages() {
    let policy = vt_api::CachePolicy {
        max_age: Duration::from_secs(600),
        not_found_max_age: Duration::from_secs(3600),
        refresh: false,
    };
    let options = RedisCacheOptions::for_policy(&policy);
    assert_eq!(options.ttl, Duration::from_secs(600));
    assert_eq!(options.not_found_ttl, Duration::from_secs(600));
}

#[test]
fn a_value_that_is_not_a_cache_entry_is_a_miss() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let cache = store(&server, RedisCacheOptions::default());
    let ns = cache.namespace(KEY);
    let client = redis::Client::open(server.url()).unwrap();
    let mut con = client.get_connection().unwrap();
    let _: () = redis::cmd("SET")
        .arg(format!("{}{URL_A}", RedisCache::key_prefix(&ns)))
        .arg("something else entirely")
        .query(&mut con)
        .unwrap();
    assert_eq!(cache.get(&ns, URL_A).unwrap(), None);
    assert_eq!(cache.stored(&ns, URL_A).unwrap(), None);
}

#[test]
fn redis_lost_mid_run_is_a_miss_and_a_dropped_write_then_it_is_used_again() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let options = RedisCacheOptions {
        retry_after: Duration::from_millis(300),
        ..RedisCacheOptions::default()
    };
    let cache = store(&server, options);
    let ns = cache.namespace(KEY);
    cache.put(&ns, URL_A, &answer(200, b"{\"a\":1}")).unwrap();
    cache.flush().unwrap();
    assert!(cache.get(&ns, URL_A).unwrap().is_some());

    server.kill();
    let start = Instant::now();
    for _ in 0..200 {
        assert_eq!(cache.get(&ns, URL_A).unwrap(), None, "a miss, not an error");
    }
    let many = cache.get_many(&ns, &[URL_A.to_owned(), URL_B.to_owned()]);
    assert!(many.iter().all(|a| matches!(a, Ok(None))), "{many:?}");
    // One failure, then Redis is left alone: 200 lookups do not wait 200 timeouts.
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    cache.put(&ns, URL_B, &answer(200, b"{\"b\":1}")).unwrap();
    // Dropped, not waited for: flush returns at once (the outage's one warning said it).
    cache.flush().unwrap();
    assert_eq!(cache.get(&ns, URL_B).unwrap(), None);

    server.restart();
    std::thread::sleep(Duration::from_millis(400));
    // The restarted server lost its data (no persistence): a miss, then stored again.
    assert_eq!(cache.get(&ns, URL_A).unwrap(), None);
    cache.put(&ns, URL_B, &answer(200, b"{\"b\":2}")).unwrap();
    cache.flush().unwrap();
    let other = store(&server, RedisCacheOptions::default());
    assert_eq!(
        other.get(&ns, URL_B).unwrap().unwrap().body.as_ref(),
        b"{\"b\":2}"
    );
}

#[test]
fn unreachable_at_start_is_an_error_without_the_password() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    server.kill();
    let url: FleetUrl = format!("redis://:hunter2@127.0.0.1:{}/0", server.port())
        .parse()
        .unwrap();
    let err = RedisCache::connect(&url, RedisCacheOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("Redis cache at redis://:***@127.0.0.1:"),
        "{text}"
    );
    assert!(text.contains("unreachable"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}
