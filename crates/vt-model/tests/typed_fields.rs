//! Typed fields read from real answers hold what the JSON says.

mod corpus;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use vt_model::{
    Analysis, AnalysisStats, AnalysisStatus, AnyObject, ApiErrorBody, Category, Collection,
    Comment, DataEnvelope, Document, DomainReport, EngineResult, ErrorCode, FileReport,
    IpAddressReport, MonitorItemKind, RetryClass, Timestamp, UrlReport, User, V2FileReport,
    V2FileReportBatch, V2ResponseCode, Verdict, Vote,
};

/// Every object of a corpus document, typed.
fn objects(name: &str) -> Vec<AnyObject> {
    match corpus::load::<Document>(name) {
        Document::Collection(page) => page.data,
        Document::Object(envelope) => vec![envelope.data],
        Document::BareObject(object) => vec![object],
        _ => Vec::new(),
    }
}

/// Every object of the v3 folders of the corpus, decoded once per test binary.
fn all_objects() -> &'static [(String, AnyObject)] {
    static ALL: std::sync::OnceLock<Vec<(String, AnyObject)>> = std::sync::OnceLock::new();
    ALL.get_or_init(load_all_objects)
}

fn load_all_objects() -> Vec<(String, AnyObject)> {
    let mut out = Vec::new();
    for sub in [
        "file",
        "url",
        "domain",
        "ip_address",
        "analysis",
        "collection",
        "comment",
        "vote",
        "monitor_item",
        "other",
    ] {
        let mut names: Vec<_> = std::fs::read_dir(corpus::dir().join(sub))
            .unwrap_or_else(|e| panic!("corpus folder {sub}: {e}"))
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|n| n.ends_with(".json"))
            .collect();
        names.sort();
        for name in names {
            let name = format!("{sub}/{name}");
            out.extend(objects(&name).into_iter().map(|o| (name.clone(), o)));
        }
    }
    out
}

#[test]
fn a_file_reports_sha256_is_its_id_and_its_hashes_look_right() {
    let mut files = 0;
    for (name, object) in all_objects() {
        let AnyObject::File(file) = object else {
            continue;
        };
        let a = &file.attributes;
        if a.sha256.is_none() {
            continue; // a descriptor
        }
        files += 1;
        assert_eq!(a.sha256.as_deref(), Some(file.id_str()), "{name}");
        assert_eq!(a.md5.as_deref().map(str::len), Some(32), "{name}");
        assert_eq!(a.sha1.as_deref().map(str::len), Some(40), "{name}");
        assert!(a.size.is_some(), "{name}: size");
    }
    assert!(files >= 60, "only {files} file reports");
}

#[test]
fn stats_agree_with_the_engine_results_they_summarise() {
    // In four answers VirusTotal's stats count one engine more than its results list.
    let off_by_one = [
        "uzen.ninoseki.xyz",
        "ninoseki.vercel.app",
        "virustotal.com",
        "8.8.8.8",
    ];
    let mut checked = 0;
    for (name, object) in all_objects() {
        let (stats, results) = match &object {
            AnyObject::File(o) => (
                &o.attributes.last_analysis_stats,
                &o.attributes.last_analysis_results,
            ),
            AnyObject::Url(o) => (
                &o.attributes.last_analysis_stats,
                &o.attributes.last_analysis_results,
            ),
            AnyObject::Domain(o) => (
                &o.attributes.last_analysis_stats,
                &o.attributes.last_analysis_results,
            ),
            AnyObject::IpAddress(o) => (
                &o.attributes.last_analysis_stats,
                &o.attributes.last_analysis_results,
            ),
            AnyObject::Analysis(o) => (&o.attributes.stats, &o.attributes.results),
            _ => continue,
        };
        let (Some(stats), Some(results)) = (stats, results) else {
            continue;
        };
        checked += 1;
        let counted = AnalysisStats::from_results(results.values());
        if off_by_one.contains(&object.id_str()) {
            assert_eq!(
                stats.total(),
                results.len() as u64 + 1,
                "{name} {}",
                object.id_str()
            );
            continue;
        }
        assert_eq!(
            stats.total(),
            results.len() as u64,
            "{name} {}",
            object.id_str()
        );
        for category in Category::KNOWN {
            assert_eq!(
                stats.count(category),
                counted.count(category),
                "{name} {}: {category}",
                object.id_str()
            );
        }
    }
    assert!(
        checked >= 120,
        "only {checked} objects with stats and results"
    );
}

