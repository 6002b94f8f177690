//! Arbitrary bytes decoded into the typed models of vt-model, as the API client does
//! (`serde_json::from_slice`).
//!
//! Properties checked for every model type (a violation panics: libFuzzer reports a crash):
//!
//! - decoding never panics, whatever the bytes;
//! - a typed decode succeeds only on well-formed JSON (the same bytes parse as a
//!   `serde_json::Value`);
//! - **lossless**: when a document decodes, serializing the typed value gives back the
//!   document, i.e. a `Value` equal to the input's `Value` (member order aside: the models
//!   write their modelled members first);
//! - decoding is stable: the serialized form decodes to an equal typed value;
//! - `vt_model::decode` (strict first, lenient fallback: what the API client uses) gives the
//!   same result as lenient `serde_json::from_slice`; so strict decoding accepts a subset of
//!   what lenient decoding accepts, with the same value;
//! - the accessors that compute on decoded numbers and dates (`Quota::remaining` of a bare
//!   quota, of `/overall_quotas` and of user objects,
//!   `AnalysisStats::total`, `Timestamp::to_rfc3339` / `parse_utc` / `to_system_time`,
//!   `V2FileReport::scan_time`) never panic (overflow checks are on), and a timestamp of years
//!   0 to 9999 survives `to_rfc3339` then `parse_utc`.
#![no_main]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use vt_model::{
    AnalysisStats, AnyObject, ApiErrorBody, Collection, DataEnvelope, Document, FileReport,
    OverallQuotas, Quota, QuotaUsage, Timestamp, V2FileReportBatch,
};

/// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the instants RFC 3339 can write.
const RFC3339_RANGE: std::ops::RangeInclusive<i64> = -62_167_219_200..=253_402_300_799;

fn check_timestamp(t: Timestamp) {
    let _ = t.to_system_time();
    let text = t.to_rfc3339();
    let back = Timestamp::parse_utc(&text);
    if RFC3339_RANGE.contains(&t.as_secs()) {
        assert_eq!(back, Some(t), "{t:?} written {text:?} does not parse back");
    } else if let Some(back) = back {
        assert_eq!(
            back, t,
            "{t:?} written {text:?} parses back as another instant"
        );
    }
}

fn check_quota(quota: &Quota) {
    if let Some(remaining) = quota.remaining() {
        assert!(remaining >= 0, "Quota::remaining is negative: {remaining}");
    }
}

/// The quotas of the user objects in a document.
fn check_user_quotas(object: &AnyObject) {
    if let AnyObject::User(user) = object {
        for quota in user.attributes.quotas.iter().flat_map(|q| q.values()) {
            check_quota(quota);
        }
    }
}

/// Calls the accessors that compute on what was decoded.
fn check_accessors(data: &[u8], document: Option<&Document>) {
    if let Ok(t) = serde_json::from_slice::<Timestamp>(data) {
        check_timestamp(t);
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Some(t) = Timestamp::parse_utc(text)
    {
        check_timestamp(t);
    }
    if let Ok(quota) = serde_json::from_slice::<Quota>(data) {
        check_quota(&quota);
    }
    if let Ok(quotas) = serde_json::from_slice::<DataEnvelope<OverallQuotas>>(data) {
        let q = &quotas.data;
        let windows = [
            &q.api_requests_daily,
            &q.api_requests_hourly,
            &q.api_requests_monthly,
        ];
        for usage in windows.into_iter().flatten() {
            let QuotaUsage { user, group, .. } = usage;
            user.iter().chain(group.iter()).for_each(check_quota);
        }
    }
    match document {
        Some(Document::Object(envelope)) => check_user_quotas(&envelope.data),
        Some(Document::BareObject(object)) => check_user_quotas(object),
        Some(Document::Collection(page)) => page.data.iter().for_each(check_user_quotas),
        _ => {}
    }
    if let Ok(stats) = serde_json::from_slice::<AnalysisStats>(data) {
        assert!(stats.total() >= stats.malicious(), "AnalysisStats::total");
        let _ = stats.detections();
    }
    if let Some(Document::V2(report)) = document {
        if let Some(t) = report.scan_time() {
            check_timestamp(t);
        }
        let _ = report.detections().count();
    }
    if let Some(Document::V2Batch(batch)) = document {
        for report in batch.reports() {
            if let Some(t) = report.scan_time() {
                check_timestamp(t);
            }
        }
    }
}

/// Decodes `data` as `T` and checks the properties above against `value`, the input parsed as
/// plain JSON (`None` when it is not JSON).
fn check<T>(what: &str, data: &[u8], value: Option<&Value>) -> Option<T>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let lenient = serde_json::from_slice::<T>(data);
    // `decode` is strict first (streaming), then lenient: comparing it with the lenient decode
    // checks both "strict accepts a subset of lenient" and "with the same value".
    let typed = match (vt_model::decode::<T>(data), lenient) {
        (Ok(fast), Ok(lenient)) => {
            assert_eq!(fast, lenient, "{what}: decode and from_slice differ");
            lenient
        }
        (Err(_), Err(_)) => return None,
        (Ok(fast), Err(err)) => {
            panic!("{what}: decode accepts ({fast:?}) what from_slice rejects: {err}")
        }
        (Err(err), Ok(_)) => panic!("{what}: decode rejects what from_slice accepts: {err}"),
    };
    let Some(value) = value else {
        panic!("{what}: decodes bytes that are not JSON: {typed:?}");
    };
    let written = serde_json::to_value(&typed)
        .unwrap_or_else(|e| panic!("{what}: a decoded value does not serialize: {e}"));
    assert_eq!(
        &written, value,
        "{what}: not lossless, the serialized value differs from the input"
    );
    let again: T = serde_json::from_value(written)
        .unwrap_or_else(|e| panic!("{what}: its own output does not decode: {e}"));
    assert_eq!(
        again, typed,
        "{what}: decoding its own output gives another value"
    );
    Some(typed)
}

fuzz_target!(|data: &[u8]| {
    let value = serde_json::from_slice::<Value>(data).ok();
    let value = value.as_ref();
    // `Document` types any answer by its shape (through a `Value`): it reaches every model.
    let document = check::<Document>("Document", data, value);
    check_accessors(data, document.as_ref());
    // The streaming decodes the API client does for its answers.
    check::<DataEnvelope<AnyObject>>("DataEnvelope<AnyObject>", data, value);
    check::<DataEnvelope<FileReport>>("DataEnvelope<FileReport>", data, value);
    check::<Collection<AnyObject>>("Collection<AnyObject>", data, value);
    check::<V2FileReportBatch>("V2FileReportBatch", data, value);
    check::<ApiErrorBody>("ApiErrorBody", data, value);
});
