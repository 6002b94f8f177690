//! Metadata: engines, privileges and relationships (`/metadata`).

use vt_model::Metadata as MetadataDoc;

use crate::client::Client;
use crate::error::Result;
use crate::request::ApiRequest;

/// The `/metadata` family; get it with [`Client::metadata`].
#[derive(Debug)]
pub struct Metadata<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Metadata<'a> {
    /// The engines, your privileges and the relationships of every object type
    /// (`GET /metadata`).
    pub async fn get(&self) -> Result<MetadataDoc> {
        self.client
            .send_data::<MetadataDoc>(ApiRequest::get("/metadata"))
            .await
    }
}
