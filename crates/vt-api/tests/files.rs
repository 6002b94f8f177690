//! `/files` endpoints over real HTTP (httpmock on 127.0.0.1) and through the in-process fake.

mod common;

use common::{KEY, fixture, http_client};
use futures_util::TryStreamExt;
use httpmock::prelude::*;
use serde_json::json;
use vt_api::{DownloadOptions, UploadOptions, UploadOutcome};
use vt_model::{FileHash, Verdict};

const SHA256: &str = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
const MD5: &str = "44d88612fea8a8f36de82e1278abb02f";

fn hash(s: &str) -> FileHash {
    s.parse().unwrap()
}

#[tokio::test]
async fn report_by_md5_sends_the_key_and_decodes_the_fixture() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v3/files/{MD5}"))
                .header("x-apikey", KEY)
                .header("accept", "application/json");
            then.status(200).body(fixture("file/pw_file_find.json"));
        })
        .await;
    let client = http_client(&server.base_url());
    let report = client.files().report(&hash(MD5)).await.unwrap();
    m.assert_async().await;
    assert_eq!(report.object_type, "file");
    assert_eq!(report.attributes.sha256.as_deref(), Some(report.id_str()));
}

#[tokio::test]
async fn report_with_relationships_asks_for_them() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v3/files/{SHA256}"))
                .query_param("relationships", "comments,contacted_ips");
            then.status(200).body(
                json!({"data": {"type": "file", "id": SHA256, "attributes": {"size": 68},
                    "relationships": {"comments": {"data": [{"type": "comment", "id": "f-x-1"}]}}}})
                .to_string(),
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let report = client
        .files()
        .report_with_relationships(&hash(SHA256), &["comments", "contacted_ips"])
        .await
        .unwrap();
    m.assert_async().await;
    let rel = report.relationship("comments").unwrap();
    assert_eq!(rel.descriptors().next().unwrap().id_str(), "f-x-1");

    let err = client
        .files()
        .report_with_relationships(&hash(SHA256), &["Bad Name"])
        .await
        .unwrap_err();
    assert!(err.is_invalid_input(), "{err}");
}

#[tokio::test]
async fn unknown_files_are_not_found_errors_with_status_and_code() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/api/v3/files/{MD5}"));
            then.status(404)
                .body(fixture("error/pw_file_not_found_404.json"));
        })
        .await;
    let client = http_client(&server.base_url());
    let err = client.files().report(&hash(MD5)).await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.status(), Some(http::StatusCode::NOT_FOUND));
    assert_eq!(err.api_code(), Some(&vt_model::ErrorCode::NotFound));
}

#[tokio::test]
async fn reanalyse_posts_without_a_body() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/api/v3/files/{SHA256}/analyse"))
                .body("");
            then.status(200)
                .body(fixture("analysis/vtx_file_reanalyse_descriptor.json"));
        })
        .await;
    let client = http_client(&server.base_url());
    let d = client.files().reanalyse(&hash(SHA256)).await.unwrap();
    m.assert_async().await;
    assert_eq!(d.type_str(), "analysis");
    assert_eq!(d.id_str(), "1571524923", "an integer id is kept as text");
}

#[tokio::test]
async fn comments_are_listed_and_added() {
    let server = MockServer::start_async().await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v3/files/{SHA256}/comments"))
                .query_param("limit", "5");
            then.status(200)
                .body(fixture("comment/vtx_domain_comments_list.json"));
        })
        .await;
    let add = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/api/v3/files/{SHA256}/comments"))
                .header("content-type", "application/json")
                .json_body(json!({"data": {"type": "comment", "attributes": {"text": "#eicar test file"}}}));
            then.status(200).body(
                json!({"data": {"type": "comment", "id": format!("f-{SHA256}-1"),
                    "attributes": {"text": "#eicar test file", "tags": ["eicar"]}}})
                .to_string(),
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let comments: Vec<_> = client
        .files()
        .comments(&hash(SHA256))
        .page_size(5)
        .limit(5)
        .try_collect()
        .await
        .unwrap();
    list.assert_async().await;
    assert!(!comments.is_empty());
    assert!(
        comments[0]
            .attributes
            .text
            .as_deref()
            .unwrap()
            .contains("GitHub")
    );
    let added = client
        .files()
        .add_comment(&hash(SHA256), "#eicar test file")
        .await
        .unwrap();
    add.assert_async().await;
    assert_eq!(
        added.attributes.tags.as_deref(),
        Some(&["eicar".to_string()][..])
    );
    assert!(
        client
            .files()
            .add_comment(&hash(SHA256), "  ")
            .await
            .unwrap_err()
            .is_invalid_input()
    );
}

