//! VT Monitor, for software publishers (`/monitor`; needs the `monitor` privilege).
//!
//! Items are files and folders in your Monitor collection, named by [`MonitorItemId`]
//! (standard base64 of `vtmonitor-v1://{owner}{path}`, percent-encoded in paths by this
//! crate). List them with a typed [`MonitorFilter`]:
//!
//! ```
//! use vt_api::monitor::{MonitorFilter, MonitorTag};
//! assert_eq!(MonitorFilter::path("/releases/").to_string(), "path:/releases/");
//! let tags = MonitorFilter::tags([MonitorTag::Detected, MonitorTag::Engine("Kaspersky".into())]);
//! assert_eq!(tags.to_string(), "tag:detected Kaspersky");
//! ```

use std::fmt;
use std::path::Path;

use serde_json::{Value, json};
use tokio::io::AsyncWrite;
use vt_model::{
    AnyObject, DataEnvelope, Descriptor, MonitorAnalysis, MonitorItem, MonitorItemId, RawObject,
};

use crate::client::{Client, HttpService};
use crate::download::{DownloadOptions, request_to_path, request_to_writer};
use crate::error::{Error, Result};
use crate::pagination::Paginator;
use crate::request::{ApiRequest, Target};
use crate::upload::{LocalFile, Multipart, UploadOptions, filename_of, send_multipart};

/// A tag of the `tag:` filter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MonitorTag {
    /// `detected`: flagged by at least one engine.
    Detected,
    /// `new-detections`: flagged now, previously clean.
    NewDetections,
    /// `decreasing-detections`: still flagged, by fewer engines than last time.
    DecreasingDetections,
    /// `increasing-detections`: flagged by more engines than last time.
    IncreasingDetections,
    /// `solved-detections`: no longer flagged, previously flagged.
    SolvedDetections,
    /// `swapped-detections`: as many detections, but other engines or labels.
    SwappedDetections,
    /// Flagged by this engine (its name as in the analysis results, e.g. `Kaspersky`).
    Engine(String),
}

impl MonitorTag {
    /// The tag as the filter writes it.
    pub fn as_str(&self) -> &str {
        match self {
            MonitorTag::Detected => "detected",
            MonitorTag::NewDetections => "new-detections",
            MonitorTag::DecreasingDetections => "decreasing-detections",
            MonitorTag::IncreasingDetections => "increasing-detections",
            MonitorTag::SolvedDetections => "solved-detections",
            MonitorTag::SwappedDetections => "swapped-detections",
            MonitorTag::Engine(name) => name,
        }
    }

    /// Parses a tag; anything but the six detection tags is an engine name.
    pub fn parse(text: &str) -> MonitorTag {
        match text {
            "detected" => MonitorTag::Detected,
            "new-detections" => MonitorTag::NewDetections,
            "decreasing-detections" => MonitorTag::DecreasingDetections,
            "increasing-detections" => MonitorTag::IncreasingDetections,
            "solved-detections" => MonitorTag::SolvedDetections,
            "swapped-detections" => MonitorTag::SwappedDetections,
            other => MonitorTag::Engine(other.to_owned()),
        }
    }
}

impl fmt::Display for MonitorTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `filter` of `GET /monitor/items`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MonitorFilter {
    /// `path:<folder>`: the items of a folder (e.g. `/` or `/releases/`).
    Path(String),
    /// `item:<id>`: the items of the folder with this id.
    Item(MonitorItemId),
    /// `tag:<t1> <t2> ...`: items with all of these tags.
    Tags(Vec<MonitorTag>),
    /// A filter string passed as is.
    Raw(String),
}

impl MonitorFilter {
    /// `path:<folder>`.
    pub fn path(folder: impl Into<String>) -> Self {
        MonitorFilter::Path(folder.into())
    }

    /// `tag:` with one or more tags.
    pub fn tags(tags: impl IntoIterator<Item = MonitorTag>) -> Self {
        MonitorFilter::Tags(tags.into_iter().collect())
    }

