//! [`SandboxId`]: the id of one sandbox report, `<sha256>_<sandbox name>`.

use super::error::{IdError, IdKind, display_input, is_invisible};
use super::hash::Sha256;
use super::macros::string_identifier;

/// The id of a sandbox behaviour report (`file_behaviour`): the analysed file's SHA-256, `_`,
/// and the sandbox's name, which may contain spaces (`…_VirusTotal Jujubox`).
///
/// The name is open-world (any sandbox VirusTotal adds later is accepted): it must be
/// non-empty, without `/`, control or invisible characters, and without whitespace at its
/// ends. The SHA-256 is lowercased.
///
/// ```
/// use vt_model::SandboxId;
/// let id: SandboxId =
///     "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855_Cuckoo Sandbox".parse()?;
/// assert_eq!(id.sandbox_name(), "Cuckoo Sandbox");
/// assert_eq!(id.sha256().as_str(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
/// assert!("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".parse::<SandboxId>().is_err());
/// # Ok::<(), vt_model::IdError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SandboxId {
    text: String,
}

impl SandboxId {
    /// Validates a sandbox report id (see the type's documentation).
    pub fn parse(s: &str) -> Result<SandboxId, IdError> {
        let err = |reason: &str| IdError::new(IdKind::SandboxId, s, reason);
        if s.is_empty() {
            return Err(err("empty"));
        }
        let Some((hash, name)) = s.split_once('_') else {
            return Err(err("expected <sha256>_<sandbox name>"));
        };
        let sha256 = Sha256::parse(hash).map_err(|e| {
            IdError::new(
                IdKind::SandboxId,
                s,
                format!(
                    "expected <sha256>_<sandbox name>; the part before `_` is not a SHA-256 ({})",
                    e.reason()
                ),
            )
        })?;
        Self::check_name(name).map_err(|reason| err(&reason))?;
        Ok(SandboxId {
            text: format!("{}_{name}", sha256.as_str()),
        })
    }

    /// The report id of the run of `sandbox_name` on the file `sha256`.
    pub fn new(sha256: &Sha256, sandbox_name: &str) -> Result<SandboxId, IdError> {
        Self::check_name(sandbox_name).map_err(|reason| {
            IdError::new(
                IdKind::SandboxId,
                &format!("{}_{sandbox_name}", sha256.as_str()),
                reason,
            )
        })?;
        Ok(SandboxId {
            text: format!("{}_{sandbox_name}", sha256.as_str()),
        })
    }

    fn check_name(name: &str) -> Result<(), String> {
        if name.is_empty() {
            return Err("the sandbox name after `_` is empty".into());
        }
        if name.starts_with(char::is_whitespace) || name.ends_with(char::is_whitespace) {
            return Err("the sandbox name starts or ends with whitespace".into());
        }
        if let Some(c) = name.chars().find(|&c| {
            c == '/' || c.is_control() || (c.is_whitespace() && c != ' ') || is_invisible(c)
        }) {
            return Err(format!(
                "the sandbox name contains {:?}",
                display_input(&c.to_string())
            ));
        }
        Ok(())
    }

    /// The analysed file's SHA-256.
    pub fn sha256(&self) -> Sha256 {
        // The first 64 characters were validated as a SHA-256 by every constructor.
        Sha256::parse(&self.text[..64]).unwrap_or_else(|_| Sha256::digest(b""))
    }

    /// The sandbox's name (`Cuckoo Sandbox`, `VirusTotal Jujubox`, ...).
    pub fn sandbox_name(&self) -> &str {
        &self.text[65..]
    }

    /// The id as sent to the API (percent-encoded in paths by `vt-api`).
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

string_identifier!(SandboxId, "a sandbox report id");

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn good_and_bad_sandbox_ids() {
        assert!(SandboxId::parse(&format!("{H}_Zenbox")).is_ok());
        assert!(SandboxId::parse(&format!("{H}_VirusTotal Jujubox")).is_ok());
        assert_eq!(
            SandboxId::parse(&format!("{H}_A_B"))
                .unwrap()
                .sandbox_name(),
            "A_B"
        );
        for bad in [
            String::new(),
            H.to_owned(),
            format!("{H}_"),
            format!("{H}_ Zenbox"),
            format!("{H}_Zen/box"),
            format!("{H}_Zen\tbox"),
            "abc_Zenbox".to_owned(),
            format!("{H}x_Zenbox"),
        ] {
            let err = SandboxId::parse(&bad).unwrap_err();
            assert_eq!(err.kind(), IdKind::SandboxId, "{bad:?}");
            assert!(
                err.to_string().starts_with("invalid sandbox report id"),
                "{err}"
            );
        }
        let h = Sha256::parse(H).unwrap();
        assert_eq!(
            SandboxId::new(&h, "Zenbox").unwrap().as_str(),
            format!("{H}_Zenbox")
        );
        assert!(SandboxId::new(&h, "").is_err());
    }
}
