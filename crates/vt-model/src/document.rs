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
    fn a_body_that_is_not_json_is_an_error() {
        assert!(serde_json::from_str::<Document>("<html>").is_err());
    }
}
