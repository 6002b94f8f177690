//! Aliases for the typed objects and [`AnyObject`], which picks the type from `type`.

use std::fmt;

use serde::de::{DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::analysis::AnalysisAttributes;
use crate::behaviour::FileBehaviourAttributes;
use crate::comment::CommentAttributes;
use crate::domain::DomainAttributes;
use crate::file::FileAttributes;
use crate::ip_address::IpAddressAttributes;
use crate::monitor::{MonitorAnalysisAttributes, MonitorItemAttributes, is_monitor_item_type};
use crate::object::{AttributesSlot, Object, visit_object_members};
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
        typed_from_object(object)
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
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = AnyObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a VirusTotal object (a JSON object with a `type`)")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut access: M) -> Result<AnyObject, M::Error> {
                // When `type` comes before `attributes`, the attributes stream straight into
                // their typed form; otherwise they are read as a JSON map and typed after.
                let (shell, slot) =
                    visit_object_members(&mut access, |object_type, access: &mut M| {
                        match object_type {
                            Some(t) => access.next_value_seed(AttributesSeed(kind_of(t))),
                            None => access
                                .next_value::<Option<Map<String, Value>>>()
                                .map(|raw| raw.map(AnyAttributes::Raw)),
                        }
                    })?;
                let kind = kind_of(&shell.object_type);
                let result = match slot {
                    AttributesSlot::Present(attributes) => assemble(shell, attributes, kind),
                    AttributesSlot::Absent => AnyObject::from_object(
                        shell.with_attributes(AttributesSlot::Absent, Map::is_empty),
                    ),
                    AttributesSlot::Null => AnyObject::from_object(
                        shell.with_attributes(AttributesSlot::Null, Map::is_empty),
                    ),
                };
                result.map_err(serde::de::Error::custom)
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

/// The typed object kinds: the variant of [`AnyObject`] and the attribute type of each.
macro_rules! typed_kinds {
    ($($variant:ident => $attrs:ty),* $(,)?) => {
        /// Attributes read while decoding an [`AnyObject`] (short-lived, moved once).
        #[allow(clippy::large_enum_variant)]
        enum AnyAttributes {
            $( $variant($attrs), )*
            Raw(Map<String, Value>),
        }

        /// Which attribute type an object `type` selects.
        #[derive(Clone, Copy, PartialEq, Eq)]
        enum Kind {
            $( $variant, )*
            Other,
        }

        /// Decodes `attributes` (or `null`) as the type of a known kind.
        struct AttributesSeed(Kind);

        impl<'de> DeserializeSeed<'de> for AttributesSeed {
            type Value = Option<AnyAttributes>;
            fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
                Ok(match self.0 {
                    $( Kind::$variant => Option::<$attrs>::deserialize(deserializer)?.map(AnyAttributes::$variant), )*
                    Kind::Other => Option::<Map<String, Value>>::deserialize(deserializer)?.map(AnyAttributes::Raw),
                })
            }
        }

        impl AnyAttributes {
            /// The attributes as an open JSON map.
            fn into_map(self) -> Result<Map<String, Value>, serde_json::Error> {
                let value = match self {
                    $( AnyAttributes::$variant(attributes) => serde_json::to_value(attributes)?, )*
                    AnyAttributes::Raw(map) => return Ok(map),
                };
                match value {
                    Value::Object(map) => Ok(map),
                    other => Err(serde::ser::Error::custom(format_args!(
                        "attributes serialized to {} instead of an object",
                        crate::lossless::kind_of(&other)
                    ))),
                }
            }
        }

        /// Builds the typed object from its shell and its attributes.
        fn assemble(
            shell: Object<()>,
            attributes: AnyAttributes,
            kind: Kind,
        ) -> Result<AnyObject, serde_json::Error> {
            match (kind, attributes) {
                $(
                    (Kind::$variant, AnyAttributes::$variant(attributes)) => Ok(AnyObject::$variant(
                        shell.with_attributes(AttributesSlot::Present(attributes), |a| *a == <$attrs>::default()),
                    )),
                )*
                (_, AnyAttributes::Raw(map)) => AnyObject::from_object(
                    shell.with_attributes(AttributesSlot::Present(map), Map::is_empty),
                ),
                // A repeated `type` member changed the type after the attributes were read:
                // re-type them through JSON.
                (_, typed) => {
                    let map = typed.into_map()?;
                    AnyObject::from_object(shell.with_attributes(AttributesSlot::Present(map), Map::is_empty))
                }
            }
        }

        /// Types an object with open attributes by its `type`.
        fn typed_from_object(object: Object) -> Result<AnyObject, serde_json::Error> {
            Ok(match kind_of(&object.object_type) {
                $(
                    Kind::$variant => AnyObject::$variant(
                        object.map_attributes(|map| <$attrs>::deserialize(Value::Object(map)))?,
                    ),
                )*
                Kind::Other => AnyObject::Other(object),
            })
        }
    };
}

