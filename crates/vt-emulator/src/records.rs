//! What the store keeps, record by record: the object families ([`Kind`]), objects with their
//! JSON pre-serialized ([`StoredObject`]), file contents, comments, votes, analyses, upload
//! and download tokens, Monitor items. The [`Store`](crate::store::Store) holds them; the
//! per-family stores (feeds, private scans, collections, ...) use them without the store.

use std::path::PathBuf;

use bytes::Bytes;
use serde_json::{Value, json};

/// The object families the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Kind {
    File,
    Url,
    Domain,
    IpAddress,
    Resolution,
    /// A sandbox behaviour report (`file_behaviour`, id `<sha256>_<sandbox name>`).
    FileBehaviour,
}

impl Kind {
    pub(crate) fn type_name(self) -> &'static str {
        match self {
            Kind::File => "file",
            Kind::Url => "url",
            Kind::Domain => "domain",
            Kind::IpAddress => "ip_address",
            Kind::Resolution => "resolution",
            Kind::FileBehaviour => "file_behaviour",
        }
    }

    pub(crate) fn collection(self) -> &'static str {
        match self {
            Kind::File => "files",
            Kind::Url => "urls",
            Kind::Domain => "domains",
            Kind::IpAddress => "ip_addresses",
            Kind::Resolution => "resolutions",
            Kind::FileBehaviour => "file_behaviours",
        }
    }

    pub(crate) fn from_type_name(s: &str) -> Option<Kind> {
        Some(match s {
            "file" => Kind::File,
            "url" => Kind::Url,
            "domain" => Kind::Domain,
            "ip_address" => Kind::IpAddress,
            "resolution" => Kind::Resolution,
            "file_behaviour" => Kind::FileBehaviour,
            _ => return None,
        })
    }

    /// Prefix of comment and vote ids (`f-<sha256>-<8 hex>`).
    pub(crate) fn id_prefix(self) -> &'static str {
        match self {
            Kind::File => "f",
            Kind::Url => "u",
            Kind::Domain => "d",
            Kind::IpAddress => "i",
            Kind::Resolution => "r",
            Kind::FileBehaviour => "b",
        }
    }

    /// The name used in "not found" messages (`File "x" not found`).
    pub(crate) fn display(self) -> &'static str {
        match self {
            Kind::File => "File",
            Kind::Url => "URL",
            Kind::Domain => "Domain",
            Kind::IpAddress => "IP address",
            Kind::Resolution => "Resolution",
            Kind::FileBehaviour => "Behaviour report",
        }
    }
}

/// An object's key in the store.
pub(crate) type ObjKey = (Kind, String);

/// An object with its `{"data": ...}` body, serialized on first use and kept until the
/// object changes (hot objects are answered without re-serializing).
#[derive(Debug, Clone)]
pub(crate) struct StoredObject {
    pub(crate) data: Value,
    body: std::sync::OnceLock<Bytes>,
}

impl StoredObject {
    pub(crate) fn new(data: Value) -> Self {
        StoredObject {
            data,
            body: std::sync::OnceLock::new(),
        }
    }

    /// The serialized `{"data": ...}` body.
    pub(crate) fn body(&self) -> Bytes {
        self.body.get_or_init(|| serialize_data(&self.data)).clone()
    }

    /// Forgets the serialized body after `data` changed.
    pub(crate) fn refresh(&mut self) {
        self.body = std::sync::OnceLock::new();
    }

    pub(crate) fn attr(&self, name: &str) -> Option<&Value> {
        self.data.get("attributes").and_then(|a| a.get(name))
    }

    pub(crate) fn attr_mut(&mut self, name: &str) -> Option<&mut Value> {
        self.data
            .get_mut("attributes")
            .and_then(|a| a.get_mut(name))
    }

    pub(crate) fn set_attr(&mut self, name: &str, value: Value) {
        if let Some(Value::Object(attrs)) = self.data.get_mut("attributes") {
            attrs.insert(name.to_owned(), value);
        }
    }
}

/// `{"data": <value>}` as bytes.
pub(crate) fn serialize_data(data: &Value) -> Bytes {
    let inner = serde_json::to_vec(data).unwrap_or_default();
    let mut out = Vec::with_capacity(inner.len() + 9);
    out.extend_from_slice(b"{\"data\":");
    out.extend_from_slice(&inner);
    out.push(b'}');
    Bytes::from(out)
}