#[test]
fn every_corpus_category_is_a_known_one() {
    let mut seen = std::collections::HashSet::new();
    for (name, object) in all_objects() {
        let results = match &object {
            AnyObject::File(o) => o.attributes.last_analysis_results.as_ref(),
            AnyObject::Url(o) => o.attributes.last_analysis_results.as_ref(),
            AnyObject::Analysis(o) => o.attributes.results.as_ref(),
            _ => None,
        };
        for (engine, result) in results.into_iter().flatten() {
            let category = result
                .category
                .clone()
                .unwrap_or_else(|| panic!("{name} {engine}"));
            assert!(
                !matches!(category, Category::Other(_)),
                "{name} {engine}: {category}"
            );
            seen.insert(category);
        }
    }
    assert_eq!(seen.len(), Category::KNOWN.len(), "{seen:?}");
}

#[test]
fn an_unknown_category_is_kept_verbatim() {
    let text = r#"{"category": "quarantined", "engine_name": "X", "result": null}"#;
    let result: EngineResult = vt_model::from_str_strict(text).unwrap();
    assert_eq!(result.category, Some(Category::Other("quarantined".into())));
    assert!(!result.is_detection());
    let back: Value = serde_json::to_value(&result).unwrap();
    assert_eq!(back, serde_json::from_str::<Value>(text).unwrap());
}

#[test]
fn url_stats_lack_the_file_only_keys_which_read_zero_and_stay_absent() {
    let url: DataEnvelope<UrlReport> = corpus::load("url/vtx_example_com.json");
    let stats = url.data.attributes.last_analysis_stats.as_ref().unwrap();
    assert_eq!(stats.type_unsupported, None);
    assert_eq!(stats.type_unsupported(), 0);
    assert_eq!(stats.confirmed_timeout(), 0);
    assert_eq!(stats.failure(), 0);
    assert!(stats.harmless() > 0);
    let written = serde_json::to_value(stats).unwrap();
    assert!(written.get("type-unsupported").is_none());
}

#[test]
fn file_stats_use_hyphenated_keys() {
    let file: DataEnvelope<FileReport> = corpus::load("file/emlan_eicar.json");
    let stats = file.data.attributes.last_analysis_stats.unwrap();
    assert_eq!(stats.type_unsupported(), 9);
    assert_eq!(stats.malicious(), 59);
    assert_eq!(stats.timeout(), 2);
    assert_eq!(stats.total(), 75);
    assert_eq!(file.data.attributes.size, Some(68));
}

#[test]
fn timestamps_convert() {
    let vote: DataEnvelope<Vote> = corpus::load("vote/vtx_add_vote_response.json");
    let date = vote.data.attributes.date.unwrap();
    assert_eq!(date, Timestamp(1_569_495_089));
    assert_eq!(date.to_rfc3339(), "2019-09-26T10:51:29Z");
    assert_eq!(
        SystemTime::from(date),
        UNIX_EPOCH + Duration::from_secs(1_569_495_089)
    );
    let file: DataEnvelope<FileReport> = corpus::load("file/emlan_eicar.json");
    assert_eq!(
        file.data
            .attributes
            .first_submission_date
            .unwrap()
            .to_rfc3339(),
        "2006-05-22T12:42:02Z"
    );
}

