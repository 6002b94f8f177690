//! What files, URLs, domains and IP addresses have in common: the report, re-analysis,
//! comments, votes and relationships of one object.

use serde::de::DeserializeOwned;
use serde_json::json;
use vt_model::{AnyObject, Comment, DataEnvelope, Descriptor, Object, Verdict, Vote};

use crate::client::{Client, HttpService};
use crate::error::{Error, Result};
use crate::pagination::Paginator;
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

    pub(crate) async fn get<A, S>(
        &self,
        client: &Client<S>,
        relationships: &[&str],
    ) -> Result<Object<A>>
    where
        A: DeserializeOwned + Default + PartialEq,
        S: HttpService,
    {
        let mut req = ApiRequest::get(self.path.clone());
        if !relationships.is_empty() {
            for name in relationships {
                check_relationship(name)?;
            }
            req = req.query("relationships", relationships.join(","));
        }
        let doc: DataEnvelope<Object<A>> = client.send(req).await?;
        Ok(doc.data)
    }

    /// The `data` object of `GET {path}` as the JSON text received, validated but not decoded.
    pub(crate) async fn get_json<S: HttpService>(
        &self,
        client: &Client<S>,
    ) -> Result<Box<serde_json::value::RawValue>> {
        let doc: DataEnvelope<Box<serde_json::value::RawValue>> =
            client.send(ApiRequest::get(self.path.clone())).await?;
        let text = doc.data.get();
        // The typed decoders refuse a document nested past serde_json's recursion limit; so
        // does this, rather than hand out text nobody can decode or print in bounded time.
        match crate::raw_json::check_object(text) {
            Err(why) => Err(Error::Decode {
                path: "data".into(),
                source: serde::de::Error::custom(why),
                snippet: crate::error::snippet(text.as_bytes()),
            }),
            Ok(()) => Ok(doc.data),
        }
    }

    pub(crate) async fn reanalyse<S: HttpService>(&self, client: &Client<S>) -> Result<Descriptor> {
        let doc: DataEnvelope<Descriptor> =
            client.send(ApiRequest::post(self.sub("analyse"))).await?;
        Ok(doc.data)
    }

    pub(crate) fn comments<S: HttpService>(&self, client: &Client<S>) -> Paginator<Comment> {
        Paginator::new(client, Target::V3(self.sub("comments")), Vec::new())
    }

    pub(crate) async fn add_comment<S: HttpService>(
        &self,
        client: &Client<S>,
        text: &str,
    ) -> Result<Comment> {
        if text.trim().is_empty() {
            return Err(Error::invalid(text, "a comment needs some text"));
        }
        let body = json!({"data": {"type": "comment", "attributes": {"text": text}}});
        let doc: DataEnvelope<Comment> = client
            .send(ApiRequest::post(self.sub("comments")).json(&body)?)
            .await?;
        Ok(doc.data)
    }

    pub(crate) fn votes<S: HttpService>(&self, client: &Client<S>) -> Paginator<Vote> {
        Paginator::new(client, Target::V3(self.sub("votes")), Vec::new())
    }

    pub(crate) async fn add_vote<S: HttpService>(
        &self,
        client: &Client<S>,
        verdict: &Verdict,
    ) -> Result<Vote> {
        if let Verdict::Other(other) = verdict {
            return Err(Error::invalid(other, "a vote is `harmless` or `malicious`"));
        }
        let body = json!({"data": {"type": "vote", "attributes": {"verdict": verdict.as_str()}}});
        let doc: DataEnvelope<Vote> = client
            .send(ApiRequest::post(self.sub("votes")).json(&body)?)
            .await?;
        Ok(doc.data)
    }

    pub(crate) fn related<S: HttpService>(
        &self,
        client: &Client<S>,
        relationship: &str,
    ) -> Paginator<AnyObject> {
        match check_relationship(relationship) {
            Ok(()) => Paginator::new(client, Target::V3(self.sub(relationship)), Vec::new()),
            Err(e) => Paginator::failed(e),
        }
    }

    pub(crate) fn related_descriptors<S: HttpService>(
        &self,
        client: &Client<S>,
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
