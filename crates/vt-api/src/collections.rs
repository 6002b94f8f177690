//! Collections (`/collections`): named sets of indicators (files, URLs, domains, IP
//! addresses) shared with a team.
//!
//! - **Create** from typed [`Indicator`]s ([`Collections::create`]: the API's
//!   `relationships` form, one descriptor per indicator, URLs as `{"type": "url", "url"}`) or
//!   from free text ([`Collections::create_from_text`]: the API's `raw_items` form, which
//!   VirusTotal reads the indicators out of, as vt-cli and vt-py send it).
//! - **Update** the name and description ([`Collections::update`]); **add** indicators
//!   ([`Collections::add`]: `POST /collections/{id}/{files|urls|domains|ip_addresses}`, or
//!   [`Collections::add_text`]: `PATCH` with `raw_items`) and **remove** them
//!   ([`Collections::remove`]: `DELETE` of the same relationship, with the descriptors in
//!   the body); **delete** the collection.
//! - **List** a user's collections ([`Collections::list`], `GET /users/{id}/collections`,
//!   with `filter=name:...` and `order=creation_date-`, ...; the id may be the API key
//!   itself) and walk a collection's relationships as streams ([`Collections::related`]).
//!
//! Every input is checked before any request: the collection id ([`check_collection_id`]),
//! a name that is not blank, at least one indicator. An update VirusTotal refuses because it
//! conflicts with the collection's state (409, e.g. `AlreadyExistsError`) is an
//! [`Error::Api`] for which [`Error::is_conflict`] is true.
//!
//! ```no_run
//! # async fn run(client: vt_api::Client) -> Result<(), vt_api::Error> {
//! use vt_model::Indicators;
//! let parsed = Indicators::parse_text("evil.example\n8.8.8.8\nhxxp://evil[.]example/payload");
//! let iocs = parsed.into_result().map_err(|e| vt_api::Error::from(e[0].clone()))?;
//! let created = client.collections().create("Campaign X", Some("from the report"), &iocs).await?;
//! println!("{} holds {} indicators", created.id_str(), created.attributes.item_count());
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use vt_model::{AnyObject, COLLECTION_TYPE, Descriptor, Indicator, IndicatorKind, IocCollection};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::object_endpoints::check_relationship;
use crate::pagination::Paginator;
use crate::request::{ApiRequest, Target, path_segment};

/// The longest collection id accepted, in characters.
pub const MAX_COLLECTION_ID_CHARS: usize = 256;

/// The longest name accepted, in characters (VirusTotal documents none; the web interface
/// shows about a hundred).
pub const MAX_NAME_CHARS: usize = 1024;

/// Checks a collection id before any request: not empty, at most
/// [`MAX_COLLECTION_ID_CHARS`], printable ASCII without `/` (ids are hex digests or
/// `source_id` words such as `alienvault_603eb1abdd4812819c64e197`).
///
/// ```
/// assert!(vt_api::collections::check_collection_id("malpedia_win_emotet").is_ok());
/// assert!(vt_api::collections::check_collection_id("a/b").is_err());
/// assert!(vt_api::collections::check_collection_id("").is_err());
/// ```
pub fn check_collection_id(id: &str) -> Result<&str> {
    if id.is_empty() {
        return Err(Error::invalid(id, "a collection id cannot be empty"));
    }
    if id.len() > MAX_COLLECTION_ID_CHARS {
        return Err(Error::invalid(
            id,
            format!("a collection id is at most {MAX_COLLECTION_ID_CHARS} characters"),
        ));
    }
    if !id.bytes().all(|b| b.is_ascii_graphic() && b != b'/') {
        return Err(Error::invalid(
            id,
            "not a collection id (printable ASCII without spaces or `/`)",
        ));
    }
    Ok(id)
}

/// Checks a collection name: not blank, at most [`MAX_NAME_CHARS`], no control characters.
pub fn check_collection_name(name: &str) -> Result<&str> {
    if name.trim().is_empty() {
        return Err(Error::invalid(name, "a collection name cannot be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Error::invalid(
            name,
            format!("a collection name is at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(
            name,
            "a collection name has no control characters (tab, newline, ...)",
        ));
    }
    Ok(name)
}

/// The indicators grouped by the relationship that holds them, each group in input order.
fn by_relationship(indicators: &[Indicator]) -> BTreeMap<IndicatorKind, Vec<Value>> {
    let mut groups: BTreeMap<IndicatorKind, Vec<Value>> = BTreeMap::new();
    for i in indicators {
        groups.entry(i.kind()).or_default().push(i.descriptor());
    }
    groups
}

/// What [`Collections::update`] changes; unset fields are left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CollectionUpdate {
    /// A new name.
    pub name: Option<String>,
    /// A new description (empty text clears it).
    pub description: Option<String>,
}

