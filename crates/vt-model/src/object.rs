//! The v3 object model: [`Object`], [`Descriptor`], [`ObjectId`], [`Links`] and
//! [`Relationship`]s.

use std::fmt;

use indexmap::IndexMap;
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};

use crate::envelope::CollectionMeta;
use crate::error::ApiError;
use crate::lossless::{lossless_struct, next_member};

/// An object's `id`. VirusTotal sends a string, except one 2019 answer that sent an integer;
/// the id remembers which, and is written back the same way. An id can also be missing (an
/// object being created has none).
///
/// ```
/// use vt_model::ObjectId;
/// let id: ObjectId = serde_json::from_str("1571524923").unwrap();
/// assert_eq!(id.as_str(), "1571524923");
/// assert!(id.was_number());
/// assert_eq!(serde_json::to_string(&id).unwrap(), "1571524923");
/// assert_eq!(ObjectId::from("abc"), "abc");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ObjectId {
    text: String,
    form: IdForm,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
enum IdForm {
    #[default]
    Missing,
    Text,
    Number(Number),
}

impl ObjectId {
    /// An id written as a JSON string.
    pub fn new(id: impl Into<String>) -> ObjectId {
        ObjectId {
            text: id.into(),
            form: IdForm::Text,
        }
    }

    /// No id (an object being created). Reads as `""` and is not serialized by [`Object`].
    pub fn missing() -> ObjectId {
        ObjectId::default()
    }

    /// The id as text (`""` when missing; the decimal digits of a numeric id).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the document had no `id` member.
    pub fn is_missing(&self) -> bool {
        self.form == IdForm::Missing
    }

    /// Whether the id was written as a JSON number.
    pub fn was_number(&self) -> bool {
        matches!(self.form, IdForm::Number(_))
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<&str> for ObjectId {
    fn from(id: &str) -> ObjectId {
        ObjectId::new(id)
    }
}

impl From<String> for ObjectId {
    fn from(id: String) -> ObjectId {
        ObjectId::new(id)
    }
}

impl PartialEq<str> for ObjectId {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for ObjectId {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl AsRef<str> for ObjectId {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl Serialize for ObjectId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.form {
            IdForm::Number(n) => n.serialize(serializer),
            IdForm::Text | IdForm::Missing => serializer.serialize_str(&self.text),
        }
    }
}

impl<'de> Deserialize<'de> for ObjectId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(text) => Ok(ObjectId::new(text)),
            Value::Number(n) => Ok(ObjectId {
                text: n.to_string(),
                form: IdForm::Number(n),
            }),
            other => Err(serde::de::Error::custom(format_args!(
                "object id: expected a string or a number, found {}",
                crate::lossless::kind_of(&other)
            ))),
        }
    }
}

lossless_struct! {
    /// An object's or a relationship's `links` (`self` may be `null`: a vote answer has it).
    pub struct Links {
        /// `self`: the URL of this object or page.
        self_: String = "self",
        /// `related`: for relationships, the URL of the full related objects.
        related: String = "related",
        /// `next`: the next page of a relationship list.
        next: String = "next",
        /// `item`: for analyses, the analysed file or URL.
        item: String = "item",
    }
}

/// A VirusTotal object: `{"type", "id", "links", "attributes", "relationships",
/// "context_attributes", "error"}`, with attributes typed as `A` (an open JSON map by
/// default). Members it does not model (e.g. a `meta` inside `data`) are kept in `extra`.
///
/// A missing `attributes` member reads as `A::default()` and stays missing when written; an
/// empty one (`{}`) is remembered in `extra` and written back.
///
/// ```
/// use vt_model::{FileReport, DataEnvelope};
/// let doc = r#"{"data": {"type": "file", "id": "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
///   "attributes": {"size": 68, "sha256": "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"}}}"#;
/// let report: DataEnvelope<FileReport> = serde_json::from_str(doc).unwrap();
/// assert_eq!(report.data.object_type, "file");
/// assert_eq!(report.data.attributes.size, Some(68));
/// assert_eq!(report.data.attributes.sha256.as_deref(), Some(report.data.id_str()));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object<A = Map<String, Value>> {
    /// `type`: the object type (`file`, `url`, `domain`, `ip_address`, `analysis`, ...).
    pub object_type: String,
    /// `id`: unique per type.
    pub id: ObjectId,
    /// `links`.
    pub links: Option<Links>,
    /// `attributes`.
    pub attributes: A,
    /// `relationships`, by name (only when requested with `?relationships=`).
    pub relationships: Option<IndexMap<String, Relationship>>,
    /// `context_attributes`: per-relationship extras (e.g. `url` in search results).
    pub context_attributes: Option<Map<String, Value>>,
    /// `error`: set on an item of a relationship list whose object VirusTotal could not load.
    pub error: Option<ApiError>,
    /// Members not modelled above (and `null` values of modelled ones), kept verbatim.
    pub extra: Map<String, Value>,
}