    /// Checks a filter built from typed parts, as [`Monitor::items_filtered`] does before
    /// sending it: a path starts with `/`; `tag:` has at least one tag, each one word without
    /// `:` (so that the filter prints to text that [`FromStr`](std::str::FromStr) reads back).
    /// The error names the bad part.
    pub fn validate(&self) -> Result<()> {
        match self {
            MonitorFilter::Path(p) => vt_model::MonitorPath::parse(p)
                .map(drop)
                .map_err(Into::into),
            MonitorFilter::Tags(tags) if tags.is_empty() => {
                Err(Error::invalid("tag:", "give at least one tag"))
            }
            MonitorFilter::Tags(tags) => match tags.iter().find(|t| {
                let t = t.as_str();
                t.is_empty()
                    || t.contains(|c: char| c.is_whitespace() || c.is_control() || c == ':')
            }) {
                Some(bad) => Err(Error::invalid(
                    bad.as_str(),
                    "a tag is one word, without `:`",
                )),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }
}

impl std::str::FromStr for MonitorFilter {
    type Err = Error;

    /// Parses a filter as `GET /monitor/items` takes it: one modifier, `path:<folder>`,
    /// `item:<folder id>` or `tag:<tag> [<tag>...]` (space-separated, all must match).
    ///
    /// The text is trimmed. A path starts with `/` and may contain spaces (it runs to the end
    /// of the text); an item id must be a valid [`MonitorItemId`]; tags are split on
    /// whitespace, each one a detection tag or an engine name. Anything else, several
    /// modifiers included (the API documents one per query), is an
    /// [`Error::InvalidInput`] naming the text: use [`MonitorFilter::Raw`] to send a filter
    /// this crate does not know. What parses prints back (`Display`) to a text that parses to
    /// the same filter.
    ///
    /// ```
    /// use vt_api::monitor::{MonitorFilter, MonitorTag};
    /// let f: MonitorFilter = " tag:detected  Kaspersky ".parse().unwrap();
    /// assert_eq!(f, MonitorFilter::tags([MonitorTag::Detected, MonitorTag::Engine("Kaspersky".into())]));
    /// assert_eq!(f.to_string(), "tag:detected Kaspersky");
    /// assert!("tags:detected".parse::<MonitorFilter>().is_err());
    /// assert!("path:releases/".parse::<MonitorFilter>().is_err());
    /// ```
    fn from_str(text: &str) -> Result<MonitorFilter> {
        let text = text.trim();
        let bad = |why: &str| Err(Error::invalid(text, why));
        let Some((modifier, rest)) = text.split_once(':') else {
            return bad("a Monitor filter is `path:<folder>`, `item:<id>` or `tag:<tags>`");
        };
        let rest = rest.trim();
        let filter = match modifier {
            "path" => {
                if rest.chars().any(char::is_control) {
                    return bad("control characters in a Monitor path");
                }
                for other in ["path:", "item:", "tag:"] {
                    if rest.contains(&format!(" {other}")) {
                        return bad("one modifier per filter (the API documents one per query)");
                    }
                }
                MonitorFilter::Path(rest.to_owned())
            }
            "item" => match MonitorItemId::parse(rest) {
                Ok(id) => MonitorFilter::Item(id),
                Err(e) => return bad(&format!("`item:` needs a Monitor item id: {e}")),
            },
            "tag" => {
                let mut tags = Vec::new();
                for word in rest.split_whitespace() {
                    if word.contains(':') {
                        return bad(
                            "one modifier per filter (the API documents one per query), \
                             and a tag has no `:`",
                        );
                    }
                    tags.push(MonitorTag::parse(word));
                }
                MonitorFilter::Tags(tags)
            }
            _ => {
                return bad(
                    "unknown filter modifier: use `path:<folder>`, `item:<id>` or `tag:<tags>`",
                );
            }
        };
        match filter.validate() {
            Ok(()) => Ok(filter),
            // Name the whole filter text, not just the part that is wrong.
            Err(Error::InvalidInput { reason, .. }) => bad(&reason),
            Err(other) => Err(other),
        }
    }
}

impl fmt::Display for MonitorFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MonitorFilter::Path(p) => write!(f, "path:{p}"),
            MonitorFilter::Item(id) => write!(f, "item:{id}"),
            MonitorFilter::Tags(tags) => {
                f.write_str("tag:")?;
                for (i, t) in tags.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    f.write_str(t.as_str())?;
                }
                Ok(())
            }
            MonitorFilter::Raw(raw) => f.write_str(raw),
        }
    }
}

/// The `/monitor` family; get it with [`Client::monitor`].
#[derive(Debug)]
pub struct Monitor<'a, S> {
    pub(crate) client: &'a Client<S>,
}

fn item_path(id: &MonitorItemId) -> String {
    format!("/monitor/items/{}", id.path_segment())
}

/// Checks a remote path by the one Monitor path rule ([`vt_model::MonitorPath`]), and that
/// it names a folder (`folder`) or a file.
fn check_remote_path(path: &str, folder: bool) -> Result<()> {
    if folder != vt_model::MonitorPath::parse(path)?.is_folder() {
        let why = if folder {
            "a Monitor folder path ends with `/`"
        } else {
            "a Monitor file path does not end with `/`"
        };
        return Err(Error::invalid(path, why));
    }
    Ok(())
}

impl<'a, S: HttpService> Monitor<'a, S> {
    /// All items (`GET /monitor/items`); narrow with [`Paginator::filter`] or use
    /// [`Monitor::items_filtered`].
    pub fn items(&self) -> Paginator<MonitorItem> {
        Paginator::new(self.client, Target::V3("/monitor/items".into()), Vec::new())
    }

