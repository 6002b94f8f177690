//! # vt-model
//!
//! Typed, **lossless** serde models of the VirusTotal API (v3, and the legacy v2 file
//! report), plus identifiers that validate on construction. No I/O, no async: this crate only
//! turns JSON into Rust values and back.
//!
//! ## What is modelled
//!
//! | VirusTotal | Rust |
//! |---|---|
//! | `{"data": ...}` (one object, a string URL, a plain dictionary) | [`DataEnvelope<T>`] |
//! | `{"data": [...], "meta": {"cursor", "count"}, "links": {"self", "next"}}` | [`Collection<T>`] ([`Collection::next_cursor`]) |
//! | an object: `type`, `id`, `links`, `attributes`, `relationships`, `context_attributes`, per-item `error` | [`Object<A>`] (attributes typed as `A`, an open map by default) |
//! | a descriptor (`type` + `id`) | [`Descriptor`] |
//! | `file`, `url`, `domain`, `ip_address` | [`FileReport`], [`UrlReport`], [`DomainReport`], [`IpAddressReport`] |
//! | `analysis` (+ `meta.file_info` / `meta.url_info`) | [`Analysis`], [`AnalysisStatus`], [`AnalysisMeta`] |
//! | `comment`, `vote` | [`Comment`], [`Vote`], [`Verdict`], [`CommentVoteCounts`] |
//! | `monitor_item` (also spelled `monitoritem`), `monitor_analysis` | [`MonitorItem`], [`MonitorAnalysis`] |
//! | `file_behaviour`, behaviour summary | [`FileBehaviour`], [`FileBehaviourAttributes`] |
//! | `user`, `overall_quotas`, `api_usage` | [`User`], [`Quota`], [`Privilege`], [`OverallQuotas`], [`ApiUsage`] |
//! | `/metadata` | [`Metadata`] |
//! | `retrohunt_job` | [`RetrohuntJob`], [`RetrohuntStatus`], [`RetrohuntCorpus`], [`RetrohuntTimeRange`] |
//! | engine verdicts and their counters | [`EngineResult`], [`Category`], [`AnalysisStats`] |
//! | dates (epoch seconds) | [`Timestamp`] |
//! | any object, typed by its `type` | [`AnyObject`] |
//! | any answer, typed by its shape | [`Document`] |
//! | `{"error": {"code", "message"}}` | [`ApiErrorBody`], [`ErrorCode`], [`RetryClass`] |
//! | v2 `/file/report` (one object, or an array for a batch) | [`V2FileReport`], [`V2FileReportBatch`], [`V2ResponseCode`] |
//! | hashes, URL ids, domains, IPs, monitor ids, analysis ids | see [`ids`] |
//!
//! ## The lossless guarantee
//!
//! Decoding a VirusTotal answer and encoding it again gives the same JSON value (equal as
//! [`serde_json::Value`]s; key order may differ). The tests check this on every document of a
//! corpus of real answers. Concretely:
//!
//! - every attribute type has a `pub extra: Map<String, Value>` holding the members it does not
//!   model, in document order, written back unchanged;
//! - every modelled member is an `Option`: absent and `null` both read as `None`, and a `null`
//!   is remembered (in `extra`) so it is written back as `null`, while an absent member stays
//!   absent;
//! - members whose type varies between answers are typed as a union ([`NumberOrText`] for
//!   `threat_severity.version`) or kept as JSON (certificate extensions, `context_attributes`,
//!   tool outputs, ...); numbers keep their form (an
//!   integer stays an integer, a float such as `3.3356434083164046e21` stays a float); an
//!   integer object `id` stays an integer ([`ObjectId`]);
//! - open-ended values are enums with an `Other` variant that keeps the text
//!   ([`Category::Other`], [`ErrorCode::Other`], [`V2ResponseCode::Other`], ...);
//! - a key repeated in one object keeps its last value, as any JSON parser does.
//!
//! **serde_json features this relies on.** This crate turns on serde_json's
//! `preserve_order`, which the lossless model requires (objects are `IndexMap`s, so `extra`
//! and every [`serde_json::Value`] keep the document's member order), and `float_roundtrip`
//! (floats are read and written back exactly). Cargo features are global to a build, so every
//! crate of a program that uses vt-model sees serde_json with them.
//!
//! **Lenient by default.** If VirusTotal changes the type of a modelled member, the odd value
//! is kept in `extra` and the field reads `None`: one surprising member never makes a whole
//! report unreadable. [`from_str_strict`] turns that into an error naming the member (the
//! corpus tests decode strictly). [`decode`] is the recommended entry point for answer
//! bodies: it tries the faster strict decoder first and falls back to the lenient one, with
//! the same result as a lenient decode.
//!
//! ## Examples
//!
//! A file report:
//!
//! ```
//! use vt_model::{Category, DataEnvelope, FileReport};
//!
//! let body = br#"{"data": {"type": "file",
//!   "id": "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
//!   "links": {"self": "https://www.virustotal.com/api/v3/files/275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"},
//!   "attributes": {
//!     "sha256": "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
//!     "size": 68, "meaningful_name": "eicar.com", "last_analysis_date": 1722223215,
//!     "last_analysis_stats": {"malicious": 2, "undetected": 1, "harmless": 0,
//!                             "suspicious": 0, "timeout": 0},
//!     "last_analysis_results": {
//!       "Dr.Web": {"category": "malicious", "engine_name": "Dr.Web",
//!                  "result": "EICAR Test File (NOT a Virus!)", "method": "blacklist",
//!                  "engine_version": "7.0.65.5230", "engine_update": "20240728"},
//!       "Kingsoft": {"category": "malicious", "engine_name": "Kingsoft", "result": "Test.eicar",
//!                    "method": "blacklist", "engine_version": "None", "engine_update": "20240728"},
//!       "Baidu": {"category": "undetected", "engine_name": "Baidu", "result": null,
//!                 "method": "blacklist", "engine_version": "1.0.0.2", "engine_update": "20190318"}},
//!     "pe_info": {"imphash": "not modelled, but kept"}}}}"#;
//!
//! let report: DataEnvelope<FileReport> = vt_model::decode(body)?;
//! let file = &report.data;
//! assert_eq!(file.attributes.sha256.as_deref(), Some(file.id_str()));
//! let stats = file.attributes.last_analysis_stats.as_ref().unwrap();
//! assert_eq!((stats.malicious(), stats.total()), (2, 3));
//! assert_eq!(stats.type_unsupported(), 0); // missing keys read 0
//! assert_eq!(
//!     file.attributes.last_analysis_date.unwrap().to_rfc3339(),
//!     "2024-07-29T03:20:15Z"
//! );
//! let results = file.attributes.last_analysis_results.as_ref().unwrap();
//! let detections: Vec<&str> = results
//!     .values()
//!     .filter(|r| r.category == Some(Category::Malicious))
//!     .filter_map(|r| r.result.as_deref())
//!     .collect();
//! assert_eq!(detections, ["EICAR Test File (NOT a Virus!)", "Test.eicar"]);
//! assert_eq!(results["Kingsoft"].engine_version(), None); // the literal "None"
//!
//! // Unmodelled members are kept, and the report writes back to the same JSON.
//! assert!(file.attributes.extra.contains_key("pe_info"));
//! let original: serde_json::Value = serde_json::from_slice(body)?;
//! assert_eq!(serde_json::to_value(&report)?, original);
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! A page of a list, and how to tell whether there is another one:
//!
//! ```
//! use vt_model::{Collection, DomainReport};
//!
//! let page: Collection<DomainReport> = vt_model::decode_str(r#"{
//!   "data": [{"type": "domain", "id": "github.io", "attributes": {"reputation": 5}},
//!            {"type": "domain", "id": "gist.github.com", "attributes": {}}],
//!   "meta": {"cursor": "STIwCi4=", "count": 41},
//!   "links": {"self": "https://www.virustotal.com/api/v3/domains/github.com/subdomains?limit=2",
//!             "next": "https://www.virustotal.com/api/v3/domains/github.com/subdomains?cursor=STIwCi4%3D&limit=2"}
//! }"#)?;
//! let ids: Vec<&str> = page.data.iter().map(|d| d.id_str()).collect();
//! assert_eq!(ids, ["github.io", "gist.github.com"]);
//! assert_eq!(page.next_cursor(), Some("STIwCi4="));
//! assert_eq!(page.count(), Some(41));
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! Any answer, when you do not know in advance what it is:
//!
//! ```
//! use vt_model::{AnyObject, Document};
//!
//! let doc = Document::from_text(
//!     r#"{"data": {"type": "vote", "id": "f-1-2", "attributes": {"verdict": "harmless", "value": 1},
//!         "links": {"self": null}}}"#,
//! )?;
//! let Document::Object(envelope) = &doc else { unreachable!() };
//! let AnyObject::Vote(vote) = &envelope.data else { unreachable!() };
//! assert_eq!(vote.attributes.value, Some(1));
//! assert_eq!(serde_json::to_value(&doc)?["data"]["links"]["self"], serde_json::Value::Null);
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! Errors, and what to do about them:
//!
//! ```
//! use vt_model::{ApiErrorBody, ErrorCode, RetryClass};
//!
//! let body: ApiErrorBody = vt_model::decode_str(
//!     r#"{"error": {"code": "QuotaExceededError", "message": "Quota exceeded"}}"#,
//! )?;
//! assert_eq!(body.error.code, ErrorCode::QuotaExceeded);
//! assert_eq!(body.error.code.http_status(), Some(429));
//! assert_eq!(body.error.code.retry_class(), RetryClass::RetryAfterQuotaWindow);
//! assert_eq!(ErrorCode::parse("SomethingNewError").retry_class(), RetryClass::Never);
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! ## Choices where VirusTotal's documentation is silent
//!
//! - An empty `meta.cursor` ends a list, like a missing one.
//! - [`EngineResult::engine_version`] reads the literal `"None"` as absent (the field keeps it).
//! - [`AnalysisStats::total`] sums the eight known counters only (GTI adds aggregate keys such
//!   as `positives`, which would count twice).
//! - [`AnalysisMeta`] is looked up at the top level and, failing that, inside `data` (where one
//!   GTI sample puts it).
//! - `monitor_item` and `monitoritem` are both monitor items; the spelling read is the spelling
//!   written.
//! - Objects are typed by `type` only: [`AnyObject`] does not guess from the attributes.
//! - [`UserAttributes::apikey`] is [`Redacted`] so that `Debug` output never shows a key.
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod analysis;
pub mod any_object;
pub mod behaviour;
pub mod calendar;
pub mod comment;
pub mod common;
pub mod document;
pub mod domain;
pub mod engine;
pub mod envelope;
pub mod error;
pub mod feed;
pub mod file;
pub mod hunting;
pub mod ids;
pub mod indicator;
pub mod intelligence;
pub mod ioc_collection;
pub mod ioc_stream;
pub mod ip_address;
pub mod lossless;
pub mod metadata;
pub mod monitor;
pub mod object;
mod open_enum;
pub mod private;
pub mod relationships;
pub mod retrohunt;
pub mod timestamp;
pub mod url;
pub mod user;
pub mod v2;
pub mod vote;