/// A typed VirusTotal object with untyped attributes.
pub type RawObject = Object<Map<String, Value>>;

impl<A> Object<A> {
    /// An object of `object_type` / `id` with `attributes` and nothing else.
    ///
    /// ```
    /// use vt_model::{Comment, CommentAttributes};
    /// let c = Comment::new("comment", "f-abc-1", CommentAttributes {
    ///     text: Some("#malware seen in the wild".into()),
    ///     ..Default::default()
    /// });
    /// assert_eq!(serde_json::to_string(&c).unwrap(),
    ///     r##"{"type":"comment","id":"f-abc-1","attributes":{"text":"#malware seen in the wild"}}"##);
    /// ```
    pub fn new(
        object_type: impl Into<String>,
        id: impl Into<ObjectId>,
        attributes: A,
    ) -> Object<A> {
        Object {
            object_type: object_type.into(),
            id: id.into(),
            links: None,
            attributes,
            relationships: None,
            context_attributes: None,
            error: None,
            extra: Map::new(),
        }
    }

    /// The id as text.
    pub fn id_str(&self) -> &str {
        self.id.as_str()
    }

    /// The descriptor (`type` + `id`) of this object.
    pub fn descriptor(&self) -> Descriptor {
        Descriptor {
            object_type: Some(self.object_type.clone()),
            id: (!self.id.is_missing()).then(|| self.id.clone()),
            ..Descriptor::default()
        }
    }

    /// The relationship named `name`, if it was requested and returned.
    pub fn relationship(&self, name: &str) -> Option<&Relationship> {
        self.relationships.as_ref()?.get(name)
    }

    /// The same object with its attributes converted by `f`.
    pub fn map_attributes<B, E>(self, f: impl FnOnce(A) -> Result<B, E>) -> Result<Object<B>, E> {
        Ok(Object {
            object_type: self.object_type,
            id: self.id,
            links: self.links,
            attributes: f(self.attributes)?,
            relationships: self.relationships,
            context_attributes: self.context_attributes,
            error: self.error,
            extra: self.extra,
        })
    }
}

impl<A: Default + PartialEq> Object<A> {
    /// Whether a member name is written from a modelled field (which then hides an `extra`
    /// entry of the same name).
    fn shadows(&self, key: &str) -> bool {
        match key {
            "type" => true,
            "id" => !self.id.is_missing(),
            "links" => self.links.is_some(),
            "attributes" => self.attributes != A::default(),
            "relationships" => self.relationships.is_some(),
            "context_attributes" => self.context_attributes.is_some(),
            "error" => self.error.is_some(),
            _ => false,
        }
    }
}

impl<A: Serialize + Default + PartialEq> Serialize for Object<A> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", &self.object_type)?;
        if !self.id.is_missing() {
            map.serialize_entry("id", &self.id)?;
        }
        if let Some(links) = &self.links {
            map.serialize_entry("links", links)?;
        }
        if self.attributes != A::default() {
            map.serialize_entry("attributes", &self.attributes)?;
        }
        if let Some(relationships) = &self.relationships {
            map.serialize_entry("relationships", relationships)?;
        }
        if let Some(context) = &self.context_attributes {
            map.serialize_entry("context_attributes", context)?;
        }
        if let Some(error) = &self.error {
            map.serialize_entry("error", error)?;
        }
        for (key, value) in &self.extra {
            if !self.shadows(key) {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

impl<'de, A: DeserializeOwned + Default + PartialEq> Deserialize<'de> for Object<A> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<A>(std::marker::PhantomData<A>);
        impl<'de, A: DeserializeOwned + Default + PartialEq> Visitor<'de> for Visit<A> {
            type Value = Object<A>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a VirusTotal object (a JSON object with a `type`)")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut access: M) -> Result<Object<A>, M::Error> {
                let (shell, slot) = visit_object_members(&mut access, |_, access: &mut M| {
                    access.next_value::<Option<A>>()
                })?;
                Ok(shell.with_attributes(slot, |a| *a == A::default()))
            }
        }
        deserializer.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// What an object's `attributes` member held.
pub(crate) enum AttributesSlot<A> {
    /// No `attributes` member.
    Absent,
    /// `"attributes": null`.
    Null,
    /// Attributes.
    Present(A),
}

/// Reads the members of an object, all but `attributes` into an attribute-less shell, and
/// `attributes` through `read_attributes`, which is told the `type` if it came first.
pub(crate) fn visit_object_members<'de, M, A>(
    access: &mut M,
    mut read_attributes: impl FnMut(Option<&str>, &mut M) -> Result<Option<A>, M::Error>,
) -> Result<(Object<()>, AttributesSlot<A>), M::Error>
where
    M: MapAccess<'de>,
{
    use serde::de::Error;
    let mut out = Object::<()>::default();
    let mut slot = AttributesSlot::Absent;
    let mut saw_type = false;
    while let Some(crate::lossless::Key(key)) = access.next_key()? {
        match key.as_ref() {
            "type" => {
                out.object_type = access
                    .next_value::<String>()
                    .map_err(|e| M::Error::custom(format_args!("object `type`: {e}")))?;
                saw_type = true;
            }
            "id" => {
                // A `null` (or, leniently, an odd) id is kept in `extra`; the id reads missing.
                out.id = next_member(access, key, &mut out.extra)?.unwrap_or_default();
            }
            "attributes" => {
                let known_type = saw_type.then_some(out.object_type.as_str());
                slot = match read_attributes(known_type, access)? {
                    None => AttributesSlot::Null,
                    Some(attributes) => AttributesSlot::Present(attributes),
                };
            }
            "links" => out.links = next_member(access, key, &mut out.extra)?,
            "relationships" => out.relationships = next_member(access, key, &mut out.extra)?,
            "context_attributes" => {
                out.context_attributes = next_member(access, key, &mut out.extra)?;
            }
            "error" => out.error = next_member(access, key, &mut out.extra)?,
            _ => {
                let value: Value = access.next_value()?;
                out.extra.insert(key.into_owned(), value);
            }
        }
    }
    if !saw_type {
        return Err(M::Error::missing_field("type"));
    }
    Ok((out, slot))
}

