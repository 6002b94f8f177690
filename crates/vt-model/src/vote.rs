//! Votes: [`VoteAttributes`] (`type: "vote"`) and their [`Verdict`].

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Timestamp;
use crate::lossless::lossless_struct;

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

impl Verdict {
    /// Parses a verdict; never fails.
    pub fn parse(text: &str) -> Verdict {
        match text {
            "harmless" => Verdict::Harmless,
            "malicious" => Verdict::Malicious,
            other => Verdict::Other(other.to_owned()),
        }
    }

    /// The verdict as VirusTotal writes it.
    pub fn as_str(&self) -> &str {
        match self {
            Verdict::Harmless => "harmless",
            Verdict::Malicious => "malicious",
            Verdict::Other(other) => other,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Verdict {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Verdict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Verdict::parse(&text))
    }
}
