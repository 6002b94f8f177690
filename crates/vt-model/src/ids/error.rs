//! The one error type every identifier constructor returns.

use std::fmt;

/// Which kind of identifier failed to validate; names it in [`IdError`]'s message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum IdKind {
    /// An MD5 file hash ([`Md5`](crate::Md5)).
    Md5,
    /// A SHA-1 file hash ([`Sha1`](crate::Sha1)).
    Sha1,
    /// A SHA-256 file hash ([`Sha256`](crate::Sha256)).
    Sha256,
    /// Any of MD5, SHA-1, SHA-256 ([`FileHash`](crate::FileHash)).
    FileHash,
    /// A raw URL given to [`UrlId::from_url`](crate::UrlId::from_url).
    Url,
    /// A URL identifier ([`UrlId`](crate::UrlId)).
    UrlId,
    /// A domain name ([`DomainName`](crate::DomainName)).
    DomainName,
    /// An IP address ([`IpAddress`](crate::IpAddress)).
    IpAddress,
    /// A VT Monitor item id ([`MonitorItemId`](crate::MonitorItemId)).
    MonitorItemId,
    /// An analysis id ([`AnalysisId`](crate::AnalysisId)).
    AnalysisId,
    /// A path in a VT Monitor collection ([`MonitorPath`](crate::MonitorPath)).
    MonitorPath,
    /// A relationship name ([`RelationshipName`](crate::RelationshipName)).
    RelationshipName,
    /// A v2 file-report resource ([`V2Resource`](crate::V2Resource)).
    V2Resource,
    /// A feed package time ([`FeedMinute`](crate::FeedMinute)).
    FeedTime,
    /// A feed cursor ([`FeedCursor`](crate::FeedCursor)).
    FeedCursor,
    /// A feed type ([`FeedKind`](crate::FeedKind)).
    FeedKind,
    /// A sandbox report id ([`SandboxId`](crate::SandboxId)).
    SandboxId,
    /// A Retrohunt job id ([`RetrohuntJobId`](crate::RetrohuntJobId)).
    RetrohuntJobId,
    /// An indicator of compromise ([`Indicator`](crate::Indicator)): a file hash, URL,
    /// domain name or IP address.
    Indicator,
}

impl IdKind {
    /// The human name used in error messages, e.g. `"SHA-256"` or `"domain name"`.
    pub fn name(self) -> &'static str {
        match self {
            IdKind::Md5 => "MD5",
            IdKind::Sha1 => "SHA-1",
            IdKind::Sha256 => "SHA-256",
            IdKind::FileHash => "file hash",
            IdKind::Url => "URL",
            IdKind::UrlId => "URL id",
            IdKind::DomainName => "domain name",
            IdKind::IpAddress => "IP address",
            IdKind::MonitorItemId => "monitor item id",
            IdKind::AnalysisId => "analysis id",
            IdKind::MonitorPath => "monitor path",
            IdKind::RelationshipName => "relationship name",
            IdKind::V2Resource => "v2 resource",
            IdKind::FeedTime => "feed time",
            IdKind::FeedCursor => "feed cursor",
            IdKind::FeedKind => "feed type",
            IdKind::SandboxId => "sandbox report id",
            IdKind::RetrohuntJobId => "Retrohunt job id",
            IdKind::Indicator => "indicator",
        }
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An identifier that does not validate.
///
/// The message is one line naming the kind of identifier, the input (quoted, cut to
/// [`IdError::MAX_INPUT_CHARS`] characters, control characters escaped so the line stays one
/// line) and what is wrong with it:
///
/// ```
/// use vt_model::Sha256;
///
/// let err = "abc".parse::<Sha256>().unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     r#"invalid SHA-256 "abc": expected 64 hexadecimal characters, got 3"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} \"{input}\": {reason}")]
pub struct IdError {
    kind: IdKind,
    input: String,
    reason: String,
}

impl IdError {
    /// How many characters of the input the message quotes before cutting it with `…`.
    pub const MAX_INPUT_CHARS: usize = 80;

    /// An error about `input` (quoted in display form) for the given reason.
    pub fn new(kind: IdKind, input: &str, reason: impl Into<String>) -> Self {
        IdError {
            kind,
            input: display_input(input),
            reason: reason.into(),
        }
    }

    /// Which kind of identifier was being validated.
    pub fn kind(&self) -> IdKind {
        self.kind
    }

    /// The input as quoted in the message: cut to [`Self::MAX_INPUT_CHARS`] characters;
    /// control and invisible characters, `"` and `\` escaped.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What is wrong with the input.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// The input as it appears between quotes in a message.
pub(crate) fn display_input(input: &str) -> String {
    let mut out = String::new();
    for (count, c) in input.chars().enumerate() {
        if count == IdError::MAX_INPUT_CHARS {
            out.push('…');
            break;
        }
        // Every whitespace but the plain space is escaped too, so that line separators
        // (U+2028, U+2029, NEL) cannot break a one-line message (fuzzing finding F1).
        if c.is_control()
            || is_invisible(c)
            || (c.is_whitespace() && c != ' ')
            || c == '"'
            || c == '\\'
        {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Invisible formatting characters that sneak in through copy and paste (byte order mark,
/// zero-width space, soft hyphen, bidirectional controls). Zero-width (non-)joiners are left
/// alone: some internationalised domain names need them.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{200b}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}

/// Rejects empty input and whitespace, control or invisible characters anywhere, with a message saying
/// where they are. Shared by every identifier: none of them may contain either.
pub(crate) fn check_no_blank(kind: IdKind, input: &str) -> Result<(), IdError> {
    if input.is_empty() {
        return Err(IdError::new(kind, input, "empty"));
    }
    for (pos, c) in input.chars().enumerate() {
        if c.is_whitespace() || c.is_control() || is_invisible(c) {
            let what = if c.is_whitespace() {
                "whitespace"
            } else if c.is_control() {
                "control character"
            } else {
                "invisible formatting character"
            };
            let code = format!("U+{:04X}", u32::from(c));
            let reason = if pos == 0 {
                format!("starts with {what} ({code}); identifiers are not trimmed")
            } else if pos + 1 == input.chars().count() {
                format!("ends with {what} ({code}); identifiers are not trimmed")
            } else {
                format!("contains {what} ({code}) at character {}", pos + 1)
            };
            return Err(IdError::new(kind, input, reason));
        }
    }
    Ok(())
}
