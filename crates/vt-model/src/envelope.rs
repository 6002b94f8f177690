//! Response envelopes: [`DataEnvelope`] (`{"data": ...}`) and [`Collection`] (a page of a
//! list).

use std::fmt;

use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::lossless::{lossless_struct, next_member};

/// A single-value answer: `{"data": T}` plus any other top-level members (such as an
/// analysis's `meta`), kept in `extra`.
///
/// `T` is an [`Object`](crate::Object) for object answers, a `String` for upload / download
/// URLs, or a plain dictionary type ([`Metadata`](crate::Metadata),
/// [`OverallQuotas`](crate::OverallQuotas), ...).
///
/// ```
/// use vt_model::DataEnvelope;
/// let url: DataEnvelope<String> =
///     serde_json::from_str(r#"{"data": "https://www.virustotal.com/_ah/upload/x"}"#).unwrap();
/// assert!(url.data.starts_with("https://"));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DataEnvelope<T> {
    /// `data`.
    pub data: T,
    /// Other top-level members (e.g. `meta`, `links`), kept verbatim.
    pub extra: Map<String, Value>,
}

impl<T> DataEnvelope<T> {
    /// Wraps `data` with no other members.
    pub fn new(data: T) -> DataEnvelope<T> {
        DataEnvelope {
            data,
            extra: Map::new(),
        }
    }

    /// Unwraps the `data`.
    pub fn into_data(self) -> T {
        self.data
    }

    /// The top-level `meta` member, if any.
    pub fn meta(&self) -> Option<&Map<String, Value>> {
        self.extra.get("meta")?.as_object()
    }
}

impl<T: Serialize> Serialize for DataEnvelope<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("data", &self.data)?;
        for (key, value) in &self.extra {
            if key != "data" {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for DataEnvelope<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: DeserializeOwned> Visitor<'de> for Visit<T> {
            type Value = DataEnvelope<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object with a `data` member")
            }
            fn visit_map<M: MapAccess<'de>>(
                self,
                mut access: M,
            ) -> Result<DataEnvelope<T>, M::Error> {
                let mut data = None;
                let mut extra = Map::new();
                while let Some(crate::lossless::Key(key)) = access.next_key()? {
                    if key == "data" {
                        data = Some(access.next_value::<T>()?);
                    } else {
                        let value: Value = access.next_value()?;
                        extra.insert(key.into_owned(), value);
                    }
                }
                let data = data.ok_or_else(|| serde::de::Error::missing_field("data"))?;
                Ok(DataEnvelope { data, extra })
            }
        }
        deserializer.deserialize_map(Visit(std::marker::PhantomData))
    }
}

lossless_struct! {
    /// A list page's `meta`: `cursor` (only when there are more pages), `count` (on some
    /// lists), and anything else (`total_hits`, `allowed_orders`, `days_back`, ...) in `extra`.
    pub struct CollectionMeta {
        /// The opaque cursor of the next page.
        cursor: String = "cursor",
        /// The total number of items, on lists that report it.
        count: u64 = "count",
    }
}

lossless_struct! {
    /// A list page's `links`: `self` and, when there are more pages, `next`.
    pub struct CollectionLinks {
        /// `self`: the URL of this page.
        self_: String = "self",
        /// `next`: the URL of the next page.
        next: String = "next",
    }
}

/// One page of a list: `{"data": [T, ...], "meta": {...}, "links": {...}}`.
///
/// ```
/// use vt_model::{Collection, Comment};
/// let page: Collection<Comment> = serde_json::from_str(r#"{
///   "data": [{"type": "comment", "id": "d-github.com-1",
///             "attributes": {"text": "hi", "date": 1569495089, "tags": []}}],
///   "meta": {"cursor": "CsYBChEKBGRhdGU="},
///   "links": {"self": "https://www.virustotal.com/api/v3/domains/github.com/comments?limit=1",
///             "next": "https://www.virustotal.com/api/v3/domains/github.com/comments?cursor=CsYBChEKBGRhdGU%3D&limit=1"}
/// }"#).unwrap();
/// assert_eq!(page.data[0].attributes.text.as_deref(), Some("hi"));
/// assert_eq!(page.next_cursor(), Some("CsYBChEKBGRhdGU="));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Collection<T> {
    /// `data`: the items of this page (possibly none).
    pub data: Vec<T>,
    /// `meta` (missing on some relationship lists).
    pub meta: Option<CollectionMeta>,
    /// `links`.
    pub links: Option<CollectionLinks>,
    /// Other top-level members (and `null` values of the modelled ones), kept verbatim.
    pub extra: Map<String, Value>,
}

