//! Aliases for the typed objects and [`AnyObject`], which picks the type from `type`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::analysis::AnalysisAttributes;
use crate::behaviour::FileBehaviourAttributes;
use crate::comment::CommentAttributes;
use crate::domain::DomainAttributes;
use crate::file::FileAttributes;
use crate::ip_address::IpAddressAttributes;
use crate::monitor::{MonitorAnalysisAttributes, MonitorItemAttributes, is_monitor_item_type};
use crate::object::Object;
use crate::url::UrlAttributes;
use crate::user::UserAttributes;
use crate::vote::VoteAttributes;

/// A `file` object (`GET /files/{id}`).
pub type FileReport = Object<FileAttributes>;
/// A `url` object (`GET /urls/{id}`).
pub type UrlReport = Object<UrlAttributes>;
/// A `domain` object (`GET /domains/{domain}`).
pub type DomainReport = Object<DomainAttributes>;
/// An `ip_address` object (`GET /ip_addresses/{ip}`).
pub type IpAddressReport = Object<IpAddressAttributes>;
/// An `analysis` object (`GET /analyses/{id}`; also the descriptor returned by scans).
pub type Analysis = Object<AnalysisAttributes>;
/// A `comment` object.
pub type Comment = Object<CommentAttributes>;
/// A `vote` object.
pub type Vote = Object<VoteAttributes>;
/// A monitor item (`monitor_item` or `monitoritem`).
pub type MonitorItem = Object<MonitorItemAttributes>;
/// A `monitor_analysis` object.
pub type MonitorAnalysis = Object<MonitorAnalysisAttributes>;
/// A `file_behaviour` object (one sandbox's report).
pub type FileBehaviour = Object<FileBehaviourAttributes>;
/// A `user` object.
pub type User = Object<UserAttributes>;

/// Any VirusTotal object, typed by its `type` member; types this crate does not model (and
/// `graph`, `group`, `resolution`, `whois`, ...) land in [`AnyObject::Other`] with open
/// attributes. Serializes back exactly as it came, including the `type` spelling.
///
/// ```
/// use vt_model::AnyObject;
/// let o: AnyObject = serde_json::from_str(
///     r#"{"type": "monitoritem", "id": "x", "attributes": {"path": "/a.exe"}}"#).unwrap();
/// let AnyObject::MonitorItem(item) = &o else { panic!("not a monitor item") };
/// assert_eq!(item.attributes.path.as_deref(), Some("/a.exe"));
/// assert_eq!(o.object_type(), "monitoritem");
/// ```
// Variants differ in size (a file report is large), but every object already owns heap data
// far larger than the enum; boxing would only add an allocation and a deref to every use.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AnyObject {
    /// `file`.
    File(FileReport),
    /// `url`.
    Url(UrlReport),
    /// `domain`.
    Domain(DomainReport),
    /// `ip_address`.
    IpAddress(IpAddressReport),
    /// `analysis`.
    Analysis(Analysis),
    /// `comment`.
    Comment(Comment),
    /// `vote`.
    Vote(Vote),
    /// `monitor_item` / `monitoritem`.
    MonitorItem(MonitorItem),
    /// `monitor_analysis`.
    MonitorAnalysis(MonitorAnalysis),
    /// `file_behaviour`.
    FileBehaviour(FileBehaviour),
    /// `user`.
    User(User),
    /// Any other type.
    Other(Object),
}

macro_rules! each_variant {
    ($self:expr, $obj:ident => $body:expr) => {
        match $self {
            AnyObject::File($obj) => $body,
            AnyObject::Url($obj) => $body,
            AnyObject::Domain($obj) => $body,
            AnyObject::IpAddress($obj) => $body,
            AnyObject::Analysis($obj) => $body,
            AnyObject::Comment($obj) => $body,
            AnyObject::Vote($obj) => $body,
            AnyObject::MonitorItem($obj) => $body,
            AnyObject::MonitorAnalysis($obj) => $body,
            AnyObject::FileBehaviour($obj) => $body,
            AnyObject::User($obj) => $body,
            AnyObject::Other($obj) => $body,
        }
    };
}

impl AnyObject {
    /// Types an object with open attributes by its `type`.
    pub fn from_object(object: Object) -> Result<AnyObject, serde_json::Error> {
        fn typed<A: serde::de::DeserializeOwned>(
            object: Object,
        ) -> Result<Object<A>, serde_json::Error> {
            object.map_attributes(|attributes| A::deserialize(Value::Object(attributes)))
        }
        Ok(match object.object_type.as_str() {
            "file" => AnyObject::File(typed(object)?),
            "url" => AnyObject::Url(typed(object)?),
            "domain" => AnyObject::Domain(typed(object)?),
            "ip_address" => AnyObject::IpAddress(typed(object)?),
            "analysis" => AnyObject::Analysis(typed(object)?),
            "comment" => AnyObject::Comment(typed(object)?),
            "vote" => AnyObject::Vote(typed(object)?),
            "monitor_analysis" => AnyObject::MonitorAnalysis(typed(object)?),
            "file_behaviour" => AnyObject::FileBehaviour(typed(object)?),
            "user" => AnyObject::User(typed(object)?),
            t if is_monitor_item_type(t) => AnyObject::MonitorItem(typed(object)?),
            _ => AnyObject::Other(object),
        })
    }

    /// The `type` member as written.
    pub fn object_type(&self) -> &str {
        each_variant!(self, o => &o.object_type)
    }

    /// The id as text.
    pub fn id_str(&self) -> &str {
        each_variant!(self, o => o.id_str())
    }

    /// The object's `links`.
    pub fn links(&self) -> Option<&crate::Links> {
        each_variant!(self, o => o.links.as_ref())
    }

    /// The per-item `error` of a relationship list entry.
    pub fn error(&self) -> Option<&crate::ApiError> {
        each_variant!(self, o => o.error.as_ref())
    }

    /// The object's `context_attributes`.
    pub fn context_attributes(&self) -> Option<&Map<String, Value>> {
        each_variant!(self, o => o.context_attributes.as_ref())
    }

    /// The object with open attributes (what it serializes to).
    pub fn into_raw(self) -> Result<Object, serde_json::Error> {
        fn raw<A: Serialize>(object: Object<A>) -> Result<Object, serde_json::Error> {
            object.map_attributes(|attributes| match serde_json::to_value(attributes)? {
                Value::Object(map) => Ok(map),
                other => Err(serde::ser::Error::custom(format_args!(
                    "attributes serialized to {} instead of an object",
                    crate::lossless::kind_of(&other)
                ))),
            })
        }
        each_variant!(self, o => raw(o))
    }
}

impl Serialize for AnyObject {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        each_variant!(self, o => o.serialize(serializer))
    }
}

impl<'de> Deserialize<'de> for AnyObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let object = Object::deserialize(deserializer)?;
        AnyObject::from_object(object).map_err(serde::de::Error::custom)
    }
}