impl CollectionUpdate {
    /// Nothing changed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The `attributes` member of the PATCH body, after checking the fields.
    fn attributes(&self) -> Result<Map<String, Value>> {
        let mut attributes = Map::new();
        if let Some(name) = &self.name {
            attributes.insert("name".into(), json!(check_collection_name(name)?));
        }
        if let Some(description) = &self.description {
            attributes.insert("description".into(), json!(description));
        }
        if attributes.is_empty() {
            return Err(Error::invalid(
                "",
                "an update changes the name, the description or both",
            ));
        }
        Ok(attributes)
    }
}

/// The collections family; get it with [`Client::collections`].
#[derive(Debug)]
pub struct Collections<'a> {
    pub(crate) client: &'a Client,
}

fn collection_path(id: &str) -> Result<String> {
    Ok(format!(
        "/collections/{}",
        path_segment(check_collection_id(id)?)
    ))
}

fn new_attributes(name: &str, description: Option<&str>) -> Result<Map<String, Value>> {
    let mut attributes = Map::new();
    attributes.insert("name".into(), json!(check_collection_name(name)?));
    if let Some(d) = description {
        attributes.insert("description".into(), json!(d));
    }
    Ok(attributes)
}

impl<'a> Collections<'a> {
    /// Creates a collection holding `indicators` (`POST /collections`, body `{"data":
    /// {"type": "collection", "attributes": {"name", "description"}, "relationships":
    /// {"files": {"data": [descriptors]}, ...}}}`). At least one indicator; a blank name is
    /// refused before sending.
    pub async fn create(
        &self,
        name: &str,
        description: Option<&str>,
        indicators: &[Indicator],
    ) -> Result<IocCollection> {
        let attributes = new_attributes(name, description)?;
        if indicators.is_empty() {
            return Err(Error::invalid(
                name,
                "a collection needs at least one indicator",
            ));
        }
        let relationships: Map<String, Value> = by_relationship(indicators)
            .into_iter()
            .map(|(kind, items)| (kind.relationship().to_owned(), json!({"data": items})))
            .collect();
        let body = json!({"data": {
            "type": COLLECTION_TYPE,
            "attributes": attributes,
            "relationships": relationships,
        }});
        self.client
            .send_data(ApiRequest::post("/collections").json(&body)?)
            .await
    }

    /// Creates a collection from free text (`POST /collections` with `raw_items`, a sibling
    /// of `attributes`): VirusTotal extracts the indicators from the text itself, as with
    /// vt-cli's `vt collection create` and vt-py's `set_data("raw_items", ...)`.
    pub async fn create_from_text(
        &self,
        name: &str,
        description: Option<&str>,
        raw_items: &str,
    ) -> Result<IocCollection> {
        let attributes = new_attributes(name, description)?;
        if raw_items.trim().is_empty() {
            return Err(Error::invalid(raw_items, "the text holds no indicator"));
        }
        let body = json!({"data": {
            "type": COLLECTION_TYPE,
            "attributes": attributes,
            "raw_items": raw_items,
        }});
        self.client
            .send_data(ApiRequest::post("/collections").json(&body)?)
            .await
    }

    /// The collection (`GET /collections/{id}`).
    pub async fn get(&self, id: &str) -> Result<IocCollection> {
        self.get_with_relationships(id, &[]).await
    }

    /// The collection with the descriptors of some relationships (`GET
    /// /collections/{id}?relationships=files,domains`).
    pub async fn get_with_relationships(
        &self,
        id: &str,
        relationships: &[&str],
    ) -> Result<IocCollection> {
        let mut req = ApiRequest::get(collection_path(id)?);
        if !relationships.is_empty() {
            for name in relationships {
                check_relationship(name)?;
            }
            req = req.query("relationships", relationships.join(","));
        }
        self.client.send_data(req).await
    }

    /// Changes the name and/or description (`PATCH /collections/{id}`, body `{"data":
    /// {"type": "collection", "id", "attributes": {...}}}`); returns the updated collection.
    /// A 409 answer (the update conflicts with the collection's state) is an error with
    /// [`Error::is_conflict`].
    pub async fn update(&self, id: &str, update: &CollectionUpdate) -> Result<IocCollection> {
        let path = collection_path(id)?;
        let body = json!({"data": {
            "type": COLLECTION_TYPE,
            "id": id,
            "attributes": update.attributes()?,
        }});
        self.client
            .send_data(ApiRequest::patch(path).json(&body)?)
            .await
    }

    /// Adds the indicators VirusTotal finds in `raw_items` (`PATCH /collections/{id}` with
    /// `raw_items`; it only adds, as vt-cli's `vt collection update`).
    pub async fn add_text(&self, id: &str, raw_items: &str) -> Result<IocCollection> {
        let path = collection_path(id)?;
        if raw_items.trim().is_empty() {
            return Err(Error::invalid(raw_items, "the text holds no indicator"));
        }
        let body = json!({"data": {"type": COLLECTION_TYPE, "id": id, "raw_items": raw_items}});
        self.client
            .send_data(ApiRequest::patch(path).json(&body)?)
            .await
    }

