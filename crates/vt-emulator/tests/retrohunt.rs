//! `/intelligence/retrohunt_jobs` route by route: jobs that move over the emulator's clock,
//! yara-x run over the dataset's file contents (the EICAR rule finds the EICAR file and
//! nothing else), list filters, abort (and its race with the end), the failure marker,
//! deletion, bad requests, the per-user limit, and jobs kept across a restart in a data
//! directory. Needs the `yara` feature (without it, jobs are refused: see the last test).

mod common;

#[cfg(feature = "yara")]
use std::time::Duration;

use common::Http;
#[cfg(feature = "yara")]
use http::Method;
use http::StatusCode;
use serde_json::{Value, json};
#[cfg(feature = "yara")]
use vt_emulator::DEFAULT_PUBLIC_KEY as PUBLIC;
use vt_emulator::{ClockMode, DEFAULT_PREMIUM_KEY as PREMIUM, Emulator, EmulatorHandle};

const NOW: u64 = 1_750_000_000;
const RULES: &str =
    r#"rule eicar { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }"#;

async fn start() -> EmulatorHandle {
    Emulator::builder()
        .small_dataset()
        .clock(ClockMode::Manual(NOW))
        .start()
        .await
        .unwrap()
}

fn api(emu: &EmulatorHandle, path: &str) -> String {
    format!("{}{path}", emu.api_url())
}

fn body(attributes: Value) -> Value {
    json!({"data": {"type": "retrohunt_job", "attributes": attributes}})
}

async fn create(emu: &EmulatorHandle, http: &Http, attributes: Value) -> common::Resp {
    http.post_json(
        &api(emu, "/intelligence/retrohunt_jobs"),
        Some(PREMIUM),
        &body(attributes),
    )
    .await
}

/// Creates a job with `attributes` and returns its id.
#[cfg(feature = "yara")]
async fn start_job(emu: &EmulatorHandle, http: &Http, attributes: Value) -> String {
    let r = create(emu, http, attributes).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    r.json()["data"]["id"].as_str().unwrap().to_owned()
}

/// `POST .../retrohunt_jobs/{id}/abort`.
#[cfg(feature = "yara")]
async fn abort(emu: &EmulatorHandle, http: &Http, id: &str) -> common::Resp {
    http.send(
        Method::POST,
        &api(emu, &format!("/intelligence/retrohunt_jobs/{id}/abort")),
        Some(PREMIUM),
        &[],
        common::full(""),
    )
    .await
}

