//! The machinery behind the lossless guarantee.
//!
//! Every attribute type of this crate is declared with the crate-private `lossless_struct!`
//! macro. The generated type:
//!
//! - has one `pub` field per modelled JSON member, always an `Option<T>`: `None` when the
//!   member is absent **or `null`**;
//! - keeps every other member in `pub extra: Map<String, Value>`, in document order;
//! - remembers a `null` member by keeping it in `extra` (so `{"result": null}` is written back
//!   as `null`, and an absent member stays absent);
//! - when it serializes, writes the modelled members that are `Some`, then the members of
//!   `extra` that a modelled `Some` member does not shadow.
//!
//! # Strict and lenient decoding
//!
//! By default decoding is *lenient*: a modelled member whose value does not fit its Rust type
//! (VirusTotal changed a type, say) is kept verbatim in `extra` and its field reads `None`, so
//! one odd member never makes a whole report unreadable and nothing is lost. Call
//! [`from_str_strict`] / [`from_value_strict`] (or wrap your own decoding in [`strict`]) to turn
//! such a mismatch into an error naming the member instead; the crate's corpus tests decode
//! strictly.
//!
//! Strict decoding is also the faster one (it streams into the typed fields, where lenient
//! decoding must buffer each modelled member to be able to keep it). [`decode`] runs the strict
//! pass and falls back to the lenient one only when it fails: use it for answer bodies.

use std::borrow::Cow;
use std::cell::Cell;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

thread_local! {
    static STRICT: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with strict decoding switched on for this thread (see the [module docs](self)),
/// and restores the previous mode afterwards, even if `f` panics.
///
/// ```
/// use vt_model::{lossless, EngineResult};
/// let json = r#"{"category": "malicious", "method": 42}"#;
/// // Lenient (default): the odd `method` is kept in `extra`.
/// let lenient: EngineResult = serde_json::from_str(json).unwrap();
/// assert_eq!(lenient.method, None);
/// assert_eq!(lenient.extra["method"], 42);
/// // Strict: an error that names the member.
/// let err = lossless::strict(|| serde_json::from_str::<EngineResult>(json)).unwrap_err();
/// assert!(err.to_string().contains("`method`"), "{err}");
/// ```
pub fn strict<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            STRICT.with(|s| s.set(self.0));
        }
    }
    let _restore = Restore(STRICT.with(|s| s.replace(true)));
    f()
}

/// Whether strict decoding is on for this thread.
pub fn is_strict() -> bool {
    STRICT.with(Cell::get)
}

/// Decodes `text` strictly: a modelled member of an unexpected type is an error.
pub fn from_str_strict<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    strict(|| serde_json::from_str(text))
}

/// Decodes `value` strictly: a modelled member of an unexpected type is an error.
pub fn from_value_strict<T: DeserializeOwned>(value: Value) -> serde_json::Result<T> {
    strict(|| serde_json::from_value(value))
}

/// Decodes `bytes` as fast as possible without ever failing on a mistyped modelled member:
/// first strictly (streaming, no intermediate JSON tree), and only if that fails, leniently.
/// The result is the same as a lenient `serde_json::from_slice`. Use this for answer bodies.
///
/// ```
/// use vt_model::{DataEnvelope, FileReport};
/// let body = br#"{"data": {"type": "file", "id": "x", "attributes": {"size": "big"}}}"#;
/// let report: DataEnvelope<FileReport> = vt_model::decode(body).unwrap();
/// assert_eq!(report.data.attributes.size, None);
/// assert_eq!(report.data.attributes.extra["size"], "big");
/// ```
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    // UTF-8 is checked once for the whole body (SIMD-fast in `std`), so that serde_json reads
    // it as text and does not check every string again: that check was 15% of decoding the
    // largest reports. Invalid UTF-8 goes through the byte reader, for serde_json's error.
    let Ok(text) = std::str::from_utf8(bytes) else {
        return strict(|| serde_json::from_slice(bytes));
    };
    match strict(|| serde_json::from_str(text)) {
        Ok(value) => Ok(value),
        Err(strict_error) => {
            // Not JSON at all, or not the expected shape: the lenient pass fails the same way,
            // and the strict error (which names the member) is the more useful one.
            serde_json::from_str(text).map_err(|_| strict_error)
        }
    }
}

