//! Comments: [`CommentAttributes`] (`type: "comment"`).

use crate::Timestamp;
use crate::lossless::lossless_struct;

lossless_struct! {
    /// The attributes of a `comment` object.
    pub struct CommentAttributes {
        /// When it was posted.
        date: Timestamp = "date",
        /// The text as written.
        text: String = "text",
        /// The text rendered as HTML.
        html: String = "html",
        /// Tags (words starting with `#`, and system tags such as `_:api`).
        tags: Vec<String> = "tags",
        /// Votes on the comment.
        votes: CommentVoteCounts = "votes",
    }
}

lossless_struct! {
    /// Votes on a comment (`votes`, also the answer of `POST /comments/{id}/vote`).
    pub struct CommentVoteCounts {
        /// Positive votes.
        positive: u64 = "positive",
        /// Negative votes.
        negative: u64 = "negative",
        /// Abuse reports.
        abuse: u64 = "abuse",
    }
}