#[cfg(feature = "yara")]
async fn get(emu: &EmulatorHandle, http: &Http, id: &str) -> Value {
    let r = http
        .get(
            &api(emu, &format!("/intelligence/retrohunt_jobs/{id}")),
            Some(PREMIUM),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    r.json()["data"].clone()
}

/// Polls (in real time) until the job's status is `status`: the scan runs in the background.
#[cfg(feature = "yara")]
async fn until_status(emu: &EmulatorHandle, http: &Http, id: &str, status: &str) -> Value {
    for _ in 0..500 {
        let job = get(emu, http, id).await;
        if job["attributes"]["status"] == status {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "job {id} never reached {status}: {}",
        get(emu, http, id).await
    );
}

#[cfg(feature = "yara")]
fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[cfg(feature = "yara")]
#[tokio::test]
async fn a_job_moves_from_starting_to_running_to_finished_over_the_clock() {
    let emu = start().await;
    let http = Http::new();
    let r = create(
        &emu,
        &http,
        json!({"rules": RULES, "notification_email": "h@example.com",
               "time_range": {"start": 1_600_000_000}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    let job = r.json()["data"].clone();
    let id = job["id"].as_str().unwrap().to_owned();
    let (user, created) = id.rsplit_once('-').unwrap();
    assert!(user.starts_with("premium-user"), "{id}");
    assert_eq!(created, NOW.to_string());
    let a = &job["attributes"];
    assert_eq!(a["status"], "starting");
    assert_eq!(a["progress"], 0.0);
    assert_eq!(a["corpus"], "main");
    assert_eq!(a["rules"], RULES);
    assert_eq!(a["notification_email"], "h@example.com");
    assert_eq!(a["time_range"], json!({"start": 1_600_000_000}));
    assert_eq!(a["creation_date"], NOW);
    // Wait for the background scan, then move the clock half way.
    until_status(&emu, &http, &id, "starting").await;
    emu.clock().advance(Duration::from_millis(1_000 + 4_500));
    let mid = until_status(&emu, &http, &id, "running").await;
    assert_eq!(mid["attributes"]["progress"], 50.0);
    assert_eq!(mid["attributes"]["start_date"], NOW + 1);
    assert!(mid["attributes"]["eta_seconds"].as_u64().unwrap() > 0);
    emu.clock().advance(secs(60));
    let done = until_status(&emu, &http, &id, "finished").await;
    let a = &done["attributes"];
    assert_eq!(a["progress"], 100.0);
    assert_eq!(a["eta_seconds"], 0);
    assert!(a["scanned_bytes"].as_u64().unwrap() > 0, "{a}");
    assert_eq!(a["finish_date"], NOW + 10);
    // The typed model reads it without loss.
    let typed: vt_model::RetrohuntJob = vt_model::from_value_strict(done.clone()).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), done);
}

#[cfg(feature = "yara")]
#[tokio::test]
async fn list_shows_the_callers_jobs_newest_first_with_a_status_filter() {
    let emu = start().await;
    let http = Http::new();
    let first = create(&emu, &http, json!({"rules": RULES})).await.json()["data"]["id"].clone();
    emu.clock().advance(secs(60));
    let second = create(&emu, &http, json!({"rules": RULES, "corpus": "goodware"}))
        .await
        .json()["data"]["id"]
        .clone();
    until_status(&emu, &http, first.as_str().unwrap(), "finished").await;
    let all = http
        .get(&api(&emu, "/intelligence/retrohunt_jobs"), Some(PREMIUM))
        .await
        .json();
    let ids: Vec<&Value> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| &j["id"])
        .collect();
    assert_eq!(ids, [&second, &first]);
    assert_eq!(all["meta"]["count"], 2);
    let finished = http
        .get(
            &api(&emu, "/intelligence/retrohunt_jobs?filter=status:finished"),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(finished["data"].as_array().unwrap().len(), 1);
    assert_eq!(finished["data"][0]["id"], first);
    let paged = http
        .get(
            &api(&emu, "/intelligence/retrohunt_jobs?limit=1"),
            Some(PREMIUM),
        )
        .await
        .json();
    assert_eq!(paged["data"][0]["id"], second);
    assert!(paged["meta"]["cursor"].is_string());
    let bad = http
        .get(
            &api(&emu, "/intelligence/retrohunt_jobs?filter=owner:x"),
            Some(PREMIUM),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.error_code(), "InvalidArgumentError");
}

#[cfg(feature = "yara")]
#[tokio::test]
async fn abort_goes_through_aborting_keeps_the_progress_and_loses_against_the_end() {
    let emu = start().await;
    let http = Http::new();
    let id = start_job(&emu, &http, json!({"rules": RULES})).await;
    until_status(&emu, &http, &id, "starting").await;
    emu.clock().advance(Duration::from_millis(1_000 + 2_250));
    let r = abort(&emu, &http, &id).await;
    assert_eq!(r.status, StatusCode::OK);
    let aborting = get(&emu, &http, &id).await;
    assert_eq!(aborting["attributes"]["status"], "aborting");
    assert_eq!(aborting["attributes"]["progress"], 25.0);
    emu.clock().advance(secs(60));
    let aborted = get(&emu, &http, &id).await;
    assert_eq!(aborted["attributes"]["status"], "aborted");
    assert_eq!(aborted["attributes"]["progress"], 25.0);
    assert_eq!(aborted["attributes"]["finish_date"], NOW + 4);
    // Aborting an aborted job changes nothing.
    let again = abort(&emu, &http, &id).await;
    assert_eq!(again.status, StatusCode::OK);
    // A finished job cannot be aborted: the abort lost the race.
    let done = start_job(&emu, &http, json!({"rules": RULES})).await;
    emu.clock().advance(secs(60));
    until_status(&emu, &http, &done, "finished").await;
    let late = abort(&emu, &http, &done).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    assert!(
        late.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already finished")
    );
    assert_eq!(
        get(&emu, &http, &done).await["attributes"]["status"],
        "finished"
    );
}

#[cfg(feature = "yara")]
#[tokio::test]
async fn rules_with_the_failure_marker_end_failed_at_half_way() {
    let emu = start().await;
    let http = Http::new();
    let rules = format!("// vt-emulator:fail\n{RULES}");
    let id = start_job(&emu, &http, json!({"rules": rules})).await;
    emu.clock().advance(secs(60));
    let failed = until_status(&emu, &http, &id, "failed").await;
    assert_eq!(failed["attributes"]["progress"], 50.0);
    assert_eq!(failed["attributes"]["finish_date"], NOW + 5);
}

#[cfg(feature = "yara")]
#[tokio::test]
async fn delete_removes_the_job_and_other_users_never_see_it() {
    let emu = start().await;
    let http = Http::new();
    let id = start_job(&emu, &http, json!({"rules": RULES})).await;
    let path = api(&emu, &format!("/intelligence/retrohunt_jobs/{id}"));
    let public = http.get(&path, Some(PUBLIC)).await;
    assert_eq!(public.status, StatusCode::FORBIDDEN, "premium only");
    let r = http
        .send(Method::DELETE, &path, Some(PREMIUM), &[], common::full(""))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let gone = http.get(&path, Some(PREMIUM)).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.error_code(), "NotFoundError");
    let files = http
        .get(&format!("{path}/matching_files"), Some(PREMIUM))
        .await;
    assert_eq!(files.status, StatusCode::NOT_FOUND);
}

#[cfg(feature = "yara")]
#[tokio::test]
async fn bad_jobs_are_refused_with_the_apis_errors() {
    let emu = start().await;
    let http = Http::new();
    let cases = [
        (json!({}), "BadRequestError"),
        (json!({"rules": "  "}), "BadRequestError"),
        (json!({"rules": 42}), "BadRequestError"),
        (
            json!({"rules": "x".repeat(1024 * 1024 + 1)}),
            "BadRequestError",
        ),
        (
            json!({"rules": RULES, "corpus": "all"}),
            "InvalidArgumentError",
        ),
        (
            json!({"rules": RULES, "time_range": {"start": 10, "end": 9}}),
            "InvalidArgumentError",
        ),
        (
            json!({"rules": RULES, "time_range": {"start": "yesterday"}}),
            "InvalidArgumentError",
        ),
        (
            json!({"rules": RULES, "notification_email": "nobody"}),
            "InvalidArgumentError",
        ),
    ];
    for (attributes, code) in cases {
        let r = create(&emu, &http, attributes.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{attributes}");
        assert_eq!(r.error_code(), code, "{attributes}");
    }
    let wrong_type = http
        .post_json(
            &api(&emu, "/intelligence/retrohunt_jobs"),
            Some(PREMIUM),
            &json!({"data": {"type": "hunting_ruleset", "attributes": {"rules": RULES}}}),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    let list = http
        .get(&api(&emu, "/intelligence/retrohunt_jobs"), Some(PREMIUM))
        .await
        .json();
    assert_eq!(list["meta"]["count"], 0, "nothing was created");
}

#[cfg(feature = "yara")]
#[tokio::test]
async fn at_most_ten_jobs_run_at_once_per_user() {
    let emu = start().await;
    let http = Http::new();
    for _ in 0..10 {
        assert_eq!(
            create(&emu, &http, json!({"rules": RULES})).await.status,
            StatusCode::OK
        );
    }
    let eleventh = create(&emu, &http, json!({"rules": RULES})).await;
    assert_eq!(eleventh.status, StatusCode::BAD_REQUEST);
    assert!(
        eleventh.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("10 Retrohunt jobs")
    );
    // Once they end, there is room again.
    emu.clock().advance(secs(60));
    let list = http
        .get(
            &api(&emu, "/intelligence/retrohunt_jobs?limit=40"),
            Some(PREMIUM),
        )
        .await
        .json();
    for job in list["data"].as_array().unwrap() {
        until_status(&emu, &http, job["id"].as_str().unwrap(), "finished").await;
    }
    assert_eq!(
        create(&emu, &http, json!({"rules": RULES})).await.status,
        StatusCode::OK
    );
}

#[cfg(feature = "yara")]
#[tokio::test]
async fn jobs_are_kept_across_a_restart_on_the_same_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::builder()
        .small_dataset()
        .clock(ClockMode::Manual(NOW))
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let id = start_job(&emu, &http, json!({"rules": RULES})).await;
    emu.clock().advance(Duration::from_millis(5_500));
    let before = until_status(&emu, &http, &id, "running").await;
    assert_eq!(before["attributes"]["progress"], 50.0);
    emu.shutdown().await;
    // A new emulator on the same directory, its clock a little later.
    let emu = Emulator::builder()
        .small_dataset()
        .clock(ClockMode::Manual(NOW + 7))
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let after = get(&emu, &http, &id).await;
    assert_eq!(after["attributes"]["status"], "running");
    assert!(after["attributes"]["progress"].as_f64().unwrap() > 50.0);
    emu.clock().advance(secs(60));
    let done = until_status(&emu, &http, &id, "finished").await;
    assert_eq!(done["attributes"]["creation_date"], NOW);
    emu.shutdown().await;
}

#[cfg(feature = "yara")]
#[tokio::test]
async fn the_eicar_rule_matches_the_eicar_file_and_nothing_else() {
    let emu = start().await;
    let http = Http::new();
    let id = start_job(&emu, &http, json!({"rules": RULES})).await;
    emu.clock().advance(secs(60));
    let done = until_status(&emu, &http, &id, "finished").await;
    assert_eq!(done["attributes"]["num_matches"], 1);
    let files = http
        .get(
            &api(
                &emu,
                &format!("/intelligence/retrohunt_jobs/{id}/matching_files"),
            ),
            Some(PREMIUM),
        )
        .await
        .json();
    let data = files["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "{files}");
    assert_eq!(data[0]["type"], "file");
    assert_eq!(data[0]["id"], vt_emulator::EICAR_SHA256);
    assert_eq!(data[0]["context_attributes"]["rule_name"], "eicar");
    assert_eq!(data[0]["attributes"]["size"], 68);
    // Goodware holds no detected file: nothing matches there.
    let good = start_job(&emu, &http, json!({"rules": RULES, "corpus": "goodware"})).await;
    emu.clock().advance(secs(60));
    let good = until_status(&emu, &http, &good, "finished").await;
    assert_eq!(good["attributes"]["num_matches"], 0);
    assert!(
        good["attributes"]["scanned_bytes"].as_u64().unwrap()
            < done["attributes"]["scanned_bytes"].as_u64().unwrap()
    );
    // A rule matching every file matches as many as the job scanned, spread over its run.
    let all = create(
        &emu,
        &http,
        json!({"rules": "rule every_file { condition: true }"}),
    )
    .await
    .json()["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    until_status(&emu, &http, &all, "starting").await;
    emu.clock().advance(Duration::from_millis(1_000 + 4_500));
    until_status(&emu, &http, &all, "running").await;
    // The clock stands at half way; once the background scan is stored, the matches of the
    // first half show.
    let mut half = get(&emu, &http, &all).await;
    for _ in 0..500 {
        if half["attributes"]["num_matches"].as_u64().unwrap() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        half = get(&emu, &http, &all).await;
    }
    assert_eq!(half["attributes"]["status"], "running");
    emu.clock().advance(secs(60));
    let whole = until_status(&emu, &http, &all, "finished").await;
    let (h, w) = (
        half["attributes"]["num_matches"].as_u64().unwrap(),
        whole["attributes"]["num_matches"].as_u64().unwrap(),
    );
    assert!(w > 10 && h > 0 && h < w, "half {h}, whole {w}");
}

#[cfg(feature = "yara")]
#[tokio::test]
async fn rules_that_do_not_compile_or_are_too_many_are_refused_with_line_and_column() {
    let emu = start().await;
    let http = Http::new();
    let broken = create(
        &emu,
        &http,
        json!({"rules": "rule a {\n  condition: nope\n}"}),
    )
    .await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert_eq!(broken.error_code(), "BadRequestError");
    let message = broken.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("2:14"), "{message}");
    let many: String = (0..301)
        .map(|i| format!("rule r{i} {{ condition: false }}\n"))
        .collect();
    let too_many = create(&emu, &http, json!({"rules": many})).await;
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
    assert!(
        too_many.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 300 rules")
    );
}

#[cfg(not(feature = "yara"))]
#[tokio::test]
async fn without_yara_a_job_is_refused_saying_why() {
    let emu = start().await;
    let http = Http::new();
    let r = create(&emu, &http, json!({"rules": RULES})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let message = r.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("without YARA"), "{message}");
    let _: Value = r.json();
}

#[cfg(feature = "yara")]
#[tokio::test]
async fn a_finished_jobs_match_is_in_the_ioc_stream_with_a_highlighted_snippet() {
    let emu = start().await;
    let http = Http::new();
    let id = start_job(&emu, &http, json!({"rules": RULES})).await;
    let stream = |filter: &str| {
        api(
            &emu,
            &format!("/ioc_stream?filter={}", filter.replace(' ', "%20")),
        )
    };
    // Before the job runs, nothing is in the stream.
    until_status(&emu, &http, &id, "starting").await;
    let before = http
        .get(&stream("source_type:retrohunt_job"), Some(PREMIUM))
        .await;
    assert_eq!(before.status, StatusCode::OK, "{:?}", before.json());
    assert_eq!(before.json()["data"], json!([]));
    emu.clock().advance(secs(60));
    until_status(&emu, &http, &id, "finished").await;
    let r = http
        .get(
            &stream(&format!("source_type:retrohunt_job source_id:{id}")),
            Some(PREMIUM),
        )
        .await
        .json();
    let data = r["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "{r}");
    assert_eq!(data[0]["id"], vt_emulator::EICAR_SHA256);
    let ctx = &data[0]["context_attributes"];
    assert_eq!(ctx["origin"], "hunting");
    assert_eq!(
        ctx["sources"],
        json!([{"type": "retrohunt_job", "id": id, "label": id}])
    );
    assert_eq!(ctx["hunting_info"]["rule_name"], "eicar");
    // The snippet highlights the matched string's bytes: "EICA" (45 49 43 41) ends the
    // second line, the rest goes on in the third.
    let snippet = ctx["hunting_info"]["snippet"].as_str().unwrap();
    assert!(
        snippet.contains("*begin_highlight*45 49 43 41*end_highlight*  "),
        "{snippet}"
    );
    assert!(
        snippet.contains("*begin_highlight*EICA*end_highlight*\n*begin_highlight*52 2D 53"),
        "{snippet}"
    );
    // Listed again: raised once, not once per read.
    let again = http
        .get(&stream("origin:hunting"), Some(PREMIUM))
        .await
        .json();
    assert_eq!(again["data"].as_array().unwrap().len(), 1, "{again}");
    emu.shutdown().await;
}
