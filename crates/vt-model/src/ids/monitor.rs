//! [`MonitorItemId`]: how a VT Monitor file or folder is named in `/monitor/items/{id}`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::error::{IdError, IdKind, check_no_blank, display_input};
use super::string_identifier;

/// What every decoded monitor item id starts with.
const PREFIX: &str = "vtmonitor-v1://";

/// A VT Monitor item id: standard, `=`-padded base64 of the UTF-8 text
/// `vtmonitor-v1://{owner}{path}`, where the owner is the user or group id that owns the
/// monitor collection and the path starts with `/` (and ends with `/` for a folder).
///
/// Where the owner ends is not documented; this crate takes the path to start at the first
/// `/` after `vtmonitor-v1://`, so an owner never contains `/`. [`MonitorItemId::parse`]
/// wants the id exactly as VirusTotal gives it: standard alphabet (`+`, `/`), with its
/// padding. Because the id can contain `/`, `+` and `=`, use
/// [`MonitorItemId::path_segment`] to put it in a URL path.
///
/// ```
/// use vt_model::MonitorItemId;
///
/// let id = MonitorItemId::new("acme", "/folder/file.exe")?;
/// assert_eq!(id.as_str(), "dnRtb25pdG9yLXYxOi8vYWNtZS9mb2xkZXIvZmlsZS5leGU=");
///
/// let id: MonitorItemId = "dnRtb25pdG9yLXYxOi8vYWNtZS9mb2xkZXIvZmlsZS5leGU=".parse()?;
/// assert_eq!((id.owner(), id.path()), ("acme", "/folder/file.exe"));
/// assert!(!id.is_folder());
/// assert_eq!(id.path_segment(), "dnRtb25pdG9yLXYxOi8vYWNtZS9mb2xkZXIvZmlsZS5leGU%3D");
/// # Ok::<(), vt_model::IdError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MonitorItemId {
    id: String,
    owner: String,
    path: String,
}

impl MonitorItemId {
    /// The id of the item at `path` in `owner`'s collection. The owner must be non-empty,
    /// without `/`, whitespace or control characters; the path must start with `/` and hold
    /// no control characters (spaces are fine: file names have them).
    pub fn new(owner: &str, path: &str) -> Result<MonitorItemId, IdError> {
        check_owner(owner).map_err(|reason| {
            IdError::new(IdKind::MonitorItemId, owner, format!("owner {reason}"))
        })?;
        check_path(path).map_err(|reason| {
            IdError::new(IdKind::MonitorItemId, path, format!("path {reason}"))
        })?;
        Ok(MonitorItemId {
            id: STANDARD.encode(format!("{PREFIX}{owner}{path}")),
            owner: owner.to_owned(),
            path: path.to_owned(),
        })
    }

    /// Validates an id: padded standard base64 that decodes to UTF-8 text of the form
    /// `vtmonitor-v1://{owner}{path}`.
    pub fn parse(s: &str) -> Result<MonitorItemId, IdError> {
        let err = |reason: String| IdError::new(IdKind::MonitorItemId, s, reason);
        check_no_blank(IdKind::MonitorItemId, s)?;
        if s.starts_with("vtmonitor-v1:") {
            return Err(err(
                "this is the decoded form; an id is its base64 (MonitorItemId::new builds it)"
                    .into(),
            ));
        }
        let unpadded = s.trim_end_matches('=');
        if let Some((pos, c)) = unpadded
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '+' || *c == '/'))
        {
            let hint = if s.starts_with('/') {
                "; this looks like a monitor path, not an item id (MonitorItemId::new takes an owner and a path)"
            } else if c == '-' || c == '_' {
                "; this looks like base64url, monitor ids use '+' and '/'"
            } else {
                ""
            };
            return Err(err(format!(
                "character {c:?} at position {} is not in the standard base64 alphabet (A-Z, a-z, 0-9, '+', '/', '=' padding){hint}",
                pos + 1
            )));
        }
        if !s.len().is_multiple_of(4) || s.len() - unpadded.len() > 2 {
            return Err(err(format!(
                "base64 of length {} with {} '=': not a multiple of 4 (truncated, or padding missing)",
                s.len(),
                s.len() - unpadded.len()
            )));
        }
        let bytes = STANDARD
            .decode(s)
            .map_err(|e| err(format!("not valid base64: {e}")))?;
        let Ok(text) = String::from_utf8(bytes) else {
            return Err(err("does not decode to UTF-8 text".into()));
        };
        let Some(rest) = text.strip_prefix(PREFIX) else {
            return Err(err(format!(
                "decodes to \"{}\", which does not start with {PREFIX:?}",
                display_input(&text)
            )));
        };
        let Some(slash) = rest.find('/') else {
            return Err(err("decodes to an owner without a path (no '/')".into()));
        };
        let (owner, path) = rest.split_at(slash);
        check_owner(owner).map_err(|reason| err(format!("decodes to an owner that {reason}")))?;
        check_path(path).map_err(|reason| err(format!("decodes to a path that {reason}")))?;
        Ok(MonitorItemId {
            id: s.to_owned(),
            owner: owner.to_owned(),
            path: path.to_owned(),
        })
    }

    /// The user or group id owning the item.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The item's path in the collection; starts with `/`, ends with `/` for a folder.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether the item is a folder (its path ends with `/`).
    pub fn is_folder(&self) -> bool {
        self.path.ends_with('/')
    }

    /// The last path component (the file name, or the folder name for a folder); `None` for
    /// the root folder `/`.
    pub fn name(&self) -> Option<&str> {
        self.path
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .filter(|name| !name.is_empty())
    }

    /// The id as VirusTotal writes it (base64, padded).
    pub fn as_str(&self) -> &str {
        &self.id
    }

    /// The id percent-encoded for one URL path segment: `+` → `%2B`, `/` → `%2F`,
    /// `=` → `%3D` (the only characters of the base64 alphabet that need it).
    pub fn path_segment(&self) -> String {
        let mut out = String::with_capacity(self.id.len() + 6);
        for c in self.id.chars() {
            match c {
                '+' => out.push_str("%2B"),
                '/' => out.push_str("%2F"),
                '=' => out.push_str("%3D"),
                other => out.push(other),
            }
        }
        out
    }
}

/// Why `owner` cannot be an owner id, as the end of a sentence starting "owner ...".
fn check_owner(owner: &str) -> Result<(), String> {
    if owner.is_empty() {
        return Err("is empty".into());
    }
    if owner.contains('/') {
        return Err("contains '/'".into());
    }
    if owner.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("contains whitespace or control characters".into());
    }
    Ok(())
}

/// Why `path` cannot be a monitor path, as the end of a sentence starting "path ...".
fn check_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err("does not start with '/'".into());
    }
    if path.chars().any(char::is_control) {
        return Err("contains control characters".into());
    }
    Ok(())
}

string_identifier!(
    MonitorItemId,
    "a VT Monitor item id (base64 of vtmonitor-v1://owner/path)"
);
