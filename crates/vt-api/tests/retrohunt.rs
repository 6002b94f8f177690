//! `client.retrohunt()` against httpmock: the exact wire format of create (rules, corpus, time
//! range, e-mail), list (filter, cursor), get, abort (and its race with the job's end), delete,
//! matching files as a stream, and the wait (progress observed, transient errors ridden out,
//! `aborted`/`failed` and timeouts as typed errors, resumable from the id alone).

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{http_client, refuse_every_request};
use futures_util::TryStreamExt;
use httpmock::prelude::*;
use serde_json::json;
use vt_api::retrohunt::NewRetrohuntJob;
use vt_api::{Error, ErrorClass, WaitOptions};
use vt_model::{RetrohuntCorpus, RetrohuntJobId, RetrohuntStatus, Timestamp};

const RULES: &str =
    r#"rule eicar { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }"#;
const ID: &str = "alice-1700000000";

fn id() -> RetrohuntJobId {
    ID.parse().unwrap()
}

fn fast() -> WaitOptions {
    WaitOptions::new()
        .intervals(Duration::from_millis(5), Duration::from_millis(10))
        .timeout(Duration::from_secs(5))
}

fn job(status: &str, progress: f64, matches: u64) -> String {
    json!({"data": {"type": "retrohunt_job", "id": ID, "attributes": {
        "status": status, "progress": progress, "scanned_bytes": (progress * 1000.0) as u64,
        "num_matches": matches, "rules": RULES, "corpus": "main"}}})
    .to_string()
}

#[tokio::test]
async fn create_posts_the_job_object_with_only_the_members_set() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/intelligence/retrohunt_jobs")
                .header("x-apikey", common::KEY)
                .header("content-type", "application/json")
                .json_body(json!({"data": {"type": "retrohunt_job", "attributes": {
                    "rules": RULES, "corpus": "goodware",
                    "time_range": {"start": 1_700_000_000, "end": 1_700_086_399},
                    "notification_email": "hunter@example.com"}}}));
            then.status(200).body(job("starting", 0.0, 0));
        })
        .await;
    let bare = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/intelligence/retrohunt_jobs")
                .json_body(json!({"data": {"type": "retrohunt_job", "attributes": {"rules": "rule b { condition: true }"}}}));
            then.status(200).body(job("queued", 0.0, 0));
        })
        .await;
    let client = http_client(&server.base_url());
    let new = NewRetrohuntJob::new(RULES)
        .corpus(RetrohuntCorpus::Goodware)
        .time_range(
            Some(Timestamp(1_700_000_000)),
            Some(Timestamp(1_700_086_399)),
        )
        .notification_email("hunter@example.com");
    let created = client.retrohunt().create(&new).await.unwrap();
    create.assert_async().await;
    assert_eq!(created.id_str(), ID);
    assert_eq!(created.attributes.status, Some(RetrohuntStatus::Starting));
    let queued = client
        .retrohunt()
        .create(&NewRetrohuntJob::new("rule b { condition: true }"))
        .await
        .unwrap();
    bare.assert_async().await;
    assert_eq!(queued.attributes.status, Some(RetrohuntStatus::Queued));
}

#[tokio::test]
async fn bad_jobs_are_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let any = refuse_every_request(&server).await;
    let client = http_client(&server.base_url());
    let cases = [
        NewRetrohuntJob::new(""),
        NewRetrohuntJob::new("  \n\t"),
        NewRetrohuntJob::new("x".repeat(vt_api::retrohunt::MAX_RULES_BYTES + 1)),
        NewRetrohuntJob::new("rule a { condition: true }\0"),
        NewRetrohuntJob::new(RULES).time_range(Some(Timestamp(10)), Some(Timestamp(9))),
        NewRetrohuntJob::new(RULES).notification_email("not an address"),
        NewRetrohuntJob::new(RULES).notification_email("a@b"),
        NewRetrohuntJob::new(RULES).corpus(RetrohuntCorpus::parse("Main Corpus")),
    ];
    for case in cases {
        let err = client.retrohunt().create(&case).await.unwrap_err();
        assert!(err.is_invalid_input(), "{err}");
        assert_eq!(err.class(), ErrorClass::Local);
    }
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn list_filters_and_pages_get_and_delete_use_the_job_path() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/retrohunt_jobs")
                .query_param("filter", "status:running")
                .query_param("limit", "1")
                .query_param_missing("cursor");
            then.status(200).body(
                json!({"data": [{"type": "retrohunt_job", "id": ID, "attributes": {"status": "running", "progress": 12.5}}],
                       "meta": {"cursor": "Q1"}})
                .to_string(),
            );
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/retrohunt_jobs")
                .query_param("cursor", "Q1");
            then.status(200).body(
                json!({"data": [{"type": "retrohunt_job", "id": "bob-1", "attributes": {"status": "running"}}], "meta": {}})
                    .to_string(),
            );
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/retrohunt_jobs/alice-1700000000");
            then.status(200).body(job("running", 62.06, 3));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/api/v3/intelligence/retrohunt_jobs/alice-1700000000");
            then.status(200).body("{}");
        })
        .await;
    let client = http_client(&server.base_url());
    let jobs: Vec<_> = client
        .retrohunt()
        .list()
        .filter("status:running")
        .page_size(1)
        .try_collect()
        .await
        .unwrap();
    first.assert_async().await;
    second.assert_async().await;
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0].attributes.progress_percent(), 12.5);
    let one = client.retrohunt().get(&id()).await.unwrap();
    get.assert_async().await;
    assert_eq!(one.attributes.num_matches, Some(3));
    assert_eq!(one.attributes.progress_percent(), 62.06);
    client.retrohunt().delete(&id()).await.unwrap();
    delete.assert_async().await;
}