#[tokio::test]
async fn votes_are_listed_and_cast() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v3/files/{SHA256}/votes"));
            then.status(200)
                .body(fixture("vote/vtx_file_votes_list.json"));
        })
        .await;
    let add = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/api/v3/files/{SHA256}/votes"))
                .json_body(
                    json!({"data": {"type": "vote", "attributes": {"verdict": "harmless"}}}),
                );
            then.status(200)
                .body(fixture("vote/vtx_add_vote_response.json"));
        })
        .await;
    let already = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/api/v3/files/{SHA256}/votes"))
                .body_includes("malicious");
            then.status(409).body(
                r#"{"error": {"code": "AlreadyExistsError", "message": "User \"x\" already voted \"malicious\" for this file"}}"#,
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let votes: Vec<_> = client
        .files()
        .votes(&hash(SHA256))
        .limit(3)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(votes.len(), 3);
    assert_eq!(votes[0].attributes.verdict, Some(Verdict::Malicious));
    let vote = client
        .files()
        .add_vote(&hash(SHA256), &Verdict::Harmless)
        .await
        .unwrap();
    add.assert_async().await;
    assert_eq!(vote.attributes.value, Some(1));
    let err = client
        .files()
        .add_vote(&hash(SHA256), &Verdict::Malicious)
        .await
        .unwrap_err();
    already.assert_async().await;
    assert_eq!(err.api_code(), Some(&vt_model::ErrorCode::AlreadyExists));
    let err = client
        .files()
        .add_vote(&hash(SHA256), &Verdict::Other("meh".into()))
        .await
        .unwrap_err();
    assert!(err.is_invalid_input());
}

#[tokio::test]
async fn relationships_as_objects_and_as_descriptors() {
    let server = MockServer::start_async().await;
    let full = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/api/v3/files/{SHA256}/contacted_domains"));
            then.status(200).body(
                json!({"data": [
                    {"type": "domain", "id": "a.example", "attributes": {"reputation": 0}},
                    {"type": "domain", "id": "gone.example", "error": {"code": "NotFoundError", "message": "gone"}}
                ], "meta": {"count": 2}}).to_string(),
            );
        })
        .await;
    let descriptors = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/api/v3/files/{SHA256}/relationships/contacted_domains"));
            then.status(200).body(
                json!({"data": [{"type": "domain", "id": "a.example", "context_attributes": {"x": 1}}]}).to_string(),
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let objects: Vec<_> = client
        .files()
        .related(&hash(SHA256), "contacted_domains")
        .try_collect()
        .await
        .unwrap();
    full.assert_async().await;
    assert_eq!(objects.len(), 2);
    assert!(matches!(objects[0], vt_model::AnyObject::Domain(_)));
    assert_eq!(
        objects[1].error().unwrap().code,
        vt_model::ErrorCode::NotFound
    );
    let ds: Vec<_> = client
        .files()
        .related_descriptors(&hash(SHA256), "contacted_domains")
        .try_collect()
        .await
        .unwrap();
    descriptors.assert_async().await;
    assert_eq!(ds[0].id_str(), "a.example");
    assert!(ds[0].context_attributes.is_some());
}