    /// The items matching a typed filter (`GET /monitor/items?filter=...`).
    pub fn items_filtered(&self, filter: &MonitorFilter) -> Paginator<MonitorItem> {
        match filter.validate() {
            Ok(()) => self.items().filter(filter.to_string()),
            Err(e) => Paginator::failed(e),
        }
    }

    /// One item (`GET /monitor/items/{id}`).
    pub async fn item(&self, id: &MonitorItemId) -> Result<MonitorItem> {
        let doc: DataEnvelope<MonitorItem> =
            self.client.send(ApiRequest::get(item_path(id))).await?;
        Ok(doc.data)
    }

    /// Uploads the local file at `local` to `remote_path` (e.g. `/releases/app.exe`),
    /// overwriting any file there (`POST /monitor/items` with `path`; an upload URL above
    /// 32 MiB). Returns the item's descriptor. Sent once, never retried. Of the options,
    /// `progress` and `filename` apply (`password` and `skip_known` are for `/files`).
    pub async fn upload(
        &self,
        local: impl AsRef<Path>,
        remote_path: &str,
        options: UploadOptions,
    ) -> Result<Descriptor> {
        check_remote_path(remote_path, false)?;
        self.upload_file(local.as_ref(), "path", remote_path, options)
            .await
    }

    /// Replaces the content of the item `id` with the local file (`POST /monitor/items`
    /// with `item`).
    pub async fn replace(
        &self,
        local: impl AsRef<Path>,
        id: &MonitorItemId,
        options: UploadOptions,
    ) -> Result<Descriptor> {
        self.upload_file(local.as_ref(), "item", id.as_str(), options)
            .await
    }

    async fn upload_file(
        &self,
        local: &Path,
        field: &str,
        value: &str,
        options: UploadOptions,
    ) -> Result<Descriptor> {
        let checked = LocalFile::check(local).await?;
        let filename = options
            .filename
            .clone()
            .unwrap_or_else(|| filename_of(local));
        let multipart = Multipart::new()
            .text(field, value)
            .file_from_disk("file", &filename, &checked)
            .await?;
        send_multipart(
            self.client,
            "/monitor/items",
            "/monitor/items/upload_url",
            multipart,
            options.progress,
        )
        .await
    }

    /// Creates a folder (`POST /monitor/items` with only `path`, ending with `/`).
    pub async fn create_folder(&self, remote_path: &str) -> Result<Descriptor> {
        check_remote_path(remote_path, true)?;
        let multipart = Multipart::new().text("path", remote_path);
        let (body, content_type) = multipart.into_body(None);
        let req = ApiRequest::post("/monitor/items").body(body, Some(content_type));
        let doc: DataEnvelope<Descriptor> = self.client.send(req).await?;
        Ok(doc.data)
    }

    /// A single-use URL for uploads above 32 MiB (`GET /monitor/items/upload_url`);
    /// [`Monitor::upload`] uses it by itself when needed.
    pub async fn upload_url(&self) -> Result<String> {
        crate::upload::upload_url(self.client, "/monitor/items/upload_url").await
    }

    /// Deletes an item; a folder is deleted with its content (`DELETE /monitor/items/{id}`).
    pub async fn delete(&self, id: &MonitorItemId) -> Result<()> {
        self.client
            .send_empty(ApiRequest::delete(item_path(id)))
            .await
    }

    /// Sets the item's `details` text (`PATCH /monitor/items/{id}/config`; files only).
    pub async fn set_details(&self, id: &MonitorItemId, details: &str) -> Result<MonitorItem> {
        self.config(id, Value::String(details.to_owned())).await
    }

    /// Clears the item's `details` (`PATCH /monitor/items/{id}/config` with `null`).
    pub async fn clear_details(&self, id: &MonitorItemId) -> Result<MonitorItem> {
        self.config(id, Value::Null).await
    }

    async fn config(&self, id: &MonitorItemId, details: Value) -> Result<MonitorItem> {
        let body = json!({"data": {"id": id.as_str(), "type": "monitor_item", "attributes": {"details": details}}});
        let req = ApiRequest::patch(format!("{}/config", item_path(id))).json(&body)?;
        let doc: DataEnvelope<MonitorItem> = self.client.send(req).await?;
        Ok(doc.data)
    }

    /// A signed download URL of a file item, valid for one hour
    /// (`GET /monitor/items/{id}/download_url`).
    pub async fn download_url(&self, id: &MonitorItemId) -> Result<String> {
        let doc: DataEnvelope<String> = self
            .client
            .send(ApiRequest::get(format!("{}/download_url", item_path(id))))
            .await?;
        Ok(doc.data)
    }

