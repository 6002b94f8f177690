//! [`V2Resource`]: what the legacy v2 file report looks up.

use super::error::{IdError, IdKind, check_no_blank};
use super::hash::{FileHash, Sha256};
use super::macros::string_identifier;

/// A `resource` of `GET /vtapi/v2/file/report`: an MD5, SHA-1 or SHA-256, or a v2 scan id
/// `<sha256>-<unix time>`. Stored lowercase. The one rule for v2 resources: `vt-api` checks
/// every resource of a batch with it before the first request, and `vt v2` uses it too.
///
/// ```
/// use vt_model::V2Resource;
///
/// let r: V2Resource = "44D88612FEA8A8F36DE82E1278ABB02F".parse()?;
/// assert_eq!(r.as_str(), "44d88612fea8a8f36de82e1278abb02f");
/// let scan = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f-1700000000";
/// assert!(V2Resource::parse(scan)?.is_scan_id());
/// assert!(V2Resource::parse("a,b").is_err());
/// # Ok::<(), vt_model::IdError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct V2Resource(String);

impl V2Resource {
    /// Validates a resource (see the type's documentation).
    pub fn parse(s: &str) -> Result<V2Resource, IdError> {
        check_no_blank(IdKind::V2Resource, s)?;
        if let Ok(hash) = FileHash::parse(s) {
            return Ok(V2Resource(hash.as_str().to_owned()));
        }
        if let Some((sha, time)) = s.split_once('-')
            && Sha256::parse(sha).is_ok()
            && !time.is_empty()
            && time.bytes().all(|b| b.is_ascii_digit())
        {
            return Ok(V2Resource(s.to_ascii_lowercase()));
        }
        Err(IdError::new(
            IdKind::V2Resource,
            s,
            "expected an MD5, SHA-1, SHA-256 or a scan id <sha256>-<time>",
        ))
    }

    /// Whether this is a scan id rather than a hash.
    pub fn is_scan_id(&self) -> bool {
        self.0.contains('-')
    }

    /// The resource as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<FileHash> for V2Resource {
    fn from(hash: FileHash) -> V2Resource {
        V2Resource(hash.as_str().to_owned())
    }
}

string_identifier!(
    V2Resource,
    "a v2 resource (MD5, SHA-1, SHA-256 or <sha256>-<time> scan id)"
);