#[tokio::test]
async fn download_url_and_streamed_download() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v3/files/{SHA256}/download_url"));
            then.status(200)
                .body(fixture("other/vtx_download_url.json"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v3/files/{SHA256}/download"));
            then.status(200)
                .header("content-type", "application/octet-stream")
                .body(b"MZ\x90\x00binary");
        })
        .await;
    let client = http_client(&server.base_url());
    let url = client.files().download_url(&hash(SHA256)).await.unwrap();
    assert!(url.starts_with("https://vtsamples.commondatastorage.googleapis.com/"));
    let mut out = Vec::new();
    let progress = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let p2 = progress.clone();
    let n = client
        .files()
        .download_to_writer(
            &hash(SHA256),
            &mut out,
            DownloadOptions::new()
                .progress(move |done, total| p2.lock().unwrap().push((done, total))),
        )
        .await
        .unwrap();
    assert_eq!(n, 10);
    assert_eq!(out, b"MZ\x90\x00binary");
    assert_eq!(progress.lock().unwrap().last(), Some(&(10, 10)));
}

#[tokio::test]
async fn behaviours_summary_one_report_and_pcap() {
    let server = MockServer::start_async().await;
    let sandbox: vt_model::SandboxId = format!("{SHA256}_VirusTotal Jujubox").parse().unwrap();
    let behaviour: serde_json::Value =
        common::fixture_json("other/msticpy_file_behaviour_sysinternals.json");
    let summary: serde_json::Value =
        common::fixture_json("other/msticpy_behaviour_summary_inner.json");
    let list_body = json!({"data": [behaviour.clone()]}).to_string();
    server
        .mock_async(move |when, then| {
            when.method(GET)
                .path(format!("/api/v3/files/{SHA256}/behaviours"));
            then.status(200).body(list_body.clone());
        })
        .await;
    let summary_body = json!({"data": summary}).to_string();
    server
        .mock_async(move |when, then| {
            when.method(GET)
                .path(format!("/api/v3/files/{SHA256}/behaviour_summary"));
            then.status(200).body(summary_body.clone());
        })
        .await;
    let one_body = json!({"data": behaviour}).to_string();
    let one = server
        .mock_async(move |when, then| {
            when.method(GET).path(format!(
                "/api/v3/file_behaviours/{SHA256}_VirusTotal%20Jujubox"
            ));
            then.status(200).body(one_body.clone());
        })
        .await;
    let pcap = server
        .mock_async(|when, then| {
            when.method(GET).path(format!(
                "/api/v3/file_behaviours/{SHA256}_VirusTotal%20Jujubox/pcap"
            ));
            then.status(200).body(b"\xd4\xc3\xb2\xa1pcap");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v3/files/{SHA256}/behaviour_mitre_trees"));
            then.status(200).body(
                r#"{"data": {"Zenbox": {"tactics": [{"id": "TA0002", "name": "Execution",
                   "techniques": [{"id": "T1059", "signatures": [{"severity": "HIGH"}]}]}]}}}"#,
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let files = client.files();
    let list: Vec<_> = files.behaviours(&hash(SHA256)).try_collect().await.unwrap();
    assert_eq!(list.len(), 1);
    let s = files.behaviour_summary(&hash(SHA256)).await.unwrap();
    assert!(!s.extra.is_empty() || s != Default::default());
    let b = files.behaviour(&sandbox).await.unwrap();
    one.assert_async().await;
    assert_eq!(b.object_type, "file_behaviour");
    let mut out = Vec::new();
    files
        .behaviour_artifact_to_writer(
            &sandbox,
            vt_api::files::SandboxArtifact::Pcap,
            &mut out,
            DownloadOptions::new(),
        )
        .await
        .unwrap();
    pcap.assert_async().await;
    assert_eq!(out, b"\xd4\xc3\xb2\xa1pcap");
    let trees = files.behaviour_mitre_trees(&hash(SHA256)).await.unwrap();
    let tactic = &trees["Zenbox"].tactics.as_ref().unwrap()[0];
    assert_eq!(tactic.id.as_deref(), Some("TA0002"));
    let technique = &tactic.techniques.as_ref().unwrap()[0];
    assert_eq!(
        technique.signatures.as_ref().unwrap()[0]
            .severity
            .as_deref(),
        Some("HIGH")
    );
    assert!("no-underscore".parse::<vt_model::SandboxId>().is_err());
}