impl Object<()> {
    /// Puts the attributes read into an attribute-less shell, remembering a `null` or an
    /// empty (`is_empty`) `attributes` member in `extra`.
    pub(crate) fn with_attributes<A: Default>(
        self,
        slot: AttributesSlot<A>,
        is_empty: impl FnOnce(&A) -> bool,
    ) -> Object<A> {
        let mut object = Object {
            object_type: self.object_type,
            id: self.id,
            links: self.links,
            attributes: A::default(),
            relationships: self.relationships,
            context_attributes: self.context_attributes,
            error: self.error,
            extra: self.extra,
        };
        match slot {
            AttributesSlot::Absent => {}
            AttributesSlot::Null => {
                object.extra.insert("attributes".to_owned(), Value::Null);
            }
            AttributesSlot::Present(attributes) => {
                if is_empty(&attributes) {
                    object
                        .extra
                        .insert("attributes".to_owned(), Value::Object(Map::new()));
                }
                object.attributes = attributes;
            }
        }
        object
    }
}

lossless_struct! {
    /// An object descriptor: `type` and `id`, plus what relationship lists attach to it
    /// (`links`, `context_attributes`, and the `error` of an object VirusTotal could not load).
    ///
    /// ```
    /// use vt_model::Descriptor;
    /// let d: Descriptor = serde_json::from_str(r#"{"type": "analysis", "id": "u-abc-1"}"#).unwrap();
    /// assert_eq!(d.id_str(), "u-abc-1");
    /// ```
    pub struct Descriptor {
        /// `type`.
        object_type: String = "type",
        /// `id`.
        id: ObjectId = "id",
        /// `links`.
        links: Links = "links",
        /// `context_attributes`.
        context_attributes: Map<String, Value> = "context_attributes",
        /// `error`.
        error: ApiError = "error",
    }
}

impl Descriptor {
    /// A descriptor of `object_type` / `id`.
    pub fn new(object_type: impl Into<String>, id: impl Into<String>) -> Descriptor {
        Descriptor {
            object_type: Some(object_type.into()),
            id: Some(ObjectId::new(id)),
            ..Descriptor::default()
        }
    }

    /// The type (`""` if missing).
    pub fn type_str(&self) -> &str {
        self.object_type.as_deref().unwrap_or("")
    }

    /// The id as text (`""` if missing).
    pub fn id_str(&self) -> &str {
        self.id.as_ref().map_or("", ObjectId::as_str)
    }
}

lossless_struct! {
    /// One entry of an object's `relationships`: `data` (one descriptor, `null`, or a list),
    /// plus the list's own `meta` (cursor) and `links`.
    ///
    /// ```
    /// use vt_model::Relationship;
    /// let r: Relationship = serde_json::from_str(r#"{"data": [{"type": "domain", "id": "a.com"}],
    ///     "meta": {"cursor": "Q"}, "links": {"self": "s", "next": "n"}}"#).unwrap();
    /// assert_eq!(r.descriptors().next().unwrap().id_str(), "a.com");
    /// assert_eq!(r.next_cursor(), Some("Q"));
    /// ```
    pub struct Relationship {
        /// `data`: `None` when missing or `null` (an empty one-to-one relationship).
        data: RelationshipData = "data",
        /// `meta` (`cursor`, `count`) of a one-to-many relationship.
        meta: CollectionMeta = "meta",
        /// `links` (`self`, `related`, `next`).
        links: Links = "links",
    }
}