impl<T> Default for Collection<T> {
    fn default() -> Self {
        Collection {
            data: Vec::new(),
            meta: None,
            links: None,
            extra: Map::new(),
        }
    }
}

impl<T> Collection<T> {
    /// The cursor of the next page, or `None` on the last page (no cursor, or an empty one).
    pub fn next_cursor(&self) -> Option<&str> {
        self.meta
            .as_ref()?
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
    }

    /// The URL of the next page, if VirusTotal gave one.
    pub fn next_link(&self) -> Option<&str> {
        self.links
            .as_ref()?
            .next
            .as_deref()
            .filter(|n| !n.is_empty())
    }

    /// `meta.count`, on lists that report a total.
    pub fn count(&self) -> Option<u64> {
        self.meta.as_ref()?.count
    }
}

impl<T> IntoIterator for Collection<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    /// The items of this page.
    fn into_iter(self) -> Self::IntoIter {
        self.data.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Collection<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    /// The items of this page.
    fn into_iter(self) -> Self::IntoIter {
        self.data.iter()
    }
}

impl<T: Serialize> Serialize for Collection<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("data", &self.data)?;
        if let Some(meta) = &self.meta {
            map.serialize_entry("meta", meta)?;
        }
        if let Some(links) = &self.links {
            map.serialize_entry("links", links)?;
        }
        for (key, value) in &self.extra {
            let shadowed = match key.as_ref() {
                "data" => true,
                "meta" => self.meta.is_some(),
                "links" => self.links.is_some(),
                _ => false,
            };
            if !shadowed {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Collection<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: DeserializeOwned> Visitor<'de> for Visit<T> {
            type Value = Collection<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list page (a JSON object with a `data` array)")
            }
            fn visit_map<M: MapAccess<'de>>(
                self,
                mut access: M,
            ) -> Result<Collection<T>, M::Error> {
                let mut out = Collection::<T>::default();
                let mut saw_data = false;
                while let Some(crate::lossless::Key(key)) = access.next_key()? {
                    match key.as_ref() {
                        "data" => {
                            out.data = access.next_value()?;
                            saw_data = true;
                        }
                        "meta" => {
                            out.meta = next_member(&mut access, key, &mut out.extra)?;
                        }
                        "links" => {
                            out.links = next_member(&mut access, key, &mut out.extra)?;
                        }
                        _ => {
                            let value: Value = access.next_value()?;
                            out.extra.insert(key.into_owned(), value);
                        }
                    }
                }
                if !saw_data {
                    return Err(serde::de::Error::missing_field("data"));
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(Visit(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    // Any serde type does for the envelope; `object::RawObject` would import object.rs,
    // which imports this file.
    use super::*;
    use serde_json::Value as RawObject;
    use serde_json::json;

    #[test]
    fn the_last_page_has_no_cursor_but_keeps_its_meta() {
        let doc = json!({"meta": {"total_hits": 5, "days_back": 90}, "data": [],
                         "links": {"self": "s"}});
        let page: Collection<RawObject> = serde_json::from_value(doc.clone()).unwrap();
        assert_eq!(page.next_cursor(), None);
        assert_eq!(page.next_link(), None);
        assert_eq!(serde_json::to_value(&page).unwrap(), doc);
    }

    #[test]
    fn an_empty_cursor_ends_the_iteration() {
        let page: Collection<RawObject> =
            serde_json::from_value(json!({"data": [], "meta": {"cursor": ""}})).unwrap();
        assert_eq!(page.next_cursor(), None);
    }

    #[test]
    fn a_collection_without_data_is_an_error() {
        let err = serde_json::from_value::<Collection<RawObject>>(json!({"meta": {}})).unwrap_err();
        assert!(err.to_string().contains("data"), "{err}");
    }

    #[test]
    fn envelope_keeps_top_level_members() {
        let doc =
            json!({"data": {"type": "analysis", "id": "a"}, "meta": {"url_info": {"id": "x"}}});
        let env: DataEnvelope<RawObject> = serde_json::from_value(doc.clone()).unwrap();
        assert!(env.meta().is_some());
        assert_eq!(serde_json::to_value(&env).unwrap(), doc);
    }
}
