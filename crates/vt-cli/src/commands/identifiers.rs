//! What a command checks before any request: local files, `vt file` inputs (a hash or a
//! path), URLs and URL ids, identifiers of the four object kinds. Each error names the input.

use std::path::{Path, PathBuf};

use vt_model::{DomainName, FileHash, IpAddress, UrlId};

use crate::cli::ObjectKind;

/// Checks a local path by the library's rule ([`vt_api::check_local_file`], or
/// [`vt_api::check_upload_file`] with `upload`): a readable regular file, within the upload
/// limit. The error names the path.
pub fn check_file(path: &str, upload: bool) -> Result<PathBuf, String> {
    let p = PathBuf::from(path);
    let checked = if upload {
        vt_api::check_upload_file(&p)
    } else {
        vt_api::check_local_file(&p)
    };
    checked.map(|_| p).map_err(|e| crate::exit::error_chain(&e))
}

/// A `vt file` input: a hash, or a local file to hash first.
#[derive(Debug, Clone)]
pub enum FileInput {
    /// An MD5, SHA-1 or SHA-256.
    Hash(FileHash),
    /// A local file.
    Path(PathBuf),
}

/// A hash, or else an existing file; the error names the input.
pub fn parse_file_input(input: &str) -> Result<FileInput, String> {
    match input.parse::<FileHash>() {
        Ok(h) => Ok(FileInput::Hash(h)),
        Err(hash_err) => {
            // A hash is hex only: anything with a path separator, a dot or a `~` is judged
            // as the path it looks like.
            if Path::new(input).exists() || input.contains(['/', '\\', '.', '~']) {
                check_file(input, false).map(FileInput::Path)
            } else {
                Err(format!("{hash_err}, and there is no file of that name"))
            }
        }
    }
}

/// Checks a URL by the library's rule ([`vt_model::check_url`]); the error names it.
pub fn check_url(input: &str) -> Result<(), String> {
    vt_model::check_url(input).map_err(|e| e.to_string())
}

/// A `vt url` input: a URL (sent as its base64url id) or a URL identifier.
pub fn parse_url_or_id(input: &str) -> Result<UrlId, String> {
    if input.contains("://") {
        check_url(input)?;
        return UrlId::from_url(input).map_err(|e| e.to_string());
    }
    if let Ok(id) = UrlId::parse(input)
        && (id.is_sha256() || id.decoded_url().is_some_and(|u| check_url(&u).is_ok()))
    {
        return Ok(id);
    }
    match check_url(input) {
        Ok(()) => UrlId::from_url(input).map_err(|e| e.to_string()),
        Err(_) => Err(format!(
            "invalid URL or URL id {input:?}: expected a URL, a 64-hex SHA-256 id or the base64url of a URL"
        )),
    }
}

/// A validated identifier of one of the four kinds.
#[derive(Debug, Clone)]
pub enum ObjectRef {
    /// A file.
    File(FileHash),
    /// A URL.
    Url(UrlId),
    /// A domain.
    Domain(DomainName),
    /// An IP address.
    Ip(IpAddress),
}

impl ObjectRef {
    /// Parses `input` as an identifier of `kind`; the error names the input.
    pub fn parse(kind: ObjectKind, input: &str) -> Result<ObjectRef, String> {
        let e = |e: vt_model::IdError| e.to_string();
        Ok(match kind {
            ObjectKind::File => ObjectRef::File(input.parse().map_err(e)?),
            ObjectKind::Url => ObjectRef::Url(parse_url_or_id(input)?),
            ObjectKind::Domain => ObjectRef::Domain(input.parse().map_err(e)?),
            ObjectKind::Ip => ObjectRef::Ip(input.parse().map_err(e)?),
        })
    }
}