/// Where a file's bytes are.
#[derive(Debug, Clone)]
pub(crate) enum Content {
    /// Small generated content, kept in memory.
    Memory(Bytes),
    /// Uploaded content, streamed to disk.
    Disk { path: PathBuf, size: u64 },
}

/// A comment.
#[derive(Debug, Clone)]
pub(crate) struct Comment {
    pub(crate) id: String,
    pub(crate) target: ObjKey,
    pub(crate) author: String,
    pub(crate) date: u64,
    pub(crate) text: String,
    pub(crate) tags: Vec<String>,
    pub(crate) positive: u64,
    pub(crate) negative: u64,
    pub(crate) abuse: u64,
}

impl Comment {
    pub(crate) fn to_json(&self, base: &str) -> Value {
        json!({
            "type": "comment",
            "id": self.id,
            "links": {"self": format!("{base}/api/v3/comments/{}", self.id)},
            "attributes": {
                "date": self.date,
                "text": self.text,
                "html": html_escape(&self.text),
                "tags": self.tags,
                "votes": {"positive": self.positive, "negative": self.negative, "abuse": self.abuse},
            }
        })
    }
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push_str("<br />"),
            c => out.push(c),
        }
    }
    out
}

/// Tags of a comment: its `#words`, lower-cased, without duplicates.
pub(crate) fn comment_tags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        if let Some(tag) = word.strip_prefix('#') {
            let tag: String = tag
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == '.')
                .collect::<String>()
                .to_lowercase();
            if !tag.is_empty() && !tags.contains(&tag) {
                tags.push(tag);
            }
        }
    }
    tags
}

/// A vote.
#[derive(Debug, Clone)]
pub(crate) struct Vote {
    pub(crate) id: String,
    pub(crate) owner: String,
    pub(crate) date: u64,
    pub(crate) verdict: String,
    pub(crate) value: i64,
}

impl Vote {
    pub(crate) fn to_json(&self, base: &str) -> Value {
        json!({
            "type": "vote",
            "id": self.id,
            "links": {"self": format!("{base}/api/v3/votes/{}", self.id)},
            "attributes": {"date": self.date, "verdict": self.verdict, "value": self.value},
        })
    }
}

/// What an analysis analyses.
#[derive(Debug, Clone)]
pub(crate) enum AnalysisTarget {
    File { sha256: String },
    Url { id: String, url: String },
    Domain(String),
    IpAddress(String),
}

impl AnalysisTarget {
    pub(crate) fn key(&self) -> ObjKey {
        match self {
            AnalysisTarget::File { sha256 } => (Kind::File, sha256.clone()),
            AnalysisTarget::Url { id, .. } => (Kind::Url, id.clone()),
            AnalysisTarget::Domain(d) => (Kind::Domain, d.clone()),
            AnalysisTarget::IpAddress(i) => (Kind::IpAddress, i.clone()),
        }
    }
}

/// An analysis and how far it got.
#[derive(Debug, Clone)]
pub(crate) struct Analysis {
    pub(crate) target: AnalysisTarget,
    pub(crate) created_ms: u64,
    pub(crate) polls: u32,
}

/// What an upload URL accepts.
#[derive(Debug, Clone)]
pub(crate) enum UploadKind {
    Files,
    Monitor,
    /// A private upload, owned by the user who asked for the URL.
    Private {
        owner: String,
    },
}

/// A single-use upload URL.
#[derive(Debug, Clone)]
pub(crate) struct UploadToken {
    pub(crate) kind: UploadKind,
}

/// A signed download URL (reusable until it expires, like VirusTotal's).
#[derive(Debug, Clone)]
pub(crate) struct DownloadToken {
    pub(crate) sha256: String,
    pub(crate) expires_ms: u64,
}

/// A VT Monitor item.
#[derive(Debug, Clone)]
pub(crate) struct MonitorItem {
    pub(crate) id: String,
    pub(crate) path: String,
    pub(crate) data: Value,
    /// `monitor_analysis` objects, newest first.
    pub(crate) analyses: Vec<Value>,
}

impl MonitorItem {
    pub(crate) fn is_folder(&self) -> bool {
        self.path.ends_with('/')
    }

    pub(crate) fn tags(&self) -> Vec<String> {
        self.data
            .pointer("/attributes/tags")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(crate) fn sha256(&self) -> Option<&str> {
        self.data
            .pointer("/attributes/sha256")
            .and_then(Value::as_str)
    }
}