#[test]
fn a_vote_has_a_verdict_a_signed_value_and_a_null_self_link() {
    let vote: DataEnvelope<Vote> = corpus::load("vote/vtx_add_vote_response.json");
    assert_eq!(vote.data.attributes.verdict, Some(Verdict::Harmless));
    assert_eq!(vote.data.attributes.value, Some(1));
    let links = vote.data.links.as_ref().unwrap();
    assert_eq!(links.self_, None);
    assert_eq!(links.extra.get("self"), Some(&Value::Null));
}

#[test]
fn v2_response_codes() {
    let found: V2FileReport = corpus::load("v2_file_report/v2_pw_report.json");
    assert_eq!(found.response_code, Some(V2ResponseCode::Found));
    assert_eq!(found.total, Some(55));
    assert_eq!(found.scans.as_ref().unwrap().len(), 55);
    assert_eq!(found.positives, Some(found.detections().count() as u64));
    assert_eq!(
        found.scan_time().unwrap().to_rfc3339(),
        "2014-12-08T09:48:47Z"
    );

    let missing: V2FileReport = corpus::load("v2_file_report/v2_pw_report_not_found.json");
    assert_eq!(missing.response_code, Some(V2ResponseCode::NotFound));
    let queued: V2FileReport = corpus::load("v2_file_report/v2_demisto_queued_rc-2.json");
    assert_eq!(queued.response_code, Some(V2ResponseCode::Queued));
    let invalid: V2FileReport = corpus::load("other/v2_demisto_url_report_invalid_url_rc-1.json");
    assert_eq!(invalid.response_code, Some(V2ResponseCode::Error));
    assert_eq!(invalid.resource, None);

    let batch: V2FileReportBatch = corpus::load("v2_file_report/v2_msticpy_batch_3.json");
    let V2FileReportBatch::Many(reports) = &batch else {
        panic!("a batch is an array")
    };
    assert_eq!(reports.len(), 3);
    assert!(
        reports
            .iter()
            .all(|r| r.response_code == Some(V2ResponseCode::Found))
    );
    assert_eq!(
        reports
            .iter()
            .map(|r| r.positives.unwrap())
            .collect::<Vec<_>>(),
        [7, 8, 5]
    );
    for report in reports {
        assert_eq!(report.positives, Some(report.detections().count() as u64));
    }
    assert!(serde_json::to_value(&batch).unwrap().is_array());
}

#[test]
fn an_unknown_v2_response_code_is_kept() {
    let r: V2FileReport = vt_model::from_str_strict(r#"{"response_code": -7}"#).unwrap();
    assert_eq!(r.response_code, Some(V2ResponseCode::Other(-7)));
    assert_eq!(
        serde_json::to_string(&r).unwrap(),
        r#"{"response_code":-7}"#
    );
}

#[test]
fn the_monitoritem_spelling_is_a_monitor_item_and_is_written_back() {
    let doc: Document = corpus::load("monitor_item/DOCS_EXAMPLE_monitor_item_stat.json");
    let Document::Object(envelope) = &doc else {
        panic!("an object answer")
    };
    let AnyObject::MonitorItem(item) = &envelope.data else {
        panic!("a monitor item")
    };
    assert_eq!(item.object_type, "monitoritem");
    assert_eq!(item.attributes.item_type, Some(MonitorItemKind::File));
    assert_eq!(item.attributes.path.as_deref(), Some("/go/bin/go.exe"));
    // The example repeats `first_detection_date`: the last one wins, as in any JSON parser.
    assert_eq!(
        item.attributes.first_detection_date,
        Some(Timestamp(1_504_300_116))
    );
    assert_eq!(
        serde_json::to_value(&doc).unwrap()["data"]["type"],
        "monitoritem"
    );
    let spelled: AnyObject =
        serde_json::from_value(json!({"type": "monitor_item", "id": "x"})).unwrap();
    assert!(matches!(spelled, AnyObject::MonitorItem(_)));
}

#[test]
fn analysis_status_and_meta() {
    let analysis: DataEnvelope<Analysis> = corpus::load("analysis/vtx_url_analysis_full.json");
    assert_eq!(
        analysis.data.attributes.status,
        Some(AnalysisStatus::Completed)
    );
    let meta = analysis.analysis_meta().unwrap();
    assert_eq!(
        meta.url_info.unwrap().url.as_deref(),
        Some("http://example.com/")
    );
    assert_eq!(meta.file_info.unwrap().sha256.unwrap().len(), 64);

    let text = r#"{"data": {"type": "analysis", "id": "f-x-1",
        "attributes": {"status": "in-progress", "stats": {"malicious": 1}, "results": {}},
        "meta": {"file_info": {"sha256": "abc", "size": 3}}}}"#;
    let in_progress: DataEnvelope<Analysis> = vt_model::from_str_strict(text).unwrap();
    let status = in_progress.data.attributes.status.clone().unwrap();
    assert_eq!(status, AnalysisStatus::InProgress);
    assert!(!status.is_completed());
    assert_eq!(
        in_progress.analysis_meta().unwrap().file_info.unwrap().size,
        Some(3)
    );
    assert_eq!(
        serde_json::to_value(&in_progress.data.attributes).unwrap()["status"],
        "in-progress"
    );
}

