//! [`UrlId`]: how a URL is named in `/urls/{id}`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::domain::DomainName;
use super::error::{IdError, IdKind, check_no_blank};
use super::hash::Sha256;
use super::ip::IpAddress;
use super::macros::string_identifier;

/// Which of its two forms a [`UrlId`] is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Form {
    Sha256,
    Base64,
}

/// A URL identifier, in either of the two forms VirusTotal accepts wherever a URL id goes:
///
/// - the **SHA-256** (64 hexadecimal characters, stored lowercase) of the canonicalised URL:
///   the id VirusTotal itself returns;
/// - the **unpadded base64url** (RFC 4648 §5 alphabet, `-` and `_`) of the raw URL string,
///   exactly what vt-py (`urlsafe_b64encode(url).strip("=")`) and vt-go (`RawURLEncoding`)
///   send. VirusTotal canonicalises it server side; its canonicalisation algorithm is not
///   published, so this crate never tries to compute a URL's SHA-256 id itself.
///
/// [`UrlId::parse`] tells the forms apart the way VirusTotal presumably does: 64 hexadecimal
/// characters are a SHA-256, anything else must be base64url. Trailing `=` padding (at most
/// two) is tolerated and removed, since the API wants the unpadded form; `+` and `/` (standard
/// base64) are rejected with a hint. A base64url id must decode to non-empty UTF-8 text.
///
/// ```
/// use vt_model::UrlId;
///
/// let id = UrlId::from_url("http://www.somedomain.com/this/is/my/url")?;
/// assert_eq!(id.as_str(), "aHR0cDovL3d3dy5zb21lZG9tYWluLmNvbS90aGlzL2lzL215L3VybA");
/// assert_eq!(id.decoded_url().as_deref(), Some("http://www.somedomain.com/this/is/my/url"));
///
/// let id: UrlId = "DD014AF5ED6B38D9130E3F466F850E46D21B951199D53A18EF29EE9341614EAF".parse()?;
/// assert!(id.is_sha256());
/// assert_eq!(id.as_str(), "dd014af5ed6b38d9130e3f466f850e46d21b951199d53a18ef29ee9341614eaf");
/// # Ok::<(), vt_model::IdError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UrlId {
    id: String,
    form: Form,
}

