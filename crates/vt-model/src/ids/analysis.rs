//! [`AnalysisId`]: how an analysis is named in `/analyses/{id}`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::error::{IdError, IdKind, check_no_blank};
use super::hash::{Md5, Sha256};
use super::macros::string_identifier;

/// An analysis id, as `POST /files` and `POST /urls` return it.
///
/// Analysis ids are opaque in VirusTotal's documentation, so validation is loose: non-empty,
/// no whitespace or control characters, and none of `/`, `?`, `#` (they would change the
/// meaning of the `/analyses/{id}` path). The two observed shapes can be taken apart:
///
/// - URL analysis: `u-<sha256 of the canonical URL>-<unix time>`
///   ([`url_sha256`](Self::url_sha256));
/// - file analysis: standard base64 of `<md5>:<unix time>`
///   ([`file_md5`](Self::file_md5); private scans put another field between the two, which is
///   tolerated).
///
/// [`timestamp`](Self::timestamp) reads the time of either.
///
/// ```
/// use vt_model::AnalysisId;
///
/// let id: AnalysisId = "OTFiMDcwMjVjZDIzZTI0NGU4ZDlmMjI2NjkzZDczNGE6MTY1MzY1NDM3Nw==".parse()?;
/// assert_eq!(id.file_md5().unwrap().as_str(), "91b07025cd23e244e8d9f226693d734a");
/// assert_eq!(id.timestamp(), Some(1653654377));
///
/// let url = "u-dd014af5ed6b38d9130e3f466f850e46d21b951199d53a18ef29ee9341614eaf-1700000000";
/// let id: AnalysisId = url.parse()?;
/// assert!(id.url_sha256().is_some());
/// # Ok::<(), vt_model::IdError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AnalysisId(String);

impl AnalysisId {
    /// Validates an analysis id (see the type's documentation). Kept as given.
    pub fn parse(s: &str) -> Result<AnalysisId, IdError> {
        check_no_blank(IdKind::AnalysisId, s)?;
        if let Some((pos, c)) = s
            .chars()
            .enumerate()
            .find(|(_, c)| matches!(c, '/' | '?' | '#'))
        {
            return Err(IdError::new(
                IdKind::AnalysisId,
                s,
                format!(
                    "character {c:?} at position {} cannot be part of an analysis id",
                    pos + 1
                ),
            ));
        }
        Ok(AnalysisId(s.to_owned()))
    }

    /// The id of the analysis of the URL whose id is `url_sha256`, made at `timestamp`
    /// (seconds since the Unix epoch): `u-<sha256>-<timestamp>`.
    pub fn for_url(url_sha256: &Sha256, timestamp: i64) -> AnalysisId {
        AnalysisId(format!("u-{url_sha256}-{timestamp}"))
    }

    /// The id of the analysis of the file with this MD5, made at `timestamp` (seconds since
    /// the Unix epoch): base64 of `<md5>:<timestamp>`.
    pub fn for_file(md5: &Md5, timestamp: i64) -> AnalysisId {
        AnalysisId(STANDARD.encode(format!("{md5}:{timestamp}")))
    }

    /// The SHA-256 URL id, for a URL analysis id `u-<sha256>-<time>`.
    pub fn url_sha256(&self) -> Option<Sha256> {
        self.url_parts().map(|(sha256, _)| sha256)
    }

    /// The MD5 of the file, for a file analysis id (base64 of `<md5>:...:<time>`).
    pub fn file_md5(&self) -> Option<Md5> {
        self.file_parts().map(|(md5, _)| md5)
    }

    /// Whether this is a URL analysis id.
    pub fn is_url_analysis(&self) -> bool {
        self.url_parts().is_some()
    }

    /// Whether this is a file analysis id.
    pub fn is_file_analysis(&self) -> bool {
        self.file_parts().is_some()
    }

    /// When the analysis was requested (seconds since the Unix epoch), for the URL and file
    /// shapes; `None` for other ids.
    pub fn timestamp(&self) -> Option<i64> {
        self.url_parts()
            .map(|(_, ts)| ts)
            .or_else(|| self.file_parts().map(|(_, ts)| ts))
    }

    /// The id as sent to the API.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn url_parts(&self) -> Option<(Sha256, i64)> {
        let rest = self.0.strip_prefix("u-")?;
        let (hash, ts) = rest.split_once('-')?;
        Some((Sha256::parse(hash).ok()?, parse_timestamp(ts)?))
    }

    fn file_parts(&self) -> Option<(Md5, i64)> {
        let bytes = STANDARD.decode(&self.0).ok()?;
        let text = std::str::from_utf8(&bytes).ok()?;
        let (md5, rest) = text.split_once(':')?;
        let ts = rest.rsplit(':').next()?;
        Some((Md5::parse(md5).ok()?, parse_timestamp(ts)?))
    }
}

/// A Unix time written as decimal digits only (no sign, no spaces).
fn parse_timestamp(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

string_identifier!(AnalysisId, "an analysis id");
