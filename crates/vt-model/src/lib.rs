//! # vt-model
//!
//! Typed, lossless serde models of the VirusTotal API. (Crate guide: being written.)
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod analysis;
pub mod any_object;
pub mod behaviour;
pub mod comment;
pub mod common;
pub mod document;
pub mod domain;
pub mod engine;
pub mod envelope;
pub mod error;
pub mod file;
pub mod ids;
pub mod ip_address;
pub mod lossless;
pub mod metadata;
pub mod monitor;
pub mod object;
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
pub use behaviour::FileBehaviourAttributes;
pub use comment::{CommentAttributes, CommentVoteCounts};
pub use common::{IconHashes, PopularityRank, TotalVotes};
pub use document::Document;
pub use domain::{DnsRecord, DomainAttributes};
pub use engine::{AnalysisStats, Category, EngineResult, EngineResults};
pub use envelope::{Collection, CollectionLinks, CollectionMeta, DataEnvelope};
pub use error::{ApiError, ApiErrorBody, ErrorCode, RetryClass};
pub use file::{
    FileAttributes, PopularThreatClassification, SandboxVerdict, ThreatCount, TridMatch,
};
pub use ids::*;
pub use indexmap::IndexMap;
pub use ip_address::IpAddressAttributes;
pub use lossless::{decode, decode_str, from_str_strict, from_value_strict};
pub use metadata::{Metadata, RelationshipInfo};
pub use monitor::{MonitorAnalysisAttributes, MonitorItemAttributes, MonitorItemKind};
pub use object::{Descriptor, Links, Object, ObjectId, RawObject, Relationship, RelationshipData};
pub use timestamp::{Timestamp, TimestampOutOfRange};
pub use url::UrlAttributes;
pub use user::{ApiUsage, OverallQuotas, Privilege, Quota, QuotaUsage, Redacted, UserAttributes};
pub use v2::{V2FileReport, V2FileReportBatch, V2ResponseCode, V2ScanResult};
pub use vote::{Verdict, VoteAttributes};
