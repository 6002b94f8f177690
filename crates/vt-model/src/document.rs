//! [`Document`]: any VirusTotal answer, typed by its shape.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::any_object::AnyObject;
use crate::envelope::{Collection, DataEnvelope};
use crate::error::ApiErrorBody;
use crate::v2::{V2FileReport, V2FileReportBatch};

/// Any VirusTotal answer body, typed by its shape:
///
/// | shape | variant |
/// |---|---|
/// | `{"error": {...}}` | [`Document::Error`] |
/// | `{"data": [...]}` | [`Document::Collection`] of [`AnyObject`] |
/// | `{"data": {"type": ...}}` | [`Document::Object`] |
/// | `{"data": {...}}` without `type` (metadata, quotas, behaviour summary) | [`Document::Dictionary`] |
/// | `{"data": "..."}` (upload / download URL) | [`Document::Text`] |
/// | `{"type": ..., "id": ...}` with no envelope (feed items) | [`Document::BareObject`] |
/// | `{"response_code": ...}` (v2) | [`Document::V2`] |
/// | `[...]` (v2 batch) | [`Document::V2Batch`] |
/// | anything else | [`Document::Other`] |
///
/// Every variant writes back the JSON it was read from.
///
/// ```
/// use vt_model::Document;
/// let doc: Document = serde_json::from_str(r#"{"data": "https://upload.example/x"}"#).unwrap();
/// assert!(matches!(doc, Document::Text(_)));
/// let doc: Document = serde_json::from_str(r#"{"error": {"code": "NotFoundError", "message": "x"}}"#).unwrap();
/// assert!(matches!(doc, Document::Error(_)));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Document {
    /// An error body.
    Error(ApiErrorBody),
    /// A list page.
    Collection(Collection<AnyObject>),
    /// A single object.
    Object(DataEnvelope<AnyObject>),
    /// A plain dictionary in `data`.
    Dictionary(DataEnvelope<Map<String, Value>>),
    /// A string in `data`.
    Text(DataEnvelope<String>),
    /// An object without the `data` envelope.
    BareObject(AnyObject),
    /// A v2 answer object.
    V2(V2FileReport),
    /// A v2 batch (JSON array).
    V2Batch(V2FileReportBatch),
    /// Anything else, as JSON.
    Other(Value),
}

impl Document {
    /// Decodes an answer body, typed by its shape: a quick scan finds the shape without
    /// building anything, then the body is decoded straight into the chosen type with
    /// [`decode`](crate::decode) (strict fast path, lenient fallback). Same result as
    /// `serde_json::from_slice::<Document>`, which has to build a JSON tree first.
    ///
    /// ```
    /// use vt_model::Document;
    /// let doc = Document::from_slice(br#"{"meta": {"cursor": "x"}, "data": []}"#).unwrap();
    /// assert!(matches!(doc, Document::Collection(ref page) if page.next_cursor() == Some("x")));
    /// ```
    pub fn from_slice(bytes: &[u8]) -> Result<Document, serde_json::Error> {
        use crate::lossless::decode;
        let probe: probe::Probe = serde_json::from_slice(bytes)?;
        Ok(match probe.shape() {
            Shape::Error => Document::Error(decode(bytes)?),
            Shape::Collection => Document::Collection(decode(bytes)?),
            Shape::Object => Document::Object(decode(bytes)?),
            Shape::Dictionary => Document::Dictionary(decode(bytes)?),
            Shape::Text => Document::Text(decode(bytes)?),
            Shape::BareObject => Document::BareObject(decode(bytes)?),
            Shape::V2 => Document::V2(decode(bytes)?),
            Shape::V2Batch => Document::V2Batch(decode(bytes)?),
            Shape::Other => Document::Other(serde_json::from_slice(bytes)?),
        })
    }

    /// [`Document::from_slice`] for text.
    pub fn from_text(text: &str) -> Result<Document, serde_json::Error> {
        Document::from_slice(text.as_bytes())
    }

    /// Types a parsed JSON value by its shape (see the [type docs](Document)).
    pub fn from_value(value: Value) -> Result<Document, serde_json::Error> {
        let shape = Shape::of(&value);
        Ok(match shape {
            Shape::Error => Document::Error(serde_json::from_value(value)?),
            Shape::Collection => Document::Collection(serde_json::from_value(value)?),
            Shape::Object => Document::Object(serde_json::from_value(value)?),
            Shape::Dictionary => Document::Dictionary(serde_json::from_value(value)?),
            Shape::Text => Document::Text(serde_json::from_value(value)?),
            Shape::BareObject => Document::BareObject(serde_json::from_value(value)?),
            Shape::V2 => Document::V2(serde_json::from_value(value)?),
            Shape::V2Batch => Document::V2Batch(serde_json::from_value(value)?),
            Shape::Other => Document::Other(value),
        })
    }
}

enum Shape {
    Error,
    Collection,
    Object,
    Dictionary,
    Text,
    BareObject,
    V2,
    V2Batch,
    Other,
}