pub use analysis::{
    AnalysisAttributes, AnalysisFileInfo, AnalysisMeta, AnalysisStatus, AnalysisUrlInfo,
};
pub use any_object::{
    Analysis, AnyObject, Comment, DomainReport, FileBehaviour, FileReport, IpAddressReport,
    MonitorAnalysis, MonitorItem, UrlReport, User, Vote,
};
pub use behaviour::{
    BehaviourMitreTrees, BehaviourSummary, FileBehaviourAttributes, MitreSignature, MitreTactic,
    MitreTechnique, MitreTree,
};
pub use comment::{CommentAttributes, CommentVoteCounts};
pub use common::{IconHashes, NumberOrText, PopularityRank, TotalVotes};
pub use document::Document;
pub use domain::{DnsRecord, DomainAttributes};
pub use engine::{AnalysisStats, Category, EngineResult, EngineResults};
pub use envelope::{Collection, CollectionLinks, CollectionMeta, DataEnvelope};
pub use error::{ApiError, ApiErrorBody, ErrorCode, RetryClass};
pub use feed::{FeedCursor, FeedKind, FeedMinute};
pub use file::{
    FileAttributes, PopularThreatClassification, SandboxVerdict, ThreatCount, ThreatSeverity,
    TridMatch,
};
pub use hunting::{
    HuntingNotification, HuntingNotificationAttributes, HuntingNotificationContext, HuntingRuleset,
    HuntingRulesetAttributes,
};
pub use ids::*;
pub use indexmap::IndexMap;
pub use indicator::{Indicator, IndicatorKind, Indicators};
pub use intelligence::{SearchContext, ZipFile, ZipFileAttributes, ZipFileStatus};
pub use ioc_collection::{COLLECTION_TYPE, IocCollection, IocCollectionAttributes};
pub use ioc_stream::{HuntingInfo, IocStreamContext, IocStreamOrigin, IocStreamSource};
pub use ip_address::IpAddressAttributes;
pub use lossless::{decode, decode_str, from_str_strict, from_value_strict};
pub use metadata::{Metadata, RelationshipInfo};
pub use monitor::{
    MONITOR_ANALYSIS_TYPE, MONITOR_ITEM_TYPE, MONITOR_ITEM_TYPE_ALT, MonitorAnalysisAttributes,
    MonitorItemAttributes, MonitorItemKind, is_monitor_item_type,
};
pub use object::{Descriptor, Links, Object, ObjectId, RawObject, Relationship, RelationshipData};
pub use private::{
    Private, PrivateAnalysis, PrivateAnalysisAttributes, PrivateAnalysisDescriptor,
    PrivateAnalysisDocument, PrivateFileReport, PrivateUrlReport, SandboxProgress,
};
pub use relationships::RelationshipName;
pub use retrohunt::{
    RETROHUNT_JOB_TYPE, RetrohuntCorpus, RetrohuntJob, RetrohuntJobAttributes, RetrohuntStatus,
    RetrohuntTimeRange,
};
pub use timestamp::{Timestamp, TimestampOutOfRange};
pub use url::UrlAttributes;
pub use user::{
    ApiUsage, OverallQuotas, Privilege, Quota, QuotaUsage, Redacted, Tier, UserAttributes,
};
pub use v2::{V2FileReport, V2FileReportBatch, V2ResponseCode, V2ScanResult};
pub use vote::{Verdict, VoteAttributes};
