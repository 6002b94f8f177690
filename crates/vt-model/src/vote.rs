//! Votes: [`VoteAttributes`] (`type: "vote"`) and their [`Verdict`].

use crate::Timestamp;
use crate::lossless::lossless_struct;
use crate::open_enum::open_enum_text;

lossless_struct! {
    /// The attributes of a `vote` object.
    pub struct VoteAttributes {
        /// When the vote was cast.
        date: Timestamp = "date",
        /// `harmless` or `malicious`.
        verdict: Verdict = "verdict",
        /// The weight the vote added to the community score (signed).
        value: i64 = "value",
    }
}

/// A vote's verdict. Unknown values are kept in [`Verdict::Other`].
///
/// ```
/// use vt_model::Verdict;
/// assert_eq!(Verdict::parse("malicious"), Verdict::Malicious);
/// assert_eq!(Verdict::Harmless.as_str(), "harmless");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Verdict {
    /// `harmless`.
    Harmless,
    /// `malicious`.
    Malicious,
    /// A value this version does not know, kept verbatim.
    Other(String),
}

open_enum_text! {
    Verdict {
        Harmless => "harmless",
        Malicious => "malicious",
    }
}