impl Shape {
    fn of(value: &Value) -> Shape {
        match value {
            Value::Array(items) if items.iter().all(Value::is_object) => Shape::V2Batch,
            Value::Object(top) => {
                if let Some(data) = top.get("data") {
                    return match data {
                        Value::Array(_) => Shape::Collection,
                        Value::Object(inner) if inner.get("type").is_some_and(Value::is_string) => {
                            Shape::Object
                        }
                        Value::Object(_) => Shape::Dictionary,
                        Value::String(_) => Shape::Text,
                        _ => Shape::Other,
                    };
                }
                if top
                    .get("error")
                    .is_some_and(|e| e.get("code").is_some_and(Value::is_string))
                {
                    return Shape::Error;
                }
                if top.get("type").is_some_and(Value::is_string)
                    && (top.contains_key("id") || top.contains_key("attributes"))
                {
                    return Shape::BareObject;
                }
                if top.get("response_code").is_some_and(Value::is_i64) {
                    return Shape::V2;
                }
                Shape::Other
            }
            _ => Shape::Other,
        }
    }
}

/// A scan of a document that finds its [`Shape`] without keeping anything.
mod probe {
    use std::fmt;

    use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

    use super::Shape;

    /// The JSON kind of a value, and for objects whether their `type` / `code` member (the
    /// last one, if repeated) is a string.
    #[derive(Clone, Copy, PartialEq, Eq, Default)]
    enum Kind {
        #[default]
        Other,
        String,
        Integer,
        Array,
        Object {
            string_member: bool,
        },
    }