    /// Streams a file item's content to `writer` (`GET /monitor/items/{id}/download`).
    pub async fn download_to_writer<W>(
        &self,
        id: &MonitorItemId,
        writer: &mut W,
        options: DownloadOptions,
    ) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let req = ApiRequest::get(format!("{}/download", item_path(id)));
        request_to_writer(self.client, req, writer, options.progress.as_ref()).await
    }

    /// Downloads a file item to `dest` through a temporary file renamed at the end.
    pub async fn download_to_path(
        &self,
        id: &MonitorItemId,
        dest: impl AsRef<Path>,
        options: DownloadOptions,
    ) -> Result<u64> {
        let req = ApiRequest::get(format!("{}/download", item_path(id)));
        request_to_path(self.client, req, dest.as_ref(), &options).await
    }

    /// The item's analyses, newest first (`GET /monitor/items/{id}/analyses`).
    pub fn analyses(&self, id: &MonitorItemId) -> Paginator<MonitorAnalysis> {
        Paginator::new(
            self.client,
            Target::V3(format!("{}/analyses", item_path(id))),
            Vec::new(),
        )
    }

    /// The user or group owning the item (`GET /monitor/items/{id}/owner`).
    pub async fn owner(&self, id: &MonitorItemId) -> Result<AnyObject> {
        let doc: DataEnvelope<AnyObject> = self
            .client
            .send(ApiRequest::get(format!("{}/owner", item_path(id))))
            .await?;
        Ok(doc.data)
    }

    /// Antivirus partners' comments on the item (`GET /monitor/items/{id}/comments`;
    /// `monitor_hash_comment` objects).
    pub fn comments(&self, id: &MonitorItemId) -> Paginator<RawObject> {
        Paginator::new(
            self.client,
            Target::V3(format!("{}/comments", item_path(id))),
            Vec::new(),
        )
    }

    /// Statistics of the collection (`GET /monitor/statistics`; the shape is undocumented,
    /// so it is returned as JSON).
    pub async fn statistics(&self) -> Result<Value> {
        let doc: DataEnvelope<Value> = self
            .client
            .send(ApiRequest::get("/monitor/statistics"))
            .await?;
        Ok(doc.data)
    }

    /// Monitor events (`GET /monitor/events`): detections, uploads, quota warnings.
    pub fn events(&self) -> Paginator<Value> {
        Paginator::new(
            self.client,
            Target::V3("/monitor/events".into()),
            Vec::new(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<MonitorFilter> {
        text.parse()
    }

    #[test]
    fn each_modifier_parses_and_prints_back() {
        let id = MonitorItemId::new("owner", "/releases/")
            .unwrap()
            .to_string();
        for (text, printed) in [
            ("path:/", "path:/"),
            ("  path:/my folder/  ", "path:/my folder/"),
            ("tag:detected", "tag:detected"),
            (
                "tag:new-detections\tKaspersky  swapped-detections",
                "tag:new-detections Kaspersky swapped-detections",
            ),
            (&format!("item:{id}"), &format!("item:{id}")),
        ] {
            let filter = parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(filter.to_string(), printed);
            assert_eq!(parse(printed).unwrap(), filter);
        }
        assert_eq!(
            parse("tag:decreasing-detections increasing-detections solved-detections").unwrap(),
            MonitorFilter::tags([
                MonitorTag::DecreasingDetections,
                MonitorTag::IncreasingDetections,
                MonitorTag::SolvedDetections,
            ])
        );
    }

    #[test]
    fn bad_filters_are_errors_naming_the_text() {
        for (text, why) in [
            ("", "a Monitor filter is"),
            ("detected", "a Monitor filter is"),
            ("tags:detected", "unknown filter modifier"),
            ("path:releases/", "does not start with '/'"),
            ("path:", "does not start with '/'"),
            ("path:/a/\u{7}", "control characters"),
            ("path:/a/ tag:detected", "one modifier"),
            ("tag:detected path:/a/", "one modifier"),
            ("tag:", "at least one tag"),
            ("tag:   ", "at least one tag"),
            ("item:not-base64!", "Monitor item id"),
        ] {
            let err = parse(text).expect_err(text);
            let shown = err.to_string();
            assert!(err.is_invalid_input(), "{text:?}: {shown}");
            assert!(shown.contains(why), "{text:?}: {shown}");
            let named = format!("{:?}", text.trim());
            assert!(shown.contains(&named), "{named} is not named in: {shown}");
        }
        // A typed filter is held to the same rules, so it prints to text that parses.
        let typed = MonitorFilter::tags([MonitorTag::Engine("a:b".into())]);
        assert!(
            typed
                .validate()
                .unwrap_err()
                .to_string()
                .contains("\"a:b\"")
        );
        assert!(MonitorFilter::path("rel/").validate().is_err());
        assert!(
            MonitorFilter::tags([MonitorTag::Detected])
                .validate()
                .is_ok()
        );
    }
}
