//! The lossless machinery holds for every modelled member, not only for the values the corpus
//! happens to contain: each modelled member of real answers is made absent, `null`, or a value
//! of a surprising type, and the lenient decode must still write back the same JSON.

mod corpus;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use vt_model::{
    AnalysisAttributes, AnalysisStats, DomainAttributes, EngineResult, FileAttributes,
    IpAddressAttributes, UrlAttributes, UserAttributes, V2FileReport, VoteAttributes,
};

/// The replacement values tried for each member.
fn oddities() -> Vec<Value> {
    vec![
        Value::Null,
        json!("surprise"),
        json!(-1),
        json!(1.5),
        json!(3.3356434083164046e21),
        json!(true),
        json!([]),
        json!({}),
        json!({"nested": [null, "\u{0}", {"": 0}]}),
    ]
}

fn round_trips<T: DeserializeOwned + Serialize>(value: &Value) -> Result<(), String> {
    let typed: T = serde_json::from_value(value.clone()).map_err(|e| format!("decode: {e}"))?;
    let back = serde_json::to_value(&typed).map_err(|e| format!("encode: {e}"))?;
    if &back == value {
        Ok(())
    } else {
        Err(format!("wrote back {back}"))
    }
}

/// Mutates each of `fields` in the object `base` (present or not), and checks round trips.
fn check_members<T: DeserializeOwned + Serialize>(
    what: &str,
    base: &Value,
    fields: &[&str],
    failures: &mut Vec<String>,
) {
    let Value::Object(base) = base else {
        panic!("{what}: not an object")
    };
    for field in fields {
        let mut absent = base.clone();
        absent.shift_remove(*field);
        if let Err(e) = round_trips::<T>(&Value::Object(absent)) {
            failures.push(format!("{what}.{field} absent: {e}"));
        }
        for odd in oddities() {
            let mut mutated = base.clone();
            mutated.insert((*field).to_owned(), odd.clone());
            if let Err(e) = round_trips::<T>(&Value::Object(mutated)) {
                failures.push(format!("{what}.{field} = {odd}: {e}"));
            }
        }
    }
}

/// Keeps the first three engines of the per-engine maps: the mutations are about the
/// members, and the full maps only make the test slow.
fn trim_engine_maps(value: &mut Value) {
    if let Value::Object(map) = value {
        for key in ["last_analysis_results", "results", "scans"] {
            if let Some(Value::Object(engines)) = map.get_mut(key) {
                *engines = std::mem::take(engines).into_iter().take(3).collect();
            }
        }
    }
}

fn attributes(name: &str) -> Value {
    let doc: Value = corpus::load(name);
    let mut attributes = doc["data"]["attributes"].clone();
    trim_engine_maps(&mut attributes);
    attributes
}

#[test]
fn every_modelled_member_survives_absence_null_and_odd_types() {
    let mut failures = Vec::new();
    let file = attributes("file/emlan_eicar.json");
    check_members::<FileAttributes>("file", &file, FileAttributes::FIELDS, &mut failures);
    let url = attributes("url/vtx_example_com.json");
    check_members::<UrlAttributes>("url", &url, UrlAttributes::FIELDS, &mut failures);
    let domain = attributes("domain/vtx_github_com.json");
    check_members::<DomainAttributes>("domain", &domain, DomainAttributes::FIELDS, &mut failures);
    let ip = attributes("ip_address/vtx_1_1_1_1.json");
    check_members::<IpAddressAttributes>("ip", &ip, IpAddressAttributes::FIELDS, &mut failures);
    let analysis = attributes("analysis/vtx_url_analysis_full.json");
    check_members::<AnalysisAttributes>(
        "analysis",
        &analysis,
        AnalysisAttributes::FIELDS,
        &mut failures,
    );
    let user = attributes("other/pw_user.json");
    check_members::<UserAttributes>("user", &user, UserAttributes::FIELDS, &mut failures);
    let vote = attributes("vote/vtx_add_vote_response.json");
    check_members::<VoteAttributes>("vote", &vote, VoteAttributes::FIELDS, &mut failures);
    let stats = file["last_analysis_stats"].clone();
    check_members::<AnalysisStats>("stats", &stats, AnalysisStats::FIELDS, &mut failures);
    let engine = file["last_analysis_results"]
        .as_object()
        .and_then(|m| m.values().next())
        .cloned()
        .expect("an engine result");
    check_members::<EngineResult>("engine", &engine, EngineResult::FIELDS, &mut failures);
    let mut v2: Value = corpus::load("v2_file_report/v2_pw_report.json");
    trim_engine_maps(&mut v2);
    check_members::<V2FileReport>("v2", &v2, V2FileReport::FIELDS, &mut failures);

    assert!(
        failures.is_empty(),
        "{} mutations do not round-trip:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

#[test]
fn strict_decoding_rejects_exactly_the_mistyped_members() {
    let file = attributes("file/emlan_eicar.json");
    let mut mutated = file.clone();
    mutated["size"] = json!("68");
    let err = vt_model::from_value_strict::<FileAttributes>(mutated.clone()).unwrap_err();
    assert!(err.to_string().contains("member `size`"), "{err}");
    let lenient: FileAttributes = serde_json::from_value(mutated).unwrap();
    assert_eq!(lenient.size, None);
    assert_eq!(lenient.extra["size"], "68");
    // A null is never a type error.
    let mut nulled = file;
    nulled["size"] = Value::Null;
    let strict: FileAttributes = vt_model::from_value_strict(nulled).unwrap();
    assert_eq!(strict.size, None);
}

#[test]
fn decode_falls_back_to_lenient_and_keeps_strict_errors_for_bad_shapes() {
    let body = br#"{"data": {"type": "file", "id": "x", "attributes": {"size": "big"}}}"#;
    let report: vt_model::DataEnvelope<vt_model::FileReport> = vt_model::decode(body).unwrap();
    assert_eq!(report.data.attributes.extra["size"], "big");
    let err = vt_model::decode::<vt_model::DataEnvelope<vt_model::FileReport>>(b"{\"nodata\": 1}")
        .unwrap_err();
    assert!(err.to_string().contains("data"), "{err}");
    assert!(vt_model::decode::<vt_model::Document>(b"not json").is_err());
}
