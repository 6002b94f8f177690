//! Comments: the latest comments, one comment, its votes, deletion and relationships
//! (`/comments`).

use serde_json::json;
use vt_model::{AnyObject, Comment, CommentVoteCounts, Descriptor};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::object_endpoints::ObjectPath;
use crate::pagination::Paginator;
use crate::request::{ApiRequest, Target};

/// A vote on a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommentVote {
    /// `positive`.
    Positive,
    /// `negative`.
    Negative,
    /// `abuse`: reports the comment.
    Abuse,
}

impl CommentVote {
    /// The vote as VirusTotal writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            CommentVote::Positive => "positive",
            CommentVote::Negative => "negative",
            CommentVote::Abuse => "abuse",
        }
    }
}

impl std::str::FromStr for CommentVote {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "positive" => Ok(CommentVote::Positive),
            "negative" => Ok(CommentVote::Negative),
            "abuse" => Ok(CommentVote::Abuse),
            other => Err(Error::invalid(
                other,
                "a comment vote is `positive`, `negative` or `abuse`",
            )),
        }
    }
}

/// The `/comments` family; get it with [`Client::comments`].
#[derive(Debug)]
pub struct Comments<'a> {
    pub(crate) client: &'a Client,
}

fn comment_path(id: &str) -> Result<ObjectPath> {
    if id.is_empty() || id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid(
            id,
            "a comment id is not empty and has no whitespace",
        ));
    }
    Ok(ObjectPath::new("comments", id))
}

impl<'a> Comments<'a> {
    /// The latest comments (`GET /comments`); narrow them with
    /// [`Paginator::filter`] (e.g. `tag:malware`).
    pub fn latest(&self) -> Paginator<Comment> {
        Paginator::new(self.client, Target::V3("/comments".into()), Vec::new())
    }

    /// One comment (`GET /comments/{id}`).
    pub async fn get(&self, id: &str) -> Result<Comment> {
        comment_path(id)?.get(self.client, &[]).await
    }

    /// Deletes your comment (`DELETE /comments/{id}`).
    pub async fn delete(&self, id: &str) -> Result<()> {
        self.client
            .send_empty(ApiRequest::delete(comment_path(id)?.path))
            .await
    }

    /// Votes on a comment (`POST /comments/{id}/vote`); returns the comment's vote counts.
    pub async fn vote(&self, id: &str, vote: CommentVote) -> Result<CommentVoteCounts> {
        let req = ApiRequest::post(comment_path(id)?.sub("vote"))
            .json(&json!({"data": vote.as_str()}))?;
        self.client.send_data::<CommentVoteCounts>(req).await
    }

    /// Objects related to a comment (`GET /comments/{id}/{relationship}`, e.g. `author`).
    pub fn related(&self, id: &str, relationship: &str) -> Paginator<AnyObject> {
        match comment_path(id) {
            Ok(p) => p.related(self.client, relationship),
            Err(e) => Paginator::failed(e),
        }
    }

    /// Descriptors of objects related to a comment
    /// (`GET /comments/{id}/relationships/{relationship}`).
    pub fn related_descriptors(&self, id: &str, relationship: &str) -> Paginator<Descriptor> {
        match comment_path(id) {
            Ok(p) => p.related_descriptors(self.client, relationship),
            Err(e) => Paginator::failed(e),
        }
    }
}
