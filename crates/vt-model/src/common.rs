//! Small attribute shapes shared by several object types.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Number, Value};

use crate::lossless::lossless_struct;

lossless_struct! {
    /// `total_votes`: community votes on a file, URL, domain or IP address.
    pub struct TotalVotes {
        /// Votes saying harmless.
        harmless: i64 = "harmless",
        /// Votes saying malicious.
        malicious: i64 = "malicious",
    }
}

lossless_struct! {
    /// `main_icon` of a file or `favicon` of a URL / domain: hashes of the image.
    pub struct IconHashes {
        /// MD5 of the raw image bytes.
        raw_md5: String = "raw_md5",
        /// Difference hash of the image.
        dhash: String = "dhash",
    }
}

lossless_struct! {
    /// One entry of `popularity_ranks`.
    pub struct PopularityRank {
        /// The rank in that list.
        rank: u64 = "rank",
        /// When the rank was taken.
        timestamp: crate::Timestamp = "timestamp",
    }
}

/// A value VirusTotal writes sometimes as a number and sometimes as a string (e.g.
/// `threat_severity.version` is `5` or `"I3"`; `threat_severity.last_analysis_date` is a
/// numeric string). Written back in the form it was read.
///
/// ```
/// use vt_model::NumberOrText;
/// let n: NumberOrText = serde_json::from_str("5").unwrap();
/// let t: NumberOrText = serde_json::from_str(r#""1722223215""#).unwrap();
/// assert_eq!(n.as_i64(), Some(5));
/// assert_eq!(t.as_i64(), Some(1722223215));
/// assert_eq!(serde_json::to_string(&t).unwrap(), r#""1722223215""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NumberOrText {
    /// A JSON number.
    Number(Number),
    /// A JSON string.
    Text(String),
}

impl NumberOrText {
    /// The value as an integer: the number if it is one, or the string if it holds only an
    /// integer.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            NumberOrText::Number(n) => n.as_i64(),
            NumberOrText::Text(t) => t.trim().parse().ok(),
        }
    }
}

impl fmt::Display for NumberOrText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberOrText::Number(n) => write!(f, "{n}"),
            NumberOrText::Text(t) => f.write_str(t),
        }
    }
}

impl Serialize for NumberOrText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            NumberOrText::Number(n) => n.serialize(serializer),
            NumberOrText::Text(t) => serializer.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for NumberOrText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Number(n) => Ok(NumberOrText::Number(n)),
            Value::String(t) => Ok(NumberOrText::Text(t)),
            other => Err(serde::de::Error::custom(format_args!(
                "expected a number or a string, found {}",
                crate::lossless::kind_of(&other)
            ))),
        }
    }
}
