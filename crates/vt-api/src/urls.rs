//! URLs: submission, reports, re-analysis, comments, votes, relationships and the network
//! location (`/urls`).
//!
//! URL ids are [`UrlId`]s: the SHA-256 VirusTotal uses, or the unpadded base64url of the URL
//! (built by [`UrlId::from_url`] or [`crate::hashing::url_id`]), which VirusTotal
//! canonicalises itself.

use vt_model::{AnyObject, DataEnvelope, Descriptor, UrlId, UrlReport};

use crate::client::{Client, HttpService};
use crate::error::Result;
use crate::object_endpoints::{ObjectPath, object_family_methods};
use crate::request::ApiRequest;

/// The `/urls` family; get it with [`Client::urls`].
#[derive(Debug)]
pub struct Urls<'a, S> {
    pub(crate) client: &'a Client<S>,
}

fn url_path(id: &UrlId) -> ObjectPath {
    ObjectPath::new("urls", id.as_str())
}

impl<'a, S: HttpService> Urls<'a, S> {
    /// Submits `url` for analysis (`POST /urls`, form field `url`); returns the analysis
    /// descriptor (id `u-<sha256>-<timestamp>`). `url` must pass [`vt_model::check_url`]
    /// (nothing is sent otherwise).
    pub async fn submit(&self, url: &str) -> Result<Descriptor> {
        vt_model::check_url(url)?;
        let doc: DataEnvelope<Descriptor> = self
            .client
            .send(ApiRequest::post("/urls").form(&[("url", url)]))
            .await?;
        Ok(doc.data)
    }

    /// The report of a URL by id (`GET /urls/{id}`).
    pub async fn report(&self, id: &UrlId) -> Result<UrlReport> {
        url_path(id).get(self.client, &[]).await
    }

    /// The report's `data` object as the JSON text VirusTotal sent: validated JSON, not
    /// decoded. For programs that store or forward reports without reading them (and `vt`'s
    /// JSON output): no typed model is built and nothing is re-encoded. Decode it later with
    /// `serde_json::from_str::<vt_model::UrlReport>(raw.get())`.
    pub async fn report_json(&self, id: &UrlId) -> Result<Box<serde_json::value::RawValue>> {
        url_path(id).get_json(self.client).await
    }

    /// The report of a URL given as text (`GET /urls/{base64url(url)}`); `url` must pass
    /// [`vt_model::check_url`].
    pub async fn report_by_url(&self, url: &str) -> Result<UrlReport> {
        vt_model::check_url(url)?;
        self.report(&UrlId::from_url(url)?).await
    }

    /// The report with the named relationships inline (`GET /urls/{id}?relationships=a,b`).
    pub async fn report_with_relationships(
        &self,
        id: &UrlId,
        relationships: &[&str],
    ) -> Result<UrlReport> {
        url_path(id).get(self.client, relationships).await
    }

    object_family_methods!(UrlId, url_path);

    /// The domain or IP address hosting the URL (`GET /urls/{id}/network_location`), or
    /// `None` when VirusTotal answers `{"data": null}` (a one-to-one relationship with
    /// nothing on the other side, e.g. a URL submitted a moment ago).
    pub async fn network_location(&self, id: &UrlId) -> Result<Option<AnyObject>> {
        let doc: DataEnvelope<Option<AnyObject>> = self
            .client
            .send(ApiRequest::get(url_path(id).sub("network_location")))
            .await?;
        Ok(doc.data)
    }
}
