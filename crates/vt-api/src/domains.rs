//! Domains: reports, re-analysis, comments, votes and relationships (`/domains`).

use vt_model::{DomainName, DomainReport};

use crate::client::Client;
use crate::error::Result;
use crate::object_endpoints::{ObjectPath, object_family_methods};

/// The `/domains` family; get it with [`Client::domains`].
#[derive(Debug)]
pub struct Domains<'a> {
    pub(crate) client: &'a Client,
}

fn domain_path(id: &DomainName) -> ObjectPath {
    ObjectPath::new("domains", id.as_str())
}

impl<'a> Domains<'a> {
    /// The domain's report (`GET /domains/{domain}`).
    pub async fn report(&self, domain: &DomainName) -> Result<DomainReport> {
        domain_path(domain).get(self.client, &[]).await
    }

    /// The report's `data` object as the JSON text VirusTotal sent: validated JSON, not
    /// decoded. For programs that store or forward reports without reading them (and `vt`'s
    /// JSON output): no typed model is built and nothing is re-encoded. Decode it later with
    /// `raw.decode::<vt_model::DomainReport>()`.
    pub async fn report_json(&self, domain: &DomainName) -> Result<crate::raw_json::RawJson> {
        domain_path(domain).get_json(self.client).await
    }

    /// The report with the named relationships inline
    /// (`GET /domains/{domain}?relationships=a,b`).
    pub async fn report_with_relationships(
        &self,
        domain: &DomainName,
        relationships: &[&str],
    ) -> Result<DomainReport> {
        domain_path(domain).get(self.client, relationships).await
    }

    object_family_methods!(DomainName, domain_path);
}