#[test]
fn an_integer_id_is_kept_as_an_integer() {
    let analysis: DataEnvelope<Analysis> =
        corpus::load("analysis/vtx_file_reanalyse_descriptor.json");
    assert_eq!(analysis.data.id_str(), "1571524923");
    assert!(analysis.data.id.was_number());
    assert_eq!(
        serde_json::to_value(&analysis).unwrap()["data"]["id"],
        json!(1571524923)
    );
}

#[test]
fn the_none_engine_version_reads_absent() {
    let file: DataEnvelope<FileReport> = corpus::load("file/azul_android_apk.json");
    let results = file.data.attributes.last_analysis_results.unwrap();
    let literal_none: Vec<_> = results
        .values()
        .filter(|r| r.engine_version.as_deref() == Some("None"))
        .collect();
    assert_eq!(literal_none.len(), 2);
    assert!(literal_none.iter().all(|r| r.engine_version().is_none()));
}

#[test]
fn odd_numbers_survive() {
    let file: DataEnvelope<FileReport> = corpus::load("file/azul_bundle_info_zip_bomb.json");
    let size = &file.data.attributes.extra["bundle_info"]["uncompressed_size"];
    assert_eq!(size.as_f64(), Some(3.3356434083164046e21));
    assert!(size.as_u64().is_none());
}

#[test]
fn pages_know_whether_there_is_a_next_one() {
    let page: Collection<Comment> = corpus::load("comment/vtx_url_comments_page.json");
    assert_eq!(page.data.len(), 10);
    assert!(page.next_cursor().unwrap().starts_with("Cs8BChEKBGRhdGU"));
    assert!(page.next_link().unwrap().contains("cursor="));
    assert!(
        page.data
            .iter()
            .all(|c| c.attributes.text.is_some() && c.attributes.votes.is_some())
    );

    let last: Collection<UrlReport> =
        corpus::load("collection/mihari_intel_search_urls_2021_lastpage.json");
    assert_eq!(last.next_cursor(), None);
    assert_eq!(last.next_link(), None);
    assert_eq!(last.meta.unwrap().extra["total_hits"], 15);

    let no_meta: Collection<DomainReport> =
        corpus::load("collection/vtx_domain_siblings_empty.json");
    assert!(no_meta.data.is_empty());
    assert_eq!(no_meta.next_cursor(), None);
}

#[test]
fn context_attributes_keep_their_varying_shapes() {
    let page: Collection<UrlReport> =
        corpus::load("collection/mihari_intel_search_urls_2021_lastpage.json");
    let url = &page.data[0].context_attributes.as_ref().unwrap()["url"];
    assert!(url.is_array(), "{url}");
    let page: Collection<UrlReport> = corpus::load("collection/mihari_intel_search_urls.json");
    let url = &page.data[0].context_attributes.as_ref().unwrap()["url"];
    assert!(url.is_string(), "{url}");
}