#[tokio::test]
async fn small_uploads_go_to_post_files_as_multipart() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/files")
                .header_includes("content-type", "multipart/form-data; boundary=")
                .body_includes("Content-Disposition: form-data; name=\"password\"\r\n\r\ninfected\r\n")
                .body_includes(
                    "Content-Disposition: form-data; name=\"file\"; filename=\"evil.exe\"\r\nContent-Type: application/octet-stream\r\n\r\nX5O!P%@AP\r\n",
                )
                .body_excludes("filename*");
            then.status(200).body(fixture("analysis/vtx_file_upload_descriptor.json"));
        })
        .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil.exe");
    std::fs::write(&path, "X5O!P%@AP").unwrap();
    let client = http_client(&server.base_url());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let outcome = client
        .files()
        .upload_with(
            &path,
            UploadOptions::new()
                .password("infected")
                .progress(move |sent, total| seen2.lock().unwrap().push((sent, total))),
        )
        .await
        .unwrap();
    m.assert_async().await;
    let d = outcome.analysis().unwrap();
    assert_eq!(d.type_str(), "analysis");
    assert_eq!(seen.lock().unwrap().last(), Some(&(9, 9)));
}

#[tokio::test]
async fn skip_known_looks_up_first_and_uploads_only_unknown_files() {
    let server = MockServer::start_async().await;
    let dir = tempfile::tempdir().unwrap();
    let known = dir.path().join("known.txt");
    std::fs::write(&known, "abc").unwrap();
    let unknown = dir.path().join("unknown.txt");
    std::fs::write(&unknown, "abcd").unwrap();
    let known_sha = vt_api::hashing::hash_file(&known).unwrap().sha256;
    let unknown_sha = vt_api::hashing::hash_file(&unknown).unwrap().sha256;
    let lookup_known = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/api/v3/files/{known_sha}"));
            then.status(200).body(
                json!({"data": {"type": "file", "id": known_sha.as_str(), "attributes": {}}})
                    .to_string(),
            );
        })
        .await;
    let lookup_unknown = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v3/files/{unknown_sha}"));
            then.status(404)
                .body(r#"{"error": {"code": "NotFoundError", "message": "not found"}}"#);
        })
        .await;
    let upload = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/files")
                .body_includes("abcd");
            then.status(200)
                .body(fixture("analysis/vtx_file_upload_descriptor.json"));
        })
        .await;
    let client = http_client(&server.base_url());
    let out = client
        .files()
        .upload_with(&known, UploadOptions::new().skip_known(true))
        .await
        .unwrap();
    assert!(matches!(out, UploadOutcome::Known(ref r) if r.id_str() == known_sha.as_str()));
    lookup_known.assert_async().await;
    upload.assert_calls_async(0).await;
    let out = client
        .files()
        .upload_with(&unknown, UploadOptions::new().skip_known(true))
        .await
        .unwrap();
    assert!(matches!(out, UploadOutcome::Submitted(_)));
    lookup_unknown.assert_async().await;
    upload.assert_async().await;
}

#[tokio::test]
async fn upload_url_is_fetched_as_a_string_even_over_a_bare_hyper_client() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/files/upload_url");
            then.status(200).body(fixture("other/vtx_upload_url.json"));
        })
        .await;
    let client = common::bare_http_client(&server.base_url());
    let url = client.files().upload_url().await.unwrap();
    assert!(url.starts_with("https://www.virustotal.com/_ah/upload/"));
}

