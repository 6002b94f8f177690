//! IP addresses: reports, re-analysis, comments, votes and relationships (`/ip_addresses`).

use vt_model::{IpAddress, IpAddressReport};

use crate::client::Client;
use crate::error::Result;
use crate::object_endpoints::{ObjectPath, object_family_methods};

/// The `/ip_addresses` family; get it with [`Client::ip_addresses`].
#[derive(Debug)]
pub struct IpAddresses<'a> {
    pub(crate) client: &'a Client,
}

fn ip_path(id: &IpAddress) -> ObjectPath {
    ObjectPath::new("ip_addresses", id.as_str())
}

impl<'a> IpAddresses<'a> {
    /// The IP address's report (`GET /ip_addresses/{ip}`).
    pub async fn report(&self, ip: &IpAddress) -> Result<IpAddressReport> {
        ip_path(ip).get(self.client, &[]).await
    }

    /// The report's `data` object as the JSON text VirusTotal sent: validated JSON, not
    /// decoded. For programs that store or forward reports without reading them (and `vt`'s
    /// JSON output): no typed model is built and nothing is re-encoded. Decode it later with
    /// `raw.decode::<vt_model::IpAddressReport>()`.
    pub async fn report_json(&self, ip: &IpAddress) -> Result<crate::raw_json::RawJson> {
        ip_path(ip).get_json(self.client).await
    }

    /// The report with the named relationships inline
    /// (`GET /ip_addresses/{ip}?relationships=a,b`).
    pub async fn report_with_relationships(
        &self,
        ip: &IpAddress,
        relationships: &[&str],
    ) -> Result<IpAddressReport> {
        ip_path(ip).get(self.client, relationships).await
    }

    object_family_methods!(IpAddress, ip_path);
}