typed_kinds! {
    File => FileAttributes,
    Url => UrlAttributes,
    Domain => DomainAttributes,
    IpAddress => IpAddressAttributes,
    Analysis => AnalysisAttributes,
    Comment => CommentAttributes,
    Vote => VoteAttributes,
    MonitorItem => MonitorItemAttributes,
    MonitorAnalysis => MonitorAnalysisAttributes,
    FileBehaviour => FileBehaviourAttributes,
    User => UserAttributes,
}

/// The kind an object `type` selects.
fn kind_of(object_type: &str) -> Kind {
    match object_type {
        "file" => Kind::File,
        "url" => Kind::Url,
        "domain" => Kind::Domain,
        "ip_address" => Kind::IpAddress,
        "analysis" => Kind::Analysis,
        "comment" => Kind::Comment,
        "vote" => Kind::Vote,
        "monitor_analysis" => Kind::MonitorAnalysis,
        "file_behaviour" => Kind::FileBehaviour,
        "user" => Kind::User,
        t if is_monitor_item_type(t) => Kind::MonitorItem,
        _ => Kind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(doc: Value) -> AnyObject {
        let typed: AnyObject = crate::from_value_strict(doc.clone()).unwrap();
        assert_eq!(serde_json::to_value(&typed).unwrap(), doc);
        let from_text: AnyObject = crate::from_str_strict(&doc.to_string()).unwrap();
        assert_eq!(from_text, typed);
        typed
    }

    #[test]
    fn attributes_before_or_after_the_type_give_the_same_object() {
        let text_after = r#"{"type": "file", "id": "x", "attributes": {"size": 3}}"#;
        let text_before = r#"{"attributes": {"size": 3}, "id": "x", "type": "file"}"#;
        let after: AnyObject = serde_json::from_str(text_after).unwrap();
        let before: AnyObject = serde_json::from_str(text_before).unwrap();
        assert_eq!(after, before);
        let AnyObject::File(file) = after else {
            panic!("a file")
        };
        assert_eq!(file.attributes.size, Some(3));
    }

    #[test]
    fn empty_null_and_absent_attributes_round_trip_for_typed_and_other_kinds() {
        for t in ["file", "graph", "monitoritem"] {
            round_trip(json!({"type": t, "id": "x"}));
            round_trip(json!({"type": t, "id": "x", "attributes": {}}));
            round_trip(json!({"type": t, "id": "x", "attributes": null}));
            round_trip(json!({"attributes": {}, "type": t}));
        }
    }

    #[test]
    fn a_repeated_type_retypes_the_attributes() {
        let text = r#"{"type": "file", "attributes": {"url": "http://a/"}, "type": "url"}"#;
        let o: AnyObject = serde_json::from_str(text).unwrap();
        let AnyObject::Url(url) = o else {
            panic!("the last type wins")
        };
        assert_eq!(url.attributes.url.as_deref(), Some("http://a/"));
    }

    #[test]
    fn unknown_types_keep_open_attributes() {
        let o = round_trip(json!({"type": "resolution", "id": "1.2.3.4a.com",
            "attributes": {"date": 1, "host_name": "a.com"}}));
        let AnyObject::Other(raw) = &o else {
            panic!("other")
        };
        assert_eq!(raw.attributes["host_name"], "a.com");
        assert_eq!(o.into_raw().unwrap().attributes["date"], 1);
    }
}