#[tokio::test]
async fn matching_files_are_a_stream_of_files_with_their_context() {
    let server = MockServer::start_async().await;
    let sha = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
    let page = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/retrohunt_jobs/alice-1700000000/matching_files")
                .query_param("limit", "10");
            then.status(200).body(
                json!({"data": [{"type": "file", "id": sha,
                    "attributes": {"sha256": sha, "size": 68},
                    "context_attributes": {"rule_name": "eicar", "match_in_subfile": false}}],
                    "meta": {}})
                .to_string(),
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let files: Vec<_> = client
        .retrohunt()
        .matching_files(&id())
        .page_size(10)
        .try_collect()
        .await
        .unwrap();
    page.assert_async().await;
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].attributes.size, Some(68));
    assert_eq!(
        files[0].context_attributes.as_ref().unwrap()["rule_name"],
        "eicar"
    );
}

#[tokio::test]
async fn abort_posts_without_a_body_then_reads_the_job_back() {
    let server = MockServer::start_async().await;
    let abort = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/intelligence/retrohunt_jobs/alice-1700000000/abort")
                .body("");
            then.status(200);
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/retrohunt_jobs/alice-1700000000");
            then.status(200).body(job("aborting", 40.0, 1));
        })
        .await;
    let client = http_client(&server.base_url());
    let job = client.retrohunt().abort(&id()).await.unwrap();
    abort.assert_async().await;
    get.assert_async().await;
    assert_eq!(job.attributes.status, Some(RetrohuntStatus::Aborting));
}

#[tokio::test]
async fn an_abort_that_loses_the_race_with_the_end_is_a_typed_error() {
    // The server refuses (or silently takes) the abort of a job that has just finished.
    for refused in [true, false] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(POST)
                    .path("/api/v3/intelligence/retrohunt_jobs/alice-1700000000/abort");
                if refused {
                    then.status(400).body(
                        r#"{"error": {"code": "BadRequestError", "message": "job already finished"}}"#,
                    );
                } else {
                    then.status(200);
                }
            })
            .await;
        server
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/api/v3/intelligence/retrohunt_jobs/alice-1700000000");
                then.status(200).body(job("finished", 100.0, 2));
            })
            .await;
        let client = http_client(&server.base_url());
        let err = client.retrohunt().abort(&id()).await.unwrap_err();
        assert!(
            matches!(&err, Error::RetrohuntAlreadyEnded { status, .. } if status == "finished"),
            "{err}"
        );
        assert_eq!(err.class(), ErrorClass::ItemAnswer);
        assert!(err.to_string().contains("nothing to abort"), "{err}");
    }
}

#[tokio::test]
async fn an_abort_refused_for_another_reason_keeps_the_refusal() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/intelligence/retrohunt_jobs/alice-1700000000/abort");
            then.status(404)
                .body(r#"{"error": {"code": "NotFoundError", "message": "no such job"}}"#);
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET);
            then.status(200).body(job("running", 1.0, 0));
        })
        .await;
    let client = http_client(&server.base_url());
    let err = client.retrohunt().abort(&id()).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(get.calls_async().await, 0, "a 404 needs no read-back");
}