/// [`decode`] for text.
pub fn decode_str<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    decode(text.as_bytes())
}

/// A map key, borrowed from the input when it has no escapes (no allocation for the keys
/// that name modelled members).
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(Visit)
    }
}

/// Reads the value of the modelled member `key` from a map being deserialized.
///
/// Strict mode streams the value straight into `T`; lenient mode goes through
/// [`typed_member`] so that a mistyped value can be kept.
pub(crate) fn next_member<'de, M, T>(
    access: &mut M,
    key: Cow<'_, str>,
    extra: &mut Map<String, Value>,
) -> Result<Option<T>, M::Error>
where
    M: serde::de::MapAccess<'de>,
    T: DeserializeOwned,
{
    if is_strict() {
        return match access.next_value::<Option<T>>() {
            Ok(None) => {
                extra.insert(key.into_owned(), Value::Null);
                Ok(None)
            }
            Ok(Some(typed)) => {
                if !extra.is_empty() {
                    extra.shift_remove(key.as_ref());
                }
                Ok(Some(typed))
            }
            Err(err) => Err(serde::de::Error::custom(format_args!(
                "member `{key}`: {err}"
            ))),
        };
    }
    let value: Value = access.next_value()?;
    typed_member(key, value, extra)
}

/// Decodes the value of the modelled member `key`.
///
/// `null` is remembered in `extra` and reads `None`; a value of the wrong type is kept in
/// `extra` (this is the lenient path; strict mode streams in [`next_member`]). A later duplicate of the same key wins, as it
/// does when the document is parsed into a [`serde_json::Value`].
pub(crate) fn typed_member<T: DeserializeOwned, E: serde::de::Error>(
    key: Cow<'_, str>,
    value: Value,
    extra: &mut Map<String, Value>,
) -> Result<Option<T>, E> {
    if value.is_null() {
        extra.insert(key.into_owned(), Value::Null);
        return Ok(None);
    }
    match T::deserialize(&value) {
        Ok(typed) => {
            if !extra.is_empty() {
                extra.shift_remove(key.as_ref());
            }
            Ok(Some(typed))
        }
        Err(_) => {
            extra.insert(key.into_owned(), value);
            Ok(None)
        }
    }
}

/// A short name for the JSON kind of `value`, for error messages.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Declares a lossless attribute struct: see the [module docs](crate::lossless).
macro_rules! lossless_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $ty:ty = $key:literal,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                pub $field: Option<$ty>,
            )*
            /// Members this type does not model, and `null` or mistyped values of modelled
            /// ones, kept verbatim and written back unchanged.
            pub extra: serde_json::Map<String, serde_json::Value>,
        }

        impl $name {
            /// The JSON member names this type models.
            #[allow(dead_code)]
            pub const FIELDS: &'static [&'static str] = &[$($key),*];

            /// Whether an `extra` member with this key is hidden by a modelled member that is
            /// set (the modelled value wins when both exist).
            #[allow(unused_variables)]
            fn shadows(&self, key: &str) -> bool {
                match key {
                    $( $key => self.$field.is_some(), )*
                    _ => false,
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;
                $(
                    if let Some(value) = &self.$field {
                        map.serialize_entry($key, value)?;
                    }
                )*
                for (key, value) in &self.extra {
                    if !self.shadows(key) {
                        map.serialize_entry(key, value)?;
                    }
                }
                map.end()
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visit;
                impl<'de> serde::de::Visitor<'de> for Visit {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a JSON object (", stringify!($name), ")"))
                    }
                    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut access: M) -> Result<$name, M::Error> {
                        #[allow(unused_mut)]
                        let mut out = $name::default();
                        while let Some($crate::lossless::Key(key)) = access.next_key()? {
                            match key.as_ref() {
                                $(
                                    $key => {
                                        out.$field = $crate::lossless::next_member::<_, $ty>(
                                            &mut access, key, &mut out.extra,
                                        )?;
                                    }
                                )*
                                _ => {
                                    let value: serde_json::Value = access.next_value()?;
                                    out.extra.insert(key.into_owned(), value);
                                }
                            }
                        }
                        Ok(out)
                    }
                }
                deserializer.deserialize_map(Visit)
            }
        }
    };
}