impl UrlId {
    /// The base64url id of a raw URL: unpadded base64url of its UTF-8 bytes, no
    /// canonicalisation (VirusTotal does that). The URL must be non-empty and free of
    /// whitespace and control characters (percent-encode them); it needs no scheme.
    ///
    /// A 48-byte URL whose base64url happens to be 64 hexadecimal characters (e.g.
    /// `"kat"` × 16) is refused: VirusTotal would read such an id as a SHA-256 and look up
    /// another URL. No URL with a scheme can hit this (`http` encodes to `aHR0`, and `H` is
    /// not a hex digit), so in practice it only concerns scheme-less oddities.
    pub fn from_url(url: &str) -> Result<UrlId, IdError> {
        check_no_blank(IdKind::Url, url)?;
        let id = URL_SAFE_NO_PAD.encode(url.as_bytes());
        if id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(IdError::new(
                IdKind::Url,
                url,
                "its base64url id would read as a SHA-256 URL id; add the scheme (`http://...`)",
            ));
        }
        Ok(UrlId {
            id,
            form: Form::Base64,
        })
    }

    /// Validates a URL id in either form (see the type's documentation).
    pub fn parse(s: &str) -> Result<UrlId, IdError> {
        check_no_blank(IdKind::UrlId, s)?;
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(UrlId {
                id: s.to_ascii_lowercase(),
                form: Form::Sha256,
            });
        }
        let unpadded = s.trim_end_matches('=');
        if s.len() - unpadded.len() > 2 {
            return Err(IdError::new(
                IdKind::UrlId,
                s,
                "too much '=' padding (base64url ids take none)",
            ));
        }
        if let Some((pos, c)) = unpadded
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            let hint = match c {
                '+' | '/' => {
                    "; this looks like standard base64, URL ids use '-' and '_' instead of '+' and '/'"
                }
                ':' | '.' => "; this looks like a URL, make an id of it with UrlId::from_url",
                _ => "",
            };
            return Err(IdError::new(
                IdKind::UrlId,
                s,
                format!(
                    "character {c:?} at position {} is not in the base64url alphabet (A-Z, a-z, 0-9, '-', '_'){hint}",
                    pos + 1
                ),
            ));
        }
        let bytes = URL_SAFE_NO_PAD.decode(unpadded).map_err(|e| {
            let reason = match e {
                base64::DecodeError::InvalidLength(_) => {
                    "not a SHA-256 (64 hexadecimal characters) and not valid base64url: impossible length".to_string()
                }
                base64::DecodeError::InvalidLastSymbol { .. } => {
                    "not a SHA-256 (64 hexadecimal characters) and not canonical base64url: its last character has stray bits".to_string()
                }
                other => format!("not valid base64url: {other}"),
            };
            IdError::new(IdKind::UrlId, s, reason)
        })?;
        if bytes.is_empty() {
            return Err(IdError::new(IdKind::UrlId, s, "decodes to an empty URL"));
        }
        if std::str::from_utf8(&bytes).is_err() {
            return Err(IdError::new(
                IdKind::UrlId,
                s,
                "not a SHA-256 (64 hexadecimal characters), and its base64url decoding is not UTF-8 text",
            ));
        }
        Ok(UrlId {
            id: unpadded.to_owned(),
            form: Form::Base64,
        })
    }

    /// Whether this is the SHA-256 form (the form VirusTotal returns).
    pub fn is_sha256(&self) -> bool {
        self.form == Form::Sha256
    }

    /// Whether this is the base64url-of-the-URL form.
    pub fn is_base64(&self) -> bool {
        self.form == Form::Base64
    }

    /// The SHA-256, for an id in that form.
    pub fn as_sha256(&self) -> Option<Sha256> {
        match self.form {
            Form::Sha256 => Sha256::parse(&self.id).ok(),
            Form::Base64 => None,
        }
    }

    /// The URL a base64url id encodes; `None` for a SHA-256 id (a hash does not give the URL
    /// back).
    pub fn decoded_url(&self) -> Option<String> {
        match self.form {
            Form::Sha256 => None,
            Form::Base64 => URL_SAFE_NO_PAD
                .decode(&self.id)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok()),
        }
    }

    /// The id as sent to the API.
    pub fn as_str(&self) -> &str {
        &self.id
    }
}

impl From<Sha256> for UrlId {
    fn from(sha256: Sha256) -> UrlId {
        UrlId {
            id: sha256.as_str().to_owned(),
            form: Form::Sha256,
        }
    }
}

/// Checks that `input` looks like a URL: `scheme://host...`, or a bare `host/...` whose host
/// is a domain name or an IP address (VirusTotal adds `http://`). No whitespace or control
/// characters (percent-encode them). The one URL rule of the workspace: `vt-api` applies it
/// before submitting or looking up a URL, and `vt` before any request.
///
/// ```
/// use vt_model::check_url;
/// assert!(check_url("https://example.com/a?b#c").is_ok());
/// assert!(check_url("example.com/path").is_ok());
/// assert!(check_url("http://").is_err());
/// assert!(check_url("not a url").is_err());
/// ```
pub fn check_url(input: &str) -> Result<(), IdError> {
    let bad = |why: &str| Err(IdError::new(IdKind::Url, input, why));
    if input.is_empty() {
        return bad("empty");
    }
    if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("contains whitespace or control characters (percent-encode them)");
    }
    let rest = match input.split_once("://") {
        Some((scheme, rest)) => {
            let ok = scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
            if !ok {
                return bad("malformed scheme");
            }
            rest
        }
        None => input,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.rsplit_once(':').map_or(host_port, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                host_port
            }
        })
    };
    if host.is_empty() {
        return bad("no host");
    }
    if input.contains("://") {
        return Ok(());
    }
    if host.parse::<IpAddress>().is_ok()
        || (host.contains('.') && host.parse::<DomainName>().is_ok())
    {
        Ok(())
    } else {
        bad("no scheme and the host is not a domain name or IP address")
    }
}

string_identifier!(
    UrlId,
    "a URL id (64 hexadecimal characters or unpadded base64url of a URL)"
);