#[test]
fn a_user_has_quotas_and_privileges_and_hides_its_key_from_debug() {
    let user: DataEnvelope<User> = corpus::load("other/pw_user.json");
    let a = &user.data.attributes;
    let daily = &a.quotas.as_ref().unwrap()["api_requests_daily"];
    assert_eq!((daily.allowed, daily.used), (Some(5760), Some(102)));
    assert_eq!(daily.remaining(), Some(5658));
    assert!(
        a.privileges
            .as_ref()
            .unwrap()
            .values()
            .all(|p| p.granted.is_some())
    );
    assert_eq!(a.apikey.as_ref().unwrap().expose(), "testapikey");
    assert!(!format!("{user:?}").contains("testapikey"));
}

#[test]
fn ip_and_domain_reports_are_typed() {
    let ip: DataEnvelope<IpAddressReport> = corpus::load("ip_address/vtx_1_1_1_1.json");
    assert_eq!(ip.data.id_str(), "1.1.1.1");
    assert_eq!(ip.data.attributes.asn, Some(13335));
    let domain: DataEnvelope<DomainReport> = corpus::load("domain/vtx_github_com.json");
    let a = &domain.data.attributes;
    assert!(
        a.last_dns_records
            .as_ref()
            .unwrap()
            .iter()
            .any(|r| r.record_type.as_deref() == Some("A"))
    );
    assert!(a.creation_date.unwrap() < a.last_update_date.unwrap());
}

#[test]
fn error_bodies_map_to_codes_and_retry_classes() {
    for (name, code, class) in [
        (
            "error/pw_rate_limit_429.json",
            ErrorCode::QuotaExceeded,
            RetryClass::RetryAfterQuotaWindow,
        ),
        (
            "error/pw_unauthorized_401.json",
            ErrorCode::WrongCredentials,
            RetryClass::Never,
        ),
        (
            "error/mdb_not_found.json",
            ErrorCode::NotFound,
            RetryClass::Never,
        ),
        (
            "error/pw_domain_bad_request_400.json",
            ErrorCode::InvalidArgument,
            RetryClass::Never,
        ),
        (
            "error/DOCS_EXAMPLE_auth_required.json",
            ErrorCode::AuthenticationRequired,
            RetryClass::Never,
        ),
    ] {
        let body: ApiErrorBody = corpus::load(name);
        assert_eq!(body.error.code, code, "{name}");
        assert_eq!(body.error.code.retry_class(), class, "{name}");
        assert!(!body.error.message.is_empty(), "{name}");
    }
}

#[test]
fn upload_and_download_urls_are_text_documents() {
    for name in ["other/vtx_upload_url.json", "other/vtx_download_url.json"] {
        let Document::Text(url) = corpus::load::<Document>(name) else {
            panic!("{name}")
        };
        assert!(url.data.starts_with("https://"), "{name}: {}", url.data);
    }
}

#[test]
fn threat_severity_keeps_its_numeric_string_date() {
    let file: DataEnvelope<FileReport> = corpus::load("file/azul_Win32DLL_multipurpose.json");
    let severity = file.data.attributes.threat_severity.unwrap();
    assert_eq!(severity.version.as_ref().and_then(|v| v.as_i64()), Some(5));
    assert_eq!(
        severity.threat_severity_level.as_deref(),
        Some("SEVERITY_NONE")
    );
    assert_eq!(
        severity.last_analysis_date,
        Some(vt_model::NumberOrText::Text("1717024654".into()))
    );
    assert_eq!(
        severity.last_analysis_time(),
        Some(Timestamp(1_717_024_654))
    );
    let gti: vt_model::ThreatSeverity =
        vt_model::from_str_strict(r#"{"version": "I3", "last_analysis_date": "1722223215"}"#)
            .unwrap();
    assert_eq!(gti.version.unwrap().to_string(), "I3");
}