impl Relationship {
    /// The related descriptors (none, one, or many).
    pub fn descriptors(&self) -> impl Iterator<Item = &Descriptor> {
        let slice: &[Descriptor] = match &self.data {
            Some(RelationshipData::One(one)) => std::slice::from_ref(one),
            Some(RelationshipData::Many(many)) => many,
            None => &[],
        };
        slice.iter()
    }

    /// The cursor of the next page of a one-to-many relationship, if there is one.
    pub fn next_cursor(&self) -> Option<&str> {
        self.meta
            .as_ref()?
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
    }
}

/// The `data` of a [`Relationship`].
#[allow(clippy::large_enum_variant)] // a descriptor is small next to the objects it sits in
#[derive(Debug, Clone, PartialEq)]
pub enum RelationshipData {
    /// A one-to-one relationship.
    One(Descriptor),
    /// A one-to-many relationship.
    Many(Vec<Descriptor>),
}

impl Serialize for RelationshipData {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            RelationshipData::One(one) => one.serialize(serializer),
            RelationshipData::Many(many) => many.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for RelationshipData {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match Value::deserialize(deserializer)? {
            Value::Array(items) => items
                .into_iter()
                .map(Descriptor::deserialize)
                .collect::<Result<Vec<_>, _>>()
                .map(RelationshipData::Many)
                .map_err(D::Error::custom),
            value @ Value::Object(_) => Descriptor::deserialize(value)
                .map(RelationshipData::One)
                .map_err(D::Error::custom),
            other => Err(D::Error::custom(format_args!(
                "relationship `data`: expected an object or an array, found {}",
                crate::lossless::kind_of(&other)
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip<T: Serialize + DeserializeOwned>(doc: Value) -> T {
        let typed: T = crate::lossless::from_value_strict(doc.clone()).unwrap();
        assert_eq!(serde_json::to_value(&typed).unwrap(), doc);
        typed
    }

    #[test]
    fn objects_without_attributes_or_id_round_trip() {
        round_trip::<RawObject>(json!({"type": "analysis", "id": "x"}));
        round_trip::<RawObject>(json!({"type": "comment", "attributes": {"text": "hi"}}));
        round_trip::<RawObject>(json!({"type": "vote", "id": "v", "attributes": {}}));
        round_trip::<RawObject>(json!({"type": "vote", "id": "v", "links": {"self": null}}));
        round_trip::<RawObject>(
            json!({"type": "x", "id": "y", "attributes": null, "meta": {"a": 1}}),
        );
    }

    #[test]
    fn an_odd_id_is_kept_leniently_and_rejected_strictly() {
        let doc = json!({"type": "x", "id": [1]});
        let o: RawObject = serde_json::from_value(doc.clone()).unwrap();
        assert!(o.id.is_missing());
        assert_eq!(serde_json::to_value(&o).unwrap(), doc);
        let err = crate::from_value_strict::<RawObject>(doc).unwrap_err();
        assert!(err.to_string().contains("member `id`"), "{err}");
    }

    #[test]
    fn per_item_errors_are_typed() {
        let o: RawObject = round_trip(json!({"type": "file", "id": "abc",
            "error": {"code": "NotFoundError", "message": "File \"abc\" not found"}}));
        assert_eq!(o.error.unwrap().code, crate::ErrorCode::NotFound);
    }

    #[test]
    fn a_missing_type_is_an_error() {
        let err = serde_json::from_value::<RawObject>(json!({"id": "x"})).unwrap_err();
        assert!(err.to_string().contains("type"), "{err}");
    }

    #[test]
    fn one_to_one_relationships_may_be_null() {
        let o: RawObject = round_trip(json!({"type": "url", "id": "u", "relationships": {
            "last_serving_ip_address": {"data": null, "links": {"self": "s", "related": "r"}},
            "network_location": {"data": {"type": "domain", "id": "a.com"}}}}));
        let rel = o.relationship("last_serving_ip_address").unwrap();
        assert_eq!(rel.descriptors().count(), 0);
        let rel = o.relationship("network_location").unwrap();
        assert_eq!(rel.descriptors().next().unwrap().type_str(), "domain");
    }

    #[test]
    fn integer_ids_are_kept() {
        let o: RawObject = round_trip(json!({"type": "analysis", "id": 1571524923}));
        assert_eq!(o.id_str(), "1571524923");
        assert!(o.id.was_number());
    }
}
