//! What files, URLs, domains and IP addresses have in common: the report, re-analysis,
//! comments, votes and relationships of one object.

use serde::de::DeserializeOwned;
use serde_json::json;
use vt_model::{AnyObject, Comment, Descriptor, Object, Verdict, Vote};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::pagination::Paginator;
use crate::raw_json::RawJson;
use crate::request::{ApiRequest, Target};

/// The path of one object (`/files/{id}`, `/urls/{id}`, ...), segments already encoded.
#[derive(Debug, Clone)]
pub(crate) struct ObjectPath {
    pub(crate) path: String,
}

impl ObjectPath {
    pub(crate) fn new(collection: &str, id: &str) -> Self {
        ObjectPath {
            path: format!("/{collection}/{}", crate::request::path_segment(id)),
        }
    }

    pub(crate) fn sub(&self, tail: &str) -> String {
        format!("{}/{tail}", self.path)
    }

    pub(crate) async fn get<A>(&self, client: &Client, relationships: &[&str]) -> Result<Object<A>>
    where
        A: DeserializeOwned + Default + PartialEq,
    {
        let mut req = ApiRequest::get(self.path.clone());
        if !relationships.is_empty() {
            for name in relationships {
                check_relationship(name)?;
            }
            req = req.query("relationships", relationships.join(","));
        }
        client.send_data::<Object<A>>(req).await
    }

    /// The `data` object of `GET {path}` as the JSON text received, checked but not decoded.
    pub(crate) async fn get_json(&self, client: &Client) -> Result<RawJson> {
        client
            .send_raw_data(ApiRequest::get(self.path.clone()))
            .await
    }

    pub(crate) async fn reanalyse(&self, client: &Client) -> Result<Descriptor> {
        client
            .send_data::<Descriptor>(ApiRequest::post(self.sub("analyse")))
            .await
    }

    pub(crate) fn comments(&self, client: &Client) -> Paginator<Comment> {
        Paginator::new(client, Target::V3(self.sub("comments")), Vec::new())
    }

    pub(crate) async fn add_comment(&self, client: &Client, text: &str) -> Result<Comment> {
        if text.trim().is_empty() {
            return Err(Error::invalid(text, "a comment needs some text"));
        }
        let body = json!({"data": {"type": "comment", "attributes": {"text": text}}});
        client
            .send_data::<Comment>(ApiRequest::post(self.sub("comments")).json(&body)?)
            .await
    }

    pub(crate) fn votes(&self, client: &Client) -> Paginator<Vote> {
        Paginator::new(client, Target::V3(self.sub("votes")), Vec::new())
    }

    pub(crate) async fn add_vote(&self, client: &Client, verdict: &Verdict) -> Result<Vote> {
        if let Verdict::Other(other) = verdict {
            return Err(Error::invalid(other, "a vote is `harmless` or `malicious`"));
        }
        let body = json!({"data": {"type": "vote", "attributes": {"verdict": verdict.as_str()}}});
        client
            .send_data::<Vote>(ApiRequest::post(self.sub("votes")).json(&body)?)
            .await
    }

    pub(crate) fn related(&self, client: &Client, relationship: &str) -> Paginator<AnyObject> {
        match check_relationship(relationship) {
            Ok(()) => Paginator::new(client, Target::V3(self.sub(relationship)), Vec::new()),
            Err(e) => Paginator::failed(e),
        }
    }

    pub(crate) fn related_descriptors(
        &self,
        client: &Client,
        relationship: &str,
    ) -> Paginator<Descriptor> {
        match check_relationship(relationship) {
            Ok(()) => Paginator::new(
                client,
                Target::V3(self.sub(&format!("relationships/{relationship}"))),
                Vec::new(),
            ),
            Err(e) => Paginator::failed(e),
        }
    }
}

/// A relationship name is checked by its shape only ([`vt_model::RelationshipName`]): a
/// well-formed name VirusTotal added after this version is sent as given.
pub(crate) fn check_relationship(name: &str) -> Result<()> {
    vt_model::RelationshipName::parse(name)?;
    Ok(())
}

/// Generates the comment, vote and relationship methods of a family handle.
macro_rules! object_family_methods {
    ($id_ty:ty, $path:ident) => {
        /// Re-analyses the object (`POST .../analyse`); returns the analysis descriptor (poll it
        /// with [`Analyses::wait`](crate::analyses::Analyses::wait)).
        pub async fn reanalyse(&self, id: &$id_ty) -> $crate::Result<vt_model::Descriptor> {
            $path(id).reanalyse(self.client).await
        }

        /// The comments on the object, newest first (`GET .../comments`).
        pub fn comments(&self, id: &$id_ty) -> $crate::Paginator<vt_model::Comment> {
            $path(id).comments(self.client)
        }

        /// Posts a comment (`POST .../comments`); `#words` become tags.
        pub async fn add_comment(
            &self,
            id: &$id_ty,
            text: &str,
        ) -> $crate::Result<vt_model::Comment> {
            $path(id).add_comment(self.client, text).await
        }

        /// The votes on the object (`GET .../votes`).
        pub fn votes(&self, id: &$id_ty) -> $crate::Paginator<vt_model::Vote> {
            $path(id).votes(self.client)
        }

        /// Votes `harmless` or `malicious` (`POST .../votes`). A second vote by the same user
        /// fails with `AlreadyExistsError` (409).
        pub async fn add_vote(
            &self,
            id: &$id_ty,
            verdict: &vt_model::Verdict,
        ) -> $crate::Result<vt_model::Vote> {
            $path(id).add_vote(self.client, verdict).await
        }

        /// The full objects related through `relationship` (`GET .../{relationship}`). Items
        /// VirusTotal could not load carry an `error`.
        pub fn related(
            &self,
            id: &$id_ty,
            relationship: &str,
        ) -> $crate::Paginator<vt_model::AnyObject> {
            $path(id).related(self.client, relationship)
        }

        /// The descriptors of the objects related through `relationship`
        /// (`GET .../relationships/{relationship}`), with their `context_attributes`.
        pub fn related_descriptors(
            &self,
            id: &$id_ty,
            relationship: &str,
        ) -> $crate::Paginator<vt_model::Descriptor> {
            $path(id).related_descriptors(self.client, relationship)
        }
    };
}
pub(crate) use object_family_methods;
