//! URLs: submission, reports, re-analysis, comments, votes, relationships and the network
//! location (`/urls`).
//!
//! URL ids are [`UrlId`]s: the SHA-256 VirusTotal uses, or the unpadded base64url of the URL
//! (built by [`UrlId::from_url`] or [`crate::hashing::url_id`]), which VirusTotal
//! canonicalises itself.

use vt_model::{AnyObject, Descriptor, UrlId, UrlReport};

use crate::client::Client;
use crate::error::Result;
use crate::object_endpoints::{ObjectPath, object_family_methods};
use crate::request::ApiRequest;

/// The `/urls` family; get it with [`Client::urls`].
#[derive(Debug)]
pub struct Urls<'a> {
    pub(crate) client: &'a Client,
}

fn url_path(id: &UrlId) -> ObjectPath {
    ObjectPath::new("urls", id.as_str())
}

impl<'a> Urls<'a> {
    /// Submits `url` for analysis (`POST /urls`, form field `url`); returns the analysis
    /// descriptor (id `u-<sha256>-<timestamp>`). `url` must pass [`vt_model::check_url`]
    /// (nothing is sent otherwise).
    pub async fn submit(&self, url: &str) -> Result<Descriptor> {
        vt_model::check_url(url)?;
        self.client
            .send_data::<Descriptor>(ApiRequest::post("/urls").form(&[("url", url)]))
            .await
    }

    /// The report of a URL by id (`GET /urls/{id}`).
    pub async fn report(&self, id: &UrlId) -> Result<UrlReport> {
        url_path(id).get(self.client, &[]).await
    }

    /// The report's `data` object as the JSON text VirusTotal sent: validated JSON, not
    /// decoded. For programs that store or forward reports without reading them (and `vt`'s
    /// JSON output): no typed model is built and nothing is re-encoded. Decode it later with
    /// `raw.decode::<vt_model::UrlReport>()`.
    pub async fn report_json(&self, id: &UrlId) -> Result<crate::raw_json::RawJson> {
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
        self.client
            .send_data::<Option<AnyObject>>(ApiRequest::get(url_path(id).sub("network_location")))
            .await
    }
}