    /// Adds indicators (`POST /collections/{id}/{relationship}` with `{"data":
    /// [descriptors]}`, one request per kind present: files, URLs, domains, IP addresses).
    /// Returns the kinds sent, in that order.
    pub async fn add(&self, id: &str, indicators: &[Indicator]) -> Result<Vec<IndicatorKind>> {
        self.change_items(id, indicators, true).await
    }

    /// Removes indicators (`DELETE /collections/{id}/{relationship}` with `{"data":
    /// [descriptors]}` in the body, one request per kind present). Returns the kinds sent.
    pub async fn remove(&self, id: &str, indicators: &[Indicator]) -> Result<Vec<IndicatorKind>> {
        self.change_items(id, indicators, false).await
    }

    async fn change_items(
        &self,
        id: &str,
        indicators: &[Indicator],
        add: bool,
    ) -> Result<Vec<IndicatorKind>> {
        let path = collection_path(id)?;
        if indicators.is_empty() {
            return Err(Error::invalid(id, "give at least one indicator"));
        }
        let mut done = Vec::new();
        for (kind, items) in by_relationship(indicators) {
            let target = format!("{path}/{}", kind.relationship());
            let req = if add {
                ApiRequest::post(target)
            } else {
                ApiRequest::delete(target)
            };
            self.client
                .send_empty(req.json(&json!({"data": items}))?)
                .await?;
            done.push(kind);
        }
        Ok(done)
    }

    /// Deletes the collection (`DELETE /collections/{id}`).
    pub async fn delete(&self, id: &str) -> Result<()> {
        self.client
            .send_empty(ApiRequest::delete(collection_path(id)?))
            .await
    }

    /// The collections of user `user` (`GET /users/{user}/collections`; the user id may be
    /// the API key itself, which lists the caller's own). Narrow it with
    /// [`filter`](Paginator::filter) (`name:emotet`) and sort it with
    /// [`order`](Paginator::order) (`creation_date-`, `last_modification_date+`,
    /// `subscribers_count-`).
    pub fn list(&self, user: &str) -> Paginator<IocCollection> {
        if user.is_empty() || !user.bytes().all(|b| b.is_ascii_graphic() && b != b'/') {
            return Paginator::failed(Error::invalid(
                "<user id>",
                "a user id is not empty and has no whitespace or `/`",
            ));
        }
        Paginator::new(
            self.client,
            Target::V3(format!("/users/{}/collections", path_segment(user))),
            Vec::new(),
        )
    }

    /// The full objects of relationship `relationship` (`GET /collections/{id}/{rel}`:
    /// `files`, `urls`, `domains`, `ip_addresses`, `comments`, `owner`, ...).
    pub fn related(&self, id: &str, relationship: &str) -> Paginator<AnyObject> {
        match collection_path(id).and_then(|p| check_relationship(relationship).map(|()| p)) {
            Ok(path) => Paginator::new(
                self.client,
                Target::V3(format!("{path}/{relationship}")),
                Vec::new(),
            ),
            Err(e) => Paginator::failed(e),
        }
    }

    /// The descriptors of relationship `relationship` (`GET
    /// /collections/{id}/relationships/{rel}`).
    pub fn related_descriptors(&self, id: &str, relationship: &str) -> Paginator<Descriptor> {
        match collection_path(id).and_then(|p| check_relationship(relationship).map(|()| p)) {
            Ok(path) => Paginator::new(
                self.client,
                Target::V3(format!("{path}/relationships/{relationship}")),
                Vec::new(),
            ),
            Err(e) => Paginator::failed(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_names_and_updates_are_checked() {
        assert!(check_collection_id(&"a".repeat(257)).is_err());
        assert!(check_collection_id("has space").is_err());
        assert!(check_collection_name("  ").is_err());
        assert!(check_collection_name("a\nb").is_err());
        assert!(CollectionUpdate::new().attributes().is_err());
        let a = CollectionUpdate::new()
            .description("")
            .attributes()
            .unwrap();
        assert_eq!(Value::Object(a), json!({"description": ""}));
    }

    #[test]
    fn indicators_group_by_relationship_in_a_fixed_order() {
        let list: Vec<Indicator> = ["8.8.8.8", "example.com", "http://a.example/", "1.1.1.1"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let g = by_relationship(&list);
        let kinds: Vec<_> = g.keys().map(|k| k.relationship()).collect();
        assert_eq!(kinds, ["urls", "domains", "ip_addresses"]);
        assert_eq!(g[&IndicatorKind::IpAddress].len(), 2);
    }
}
