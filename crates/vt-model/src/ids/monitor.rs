//! [`MonitorItemId`]: how a VT Monitor file or folder is named in `/monitor/items/{id}`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::error::{IdError, IdKind, check_no_blank};
use super::macros::string_identifier;

/// What every decoded monitor item id starts with.
const PREFIX: &str = "vtmonitor-v1://";

/// A VT Monitor item id, as VirusTotal hands it out.
///
/// Today's ids are standard, `=`-padded base64 of the UTF-8 text
/// `vtmonitor-v1://{owner}{path}`, where the owner is the user or group id that owns the
/// monitor collection and the path starts with `/` (and ends with `/` for a folder). Inputs are
/// open-world: [`MonitorItemId::parse`] accepts **any well-formed id**, that is base64 text
/// (standard or URL-safe alphabet, optional `=` padding), so an id in a form VirusTotal
/// introduces later is sent as given. Only ids of today's form are taken apart:
/// [`owner`](MonitorItemId::owner), [`path`](MonitorItemId::path) and
/// [`name`](MonitorItemId::name) are `None` for the others, and
/// [`is_known_form`](MonitorItemId::is_known_form) tells which is which (the `vt` command
/// line warns about the others at `-v`).
///
/// Where the owner ends is not documented; this crate takes the path to start at the first
/// `/` after `vtmonitor-v1://`, so an owner never contains `/`. Because the id can contain
/// `/`, `+` and `=`, use [`MonitorItemId::path_segment`] to put it in a URL path.
///
/// ```
/// use vt_model::MonitorItemId;
///
/// let id = MonitorItemId::new("acme", "/folder/file.exe")?;
/// assert_eq!(id.as_str(), "dnRtb25pdG9yLXYxOi8vYWNtZS9mb2xkZXIvZmlsZS5leGU=");
///
/// let id: MonitorItemId = "dnRtb25pdG9yLXYxOi8vYWNtZS9mb2xkZXIvZmlsZS5leGU=".parse()?;
/// assert_eq!((id.owner(), id.path()), (Some("acme"), Some("/folder/file.exe")));
/// assert!(!id.is_folder());
/// assert_eq!(id.path_segment(), "dnRtb25pdG9yLXYxOi8vYWNtZS9mb2xkZXIvZmlsZS5leGU%3D");
///
/// // Another well-formed id: accepted, not taken apart.
/// let other: MonitorItemId = "dnRtb25pdG9yLXYyOi8vYWNtZS94".parse()?;
/// assert!(!other.is_known_form());
/// assert_eq!(other.path(), None);
/// # Ok::<(), vt_model::IdError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MonitorItemId {
    id: String,
    /// Owner and path, for an id of today's `vtmonitor-v1://` form.
    known: Option<(String, String)>,
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
            known: Some((owner.to_owned(), path.to_owned())),
        })
    }

    /// Validates an id by its shape: base64 text (the standard or the URL-safe alphabet, then
    /// at most two `=` of padding, a padded id being a multiple of 4 long). What it decodes
    /// to is not checked (see the type's documentation).
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
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_')))
        {
            let hint = if s.starts_with('/') {
                "; this looks like a monitor path, not an item id (MonitorItemId::new takes an owner and a path)"
            } else {
                ""
            };
            return Err(err(format!(
                "character {c:?} at position {} is not in the base64 alphabet (A-Z, a-z, 0-9, '+', '/', '-', '_', '=' padding){hint}",
                pos + 1
            )));
        }
        let padding = s.len() - unpadded.len();
        if unpadded.is_empty() {
            return Err(err("only '=' padding".into()));
        }
        if padding > 2 || (padding > 0 && !s.len().is_multiple_of(4)) {
            return Err(err(format!(
                "base64 of length {} with {padding} '=': padded base64 is a multiple of 4 long",
                s.len()
            )));
        }
        Ok(MonitorItemId {
            id: s.to_owned(),
            known: decode_known_form(s),
        })
    }

    /// Whether the id is of today's form, `vtmonitor-v1://{owner}{path}`, so that
    /// [`owner`](Self::owner) and [`path`](Self::path) are known.
    pub fn is_known_form(&self) -> bool {
        self.known.is_some()
    }

    /// The user or group id owning the item (ids of today's form only).
    pub fn owner(&self) -> Option<&str> {
        self.known.as_ref().map(|(owner, _)| owner.as_str())
    }

    /// The item's path in the collection; starts with `/`, ends with `/` for a folder (ids
    /// of today's form only).
    pub fn path(&self) -> Option<&str> {
        self.known.as_ref().map(|(_, path)| path.as_str())
    }

    /// Whether the item is known to be a folder (an id of today's form whose path ends with
    /// `/`); `false` when the id cannot tell.
    pub fn is_folder(&self) -> bool {
        self.path().is_some_and(|p| p.ends_with('/'))
    }

    /// The last path component (the file name, or the folder name for a folder); `None` for
    /// the root folder `/` and for ids not of today's form.
    pub fn name(&self) -> Option<&str> {
        self.path()?
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

/// Owner and path of an id of today's form: canonical padded standard base64 of UTF-8 text
/// `vtmonitor-v1://{owner}{path}` with a valid owner and path.
fn decode_known_form(id: &str) -> Option<(String, String)> {
    let text = String::from_utf8(STANDARD.decode(id).ok()?).ok()?;
    let rest = text.strip_prefix(PREFIX)?;
    let (owner, path) = rest.split_at(rest.find('/')?);
    (check_owner(owner).is_ok() && check_path(path).is_ok())
        .then(|| (owner.to_owned(), path.to_owned()))
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

string_identifier!(MonitorItemId, "a VT Monitor item id (base64 text)");

/// A path in a VT Monitor collection: starts with `/`, ends with `/` for a folder, holds no
/// control characters (spaces and any other Unicode are fine: file names have them). The one
/// rule for Monitor paths, used by `vt-api` (uploads, folders, `path:` filters) and `vt`.
///
/// ```
/// use vt_model::MonitorPath;
///
/// let dir = MonitorPath::parse("/releases")?;
/// assert!(!dir.is_folder());
/// assert_eq!(dir.as_folder().as_str(), "/releases/");
/// assert_eq!(dir.as_folder().join("app v2.exe")?.as_str(), "/releases/app v2.exe");
/// assert!(MonitorPath::parse("releases/").is_err());
/// # Ok::<(), vt_model::IdError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MonitorPath(String);

impl MonitorPath {
    /// Validates a path (see the type's documentation).
    pub fn parse(s: &str) -> Result<MonitorPath, IdError> {
        check_path(s).map_err(|reason| IdError::new(IdKind::MonitorPath, s, reason))?;
        Ok(MonitorPath(s.to_owned()))
    }

    /// Whether the path names a folder (ends with `/`).
    pub fn is_folder(&self) -> bool {
        self.0.ends_with('/')
    }

    /// The path as a folder: itself when it ends with `/`, else with `/` appended.
    pub fn as_folder(&self) -> MonitorPath {
        if self.is_folder() {
            self.clone()
        } else {
            MonitorPath(format!("{}/", self.0))
        }
    }

    /// `name` (a relative path, `/`-separated) under this folder.
    pub fn join(&self, name: &str) -> Result<MonitorPath, IdError> {
        MonitorPath::parse(&format!(
            "{}{}",
            self.as_folder().0,
            name.trim_start_matches('/')
        ))
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_identifier!(MonitorPath, "a VT Monitor path (starting with /)");