pub(crate) use lossless_struct;

#[cfg(test)]
mod tests {
    use serde_json::json;

    lossless_struct! {
        /// A test type.
        pub struct Sample {
            /// A number.
            count: u64 = "count",
            /// A reserved word.
            self_: String = "self",
        }
    }

    #[test]
    fn absent_null_and_present_members_round_trip() {
        for doc in [
            json!({}),
            json!({"count": null}),
            json!({"count": 3, "self": "x"}),
            json!({"self": null, "other": [1, 2.5, "a"], "": {"#~": null}}),
        ] {
            let sample: Sample = serde_json::from_value(doc.clone()).unwrap();
            assert_eq!(serde_json::to_value(&sample).unwrap(), doc);
        }
    }

    #[test]
    fn null_reads_none_and_is_remembered() {
        let sample: Sample = serde_json::from_value(json!({"count": null})).unwrap();
        assert_eq!(sample.count, None);
        assert_eq!(sample.extra.get("count"), Some(&serde_json::Value::Null));
    }

    #[test]
    fn a_set_field_shadows_a_remembered_null() {
        let mut sample: Sample = serde_json::from_value(json!({"count": null})).unwrap();
        sample.count = Some(7);
        assert_eq!(serde_json::to_value(&sample).unwrap(), json!({"count": 7}));
    }

    #[test]
    fn lenient_mode_keeps_mistyped_members_in_extra() {
        let sample: Sample = serde_json::from_value(json!({"count": "seven"})).unwrap();
        assert_eq!(sample.count, None);
        assert_eq!(sample.extra["count"], "seven");
        assert_eq!(
            serde_json::to_value(&sample).unwrap(),
            json!({"count": "seven"})
        );
    }

    #[test]
    fn strict_mode_names_the_mistyped_member_and_restores_itself() {
        let err = super::from_value_strict::<Sample>(json!({"count": "seven"})).unwrap_err();
        assert!(err.to_string().contains("member `count`"), "{err}");
        assert!(!super::is_strict());
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_like_a_json_value_does() {
        let text = r#"{"count": 1, "count": null, "count": 2}"#;
        let sample: Sample = serde_json::from_str(text).unwrap();
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(sample.count, Some(2));
        assert_eq!(serde_json::to_value(&sample).unwrap(), value);
    }

    #[test]
    fn decode_reads_utf8_text_and_refuses_invalid_bytes_with_a_position() {
        let sample: Sample = super::decode(b"{\"self\": \"caf\xc3\xa9\", \"count\": 2}").unwrap();
        assert_eq!(sample.self_.as_deref(), Some("caf\u{e9}"));
        assert_eq!(sample.count, Some(2));
        let err = super::decode::<Sample>(b"{\"self\": \"caf\xe9\"}").unwrap_err();
        assert_eq!(err.line(), 1, "{err}");
        assert!(err.column() > 0, "{err}");
        // A mistyped member still falls back to the lenient pass on text input.
        let lenient: Sample = super::decode(b"{\"count\": \"seven\"}").unwrap();
        assert_eq!(lenient.extra["count"], "seven");
    }

    #[test]
    fn a_non_object_is_a_clear_error() {
        let err = serde_json::from_value::<Sample>(json!([1])).unwrap_err();
        assert!(err.to_string().contains("Sample"), "{err}");
    }
}