#[tokio::test]
async fn downloads_follow_the_redirect_without_carrying_the_key_to_another_host() {
    let api = MockServer::start_async().await;
    let storage = MockServer::start_async().await;
    let blob_url = storage.url("/signed/blob?sig=abc");
    let redirect = api
        .mock_async(move |when, then| {
            when.method(GET)
                .path(format!("/api/v3/files/{SHA256}/download"))
                .header("x-apikey", KEY);
            then.status(302).header("location", blob_url.clone());
        })
        .await;
    let blob = storage
        .mock_async(|when, then| {
            when.method(GET)
                .path("/signed/blob")
                .query_param("sig", "abc")
                .header_missing("x-apikey");
            then.status(200).body("sample bytes");
        })
        .await;
    let client = http_client(&api.base_url());
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("sample");
    let n = client
        .files()
        .download_to_path(&hash(SHA256), &dest, DownloadOptions::new())
        .await
        .unwrap();
    redirect.assert_async().await;
    blob.assert_async().await;
    assert_eq!(n, 12);
    assert_eq!(std::fs::read(&dest).unwrap(), b"sample bytes");
}

#[tokio::test]
async fn every_sandbox_artefact_has_its_path_and_lands_under_the_final_name() {
    let server = MockServer::start_async().await;
    let sandbox: vt_model::SandboxId = format!("{SHA256}_Zenbox").parse().unwrap();
    let mut mocks = Vec::new();
    for artifact in vt_api::files::SandboxArtifact::ALL {
        let body = format!("{artifact} bytes");
        mocks.push(
            server
                .mock_async(move |when, then| {
                    when.method(GET)
                        .path(format!(
                            "/api/v3/file_behaviours/{SHA256}_Zenbox/{artifact}"
                        ))
                        .header("x-apikey", KEY)
                        .header("accept", "*/*");
                    then.status(200).body(body.clone());
                })
                .await,
        );
    }
    let client = http_client(&server.base_url());
    let dir = tempfile::tempdir().unwrap();
    for (artifact, mock) in vt_api::files::SandboxArtifact::ALL.into_iter().zip(&mocks) {
        let dest = dir.path().join(artifact.as_str());
        let n = client
            .files()
            .behaviour_artifact_to_path(&sandbox, artifact, &dest, DownloadOptions::new())
            .await
            .unwrap();
        mock.assert_async().await;
        assert_eq!(
            std::fs::read_to_string(&dest).unwrap(),
            format!("{artifact} bytes")
        );
        assert_eq!(n, format!("{artifact} bytes").len() as u64);
    }
}

#[tokio::test]
async fn behaviour_of_a_sha256_asks_for_the_one_report_and_of_an_md5_searches_the_list() {
    let server = MockServer::start_async().await;
    let direct = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v3/file_behaviours/{SHA256}_Dr.Web%20vxCube"));
            then.status(200).body(
                json!({"data": {"type": "file_behaviour", "id": format!("{SHA256}_Dr.Web vxCube"),
                    "attributes": {"sandbox_name": "Dr.Web vxCube"}}})
                .to_string(),
            );
        })
        .await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/api/v3/files/{MD5}/behaviours"));
            then.status(200).body(
                json!({"data": [
                    {"type": "file_behaviour", "id": "a_Zenbox", "attributes": {"sandbox_name": "Zenbox"}},
                    {"type": "file_behaviour", "id": "a_C2AE", "attributes": {"sandbox_name": "C2AE"}}]})
                .to_string(),
            );
        })
        .await;
    let client = http_client(&server.base_url());
    let b = client
        .files()
        .behaviour_of(&hash(SHA256), "Dr.Web vxCube")
        .await
        .unwrap();
    direct.assert_async().await;
    assert_eq!(b.attributes.sandbox_name.as_deref(), Some("Dr.Web vxCube"));
    let b = client
        .files()
        .behaviour_of(&hash(MD5), "zenbox")
        .await
        .unwrap();
    assert_eq!(b.id_str(), "a_Zenbox");
    let err = client
        .files()
        .behaviour_of(&hash(MD5), "Nope")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(list.calls_async().await, 2);
}
