//! [`RetrohuntJobId`]: how a Retrohunt job is named in `/intelligence/retrohunt_jobs/{id}`.

use super::error::{IdError, IdKind, check_no_blank};
use super::macros::string_identifier;

/// A Retrohunt job id: `<username>-<unix seconds>` (the owner and the creation time), as
/// `POST /intelligence/retrohunt_jobs` returns it.
///
/// The username is open-world (VirusTotal documents no alphabet for it, and it may hold `-`
/// itself): any non-empty text without whitespace, control characters, `/`, `?` or `#`; the
/// part after the last `-` must be decimal digits. Kept as given.
///
/// ```
/// use vt_model::RetrohuntJobId;
///
/// let id: RetrohuntJobId = "alice-1700000000".parse()?;
/// assert_eq!(id.username(), "alice");
/// assert_eq!(id.timestamp(), Some(1_700_000_000));
/// let err = "1700000000".parse::<RetrohuntJobId>().unwrap_err();
/// assert!(err.to_string().contains("<username>-<unix seconds>"), "{err}");
/// # Ok::<(), vt_model::IdError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RetrohuntJobId(String);

impl RetrohuntJobId {
    /// Validates a Retrohunt job id (see the type's documentation).
    pub fn parse(s: &str) -> Result<RetrohuntJobId, IdError> {
        check_no_blank(IdKind::RetrohuntJobId, s)?;
        if let Some((pos, c)) = s
            .chars()
            .enumerate()
            .find(|(_, c)| matches!(c, '/' | '?' | '#'))
        {
            return Err(IdError::new(
                IdKind::RetrohuntJobId,
                s,
                format!(
                    "character {c:?} at position {} cannot be part of a Retrohunt job id",
                    pos + 1
                ),
            ));
        }
        let well_formed = s.rsplit_once('-').is_some_and(|(user, secs)| {
            !user.is_empty() && !secs.is_empty() && secs.bytes().all(|b| b.is_ascii_digit())
        });
        if !well_formed {
            return Err(IdError::new(
                IdKind::RetrohuntJobId,
                s,
                "expected <username>-<unix seconds>, e.g. alice-1700000000",
            ));
        }
        Ok(RetrohuntJobId(s.to_owned()))
    }

    /// The id as sent to the API.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The owner's username (the part before the last `-`).
    pub fn username(&self) -> &str {
        self.0.rsplit_once('-').map_or("", |(user, _)| user)
    }

    /// When the job was created (seconds since the Unix epoch), `None` if the digits overflow.
    pub fn timestamp(&self) -> Option<i64> {
        self.0.rsplit_once('-').and_then(|(_, s)| s.parse().ok())
    }
}

string_identifier!(RetrohuntJobId, "a Retrohunt job id");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_usernames_with_dashes_and_refuses_other_shapes() {
        let id = RetrohuntJobId::parse("jane-doe-1690000000").unwrap();
        assert_eq!(id.username(), "jane-doe");
        for bad in [
            "",
            "alice",
            "alice-",
            "-1700000000",
            "alice-17x",
            "al ice-1",
            "a/b-1",
            "alice-1\n",
        ] {
            assert!(RetrohuntJobId::parse(bad).is_err(), "{bad:?}");
        }
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<RetrohuntJobId>(&json).unwrap(), id);
    }
}