#[tokio::test]
async fn wait_observes_progress_and_rides_out_transient_errors_until_finished() {
    let server = MockServer::start_async().await;
    let running = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/retrohunt_jobs/alice-1700000000");
            then.status(200).body(job("running", 45.5, 1));
        })
        .await;
    // No transport retries: the wait itself must ride out the 503.
    let client = vt_api::Client::builder()
        .api_key(common::KEY)
        .base_url(server.base_url())
        .rate_limit(vt_api::transport::RateLimitSpec::none())
        .max_retries(0)
        .build()
        .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let id = id();
    let retrohunt = client.retrohunt();
    let wait = retrohunt.wait_observed(&id, fast(), move |p| {
        log.lock().unwrap().push((
            p.polls,
            p.transient_error,
            p.job.map(|j| {
                (
                    j.attributes.status.clone().unwrap(),
                    j.attributes.progress_percent(),
                    j.attributes.num_matches,
                )
            }),
        ));
    });
    let server_ref = &server;
    let flip = async {
        while running.calls_async().await < 2 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        running.delete_async().await;
        // A 503 (a restart, say), then the end.
        let unavailable = server_ref
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/api/v3/intelligence/retrohunt_jobs/alice-1700000000");
                then.status(503)
                    .body(r#"{"error": {"code": "TransientError", "message": "restarting"}}"#);
            })
            .await;
        while unavailable.calls_async().await < 1 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        unavailable.delete_async().await;
        server_ref
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/api/v3/intelligence/retrohunt_jobs/alice-1700000000");
                then.status(200).body(job("finished", 100.0, 2));
            })
            .await;
    };
    let (done, ()) = tokio::join!(wait, flip);
    let done = done.unwrap();
    assert_eq!(done.attributes.status, Some(RetrohuntStatus::Finished));
    assert_eq!(done.attributes.num_matches, Some(2));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen[0],
        (1, false, Some((RetrohuntStatus::Running, 45.5, Some(1))))
    );
    assert!(
        seen.iter()
            .any(|(_, transient, job)| *transient && job.is_some()),
        "the 503 was reported with the last job seen: {seen:?}"
    );
}

#[tokio::test]
async fn a_job_that_ends_aborted_or_failed_is_a_typed_error_with_its_matches() {
    for status in ["aborted", "failed"] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/api/v3/intelligence/retrohunt_jobs/alice-1700000000");
                then.status(200).body(job(status, 50.0, 4));
            })
            .await;
        let client = http_client(&server.base_url());
        let err = client.retrohunt().wait(&id(), fast()).await.unwrap_err();
        match &err {
            Error::RetrohuntEnded {
                status: s,
                matches,
                progress,
                ..
            } => {
                assert_eq!(s, status);
                assert_eq!(*matches, 4);
                assert_eq!(*progress, 50.0);
            }
            other => panic!("{other}"),
        }
        assert_eq!(err.class(), ErrorClass::ItemAnswer);
        assert!(!err.is_transient());
    }
}

#[tokio::test]
async fn a_wait_past_its_timeout_says_where_the_job_was_and_a_second_wait_goes_on() {
    let server = MockServer::start_async().await;
    let running = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/retrohunt_jobs/alice-1700000000");
            then.status(200).body(job("running", 10.0, 0));
        })
        .await;
    let client = http_client(&server.base_url());
    let short = fast().timeout(Duration::from_millis(30));
    let err = client.retrohunt().wait(&id(), short).await.unwrap_err();
    match &err {
        Error::RetrohuntTimeout {
            last_status,
            progress,
            ..
        } => {
            assert_eq!(last_status, "running");
            assert_eq!(*progress, 10.0);
        }
        other => panic!("{other}"),
    }
    assert_eq!(err.class(), ErrorClass::Transient);
    // The process "died" here: a new wait needs nothing but the id.
    running.delete_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/retrohunt_jobs/alice-1700000000");
            then.status(200).body(job("finished", 100.0, 1));
        })
        .await;
    let done = client.retrohunt().wait(&id(), fast()).await.unwrap();
    assert_eq!(done.attributes.num_matches, Some(1));
}

#[tokio::test]
async fn a_wait_without_a_deadline_does_not_overflow_the_clock() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/intelligence/retrohunt_jobs/alice-1700000000");
            then.status(200).body(job("finished", 100.0, 0));
        })
        .await;
    let client = http_client(&server.base_url());
    let forever = fast().timeout(Duration::MAX);
    let done = client.retrohunt().wait(&id(), forever).await.unwrap();
    assert!(done.attributes.status.unwrap().is_finished());
}

#[test]
fn job_ids_are_checked_by_their_type() {
    assert!("alice".parse::<RetrohuntJobId>().is_err());
    assert!("alice-1700000000".parse::<RetrohuntJobId>().is_ok());
}

#[cfg(feature = "yara")]
#[tokio::test]
async fn rules_that_do_not_compile_or_hold_too_many_rules_send_nothing() {
    let server = MockServer::start_async().await;
    let any = refuse_every_request(&server).await;
    let client = http_client(&server.base_url());
    let broken = NewRetrohuntJob::new("rule a {\n  condition: nope\n}");
    let err = client.retrohunt().create(&broken).await.unwrap_err();
    assert!(err.is_invalid_input(), "{err}");
    assert!(err.to_string().contains("2:14"), "line and column: {err}");
    let many: String = (0..=vt_api::retrohunt::MAX_RULES_PER_JOB)
        .map(|i| format!("rule r{i} {{ condition: false }}\n"))
        .collect();
    let err = client
        .retrohunt()
        .create(&NewRetrohuntJob::new(many))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("301 rules"), "{err}");
    assert_eq!(any.calls_async().await, 0);
}