    /// Reads a value's [`Kind`]; for objects, looks at the member named `member`.
    struct KindOf(&'static str);

    impl<'de> serde::de::DeserializeSeed<'de> for KindOf {
        type Value = Kind;
        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Kind, D::Error> {
            deserializer.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for KindOf {
        type Value = Kind;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, _: bool) -> Result<Kind, E> {
            Ok(Kind::Other)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Kind, E> {
            Ok(Kind::Integer)
        }
        fn visit_u64<E>(self, v: u64) -> Result<Kind, E> {
            // `Value::is_i64` is false above i64::MAX: agree with it.
            Ok(if i64::try_from(v).is_ok() {
                Kind::Integer
            } else {
                Kind::Other
            })
        }
        fn visit_f64<E>(self, _: f64) -> Result<Kind, E> {
            Ok(Kind::Other)
        }
        fn visit_str<E>(self, _: &str) -> Result<Kind, E> {
            Ok(Kind::String)
        }
        fn visit_unit<E>(self) -> Result<Kind, E> {
            Ok(Kind::Other)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Kind::Array)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
            let mut string_member = false;
            while let Some(crate::lossless::Key(key)) = map.next_key()? {
                if key == self.0 {
                    string_member = map.next_value_seed(KindOf(""))? == Kind::String;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(Kind::Object { string_member })
        }
    }

    /// What the top level of a document looks like.
    #[derive(Default)]
    pub(super) struct Probe {
        top: Kind,
        all_items_objects: bool,
        data: Option<Kind>,
        error: Option<Kind>,
        type_member: Option<Kind>,
        has_id_or_attributes: bool,
        response_code: Option<Kind>,
    }

    impl Probe {
        /// The shape, by the same rules as `Shape::of` on a parsed value.
        pub(super) fn shape(&self) -> Shape {
            match self.top {
                Kind::Array if self.all_items_objects => Shape::V2Batch,
                Kind::Object { .. } => {
                    if let Some(data) = self.data {
                        return match data {
                            Kind::Array => Shape::Collection,
                            Kind::Object {
                                string_member: true,
                            } => Shape::Object,
                            Kind::Object {
                                string_member: false,
                            } => Shape::Dictionary,
                            Kind::String => Shape::Text,
                            _ => Shape::Other,
                        };
                    }
                    if self.error
                        == Some(Kind::Object {
                            string_member: true,
                        })
                    {
                        return Shape::Error;
                    }
                    if self.type_member == Some(Kind::String) && self.has_id_or_attributes {
                        return Shape::BareObject;
                    }
                    if self.response_code == Some(Kind::Integer) {
                        return Shape::V2;
                    }
                    Shape::Other
                }
                _ => Shape::Other,
            }
        }
    }

    impl<'de> Deserialize<'de> for Probe {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Probe, D::Error> {
            deserializer.deserialize_any(ProbeVisitor)
        }
    }

    struct ProbeVisitor;

    impl<'de> Visitor<'de> for ProbeVisitor {
        type Value = Probe;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON document")
        }
        fn visit_bool<E>(self, _: bool) -> Result<Probe, E> {
            Ok(Probe::default())
        }
        fn visit_i64<E>(self, _: i64) -> Result<Probe, E> {
            Ok(Probe::default())
        }
        fn visit_u64<E>(self, _: u64) -> Result<Probe, E> {
            Ok(Probe::default())
        }
        fn visit_f64<E>(self, _: f64) -> Result<Probe, E> {
            Ok(Probe::default())
        }
        fn visit_str<E>(self, _: &str) -> Result<Probe, E> {
            Ok(Probe::default())
        }
        fn visit_unit<E>(self) -> Result<Probe, E> {
            Ok(Probe::default())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Probe, A::Error> {
            let mut all_items_objects = true;
            while let Some(kind) = seq.next_element_seed(KindOf(""))? {
                all_items_objects &= matches!(kind, Kind::Object { .. });
            }
            Ok(Probe {
                top: Kind::Array,
                all_items_objects,
                ..Probe::default()
            })
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Probe, A::Error> {
            let mut probe = Probe {
                top: Kind::Object {
                    string_member: false,
                },
                ..Probe::default()
            };
            while let Some(crate::lossless::Key(key)) = map.next_key()? {
                match key.as_ref() {
                    "data" => probe.data = Some(map.next_value_seed(KindOf("type"))?),
                    "error" => probe.error = Some(map.next_value_seed(KindOf("code"))?),
                    "type" => probe.type_member = Some(map.next_value_seed(KindOf(""))?),
                    "response_code" => {
                        probe.response_code = Some(map.next_value_seed(KindOf(""))?);
                    }
                    "id" | "attributes" => {
                        probe.has_id_or_attributes = true;
                        map.next_value::<IgnoredAny>()?;
                    }
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(probe)
        }
    }
}

impl Serialize for Document {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Document::Error(body) => body.serialize(serializer),
            Document::Collection(page) => page.serialize(serializer),
            Document::Object(envelope) => envelope.serialize(serializer),
            Document::Dictionary(envelope) => envelope.serialize(serializer),
            Document::Text(envelope) => envelope.serialize(serializer),
            Document::BareObject(object) => object.serialize(serializer),
            Document::V2(report) => report.serialize(serializer),
            Document::V2Batch(batch) => batch.serialize(serializer),
            Document::Other(value) => value.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Document::from_value(value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shape(value: Value) -> Document {
        let doc = Document::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&doc).unwrap(), value);
        doc
    }

    #[test]
    fn each_shape_gets_its_variant() {
        assert!(matches!(
            shape(json!({"data": []})),
            Document::Collection(_)
        ));
        assert!(matches!(
            shape(json!({"data": {"type": "file", "id": "x"}})),
            Document::Object(_)
        ));
        assert!(matches!(
            shape(json!({"data": {"harmless": 1}})),
            Document::Dictionary(_)
        ));
        assert!(matches!(
            shape(json!({"data": "https://x"})),
            Document::Text(_)
        ));
        assert!(matches!(
            shape(json!({"type": "url", "id": "u", "attributes": {}})),
            Document::BareObject(_)
        ));
        assert!(matches!(
            shape(json!({"response_code": 0, "verbose_msg": "x"})),
            Document::V2(_)
        ));
        assert!(matches!(
            shape(json!([{"response_code": 1}])),
            Document::V2Batch(_)
        ));
        assert!(matches!(
            shape(json!({"error": {"code": "NotFoundError", "message": "m"}})),
            Document::Error(_)
        ));
        assert!(matches!(shape(json!({"something": 1})), Document::Other(_)));
        assert!(matches!(shape(json!({"data": 5})), Document::Other(_)));
        assert!(matches!(shape(json!(42)), Document::Other(_)));
    }

    #[test]
    fn the_quick_scan_agrees_with_the_shape_of_the_parsed_value() {
        for text in [
            r#"{"data": []}"#,
            r#"{"data": {"type": "file", "id": "x"}}"#,
            r#"{"data": {"type": 5, "id": "x"}}"#,
            r#"{"data": {"attributes": {"type": "x"}, "type": "file"}}"#,
            r#"{"data": {"harmless": 1, "type": "a", "type": null}}"#,
            r#"{"data": "https://x"}"#,
            r#"{"data": null, "error": {"code": "X"}}"#,
            r#"{"error": {"code": "X", "message": "m"}}"#,
            r#"{"error": {"code": 5}}"#,
            r#"{"error": "X"}"#,
            r#"{"type": "url", "id": "u"}"#,
            r#"{"type": "url"}"#,
            r#"{"response_code": -2}"#,
            r#"{"response_code": 18446744073709551615}"#,
            r#"{"response_code": 1.0}"#,
            r#"[{"response_code": 1}, {}]"#,
            r#"[{"response_code": 1}, 2]"#,
            r#"[]"#,
            r#""text""#,
            r#"null"#,
        ] {
            let slow: Document = serde_json::from_str(text).unwrap();
            let fast = Document::from_text(text).unwrap();
            assert_eq!(fast, slow, "{text}");
        }
    }

    #[test]
    fn a_body_that_is_not_json_is_an_error() {
        assert!(Document::from_slice(b"<html>").is_err());
        assert!(Document::from_slice(br#"{"data": [1,"#).is_err());
        assert!(serde_json::from_str::<Document>("<html>").is_err());
    }
}
