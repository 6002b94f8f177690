//! A ruleset's text as given (bytes, possibly not UTF-8) and the checks made before compiling.

use crate::diagnostic::line_column;
use crate::error::RulesError;
use crate::target::RulesTarget;

/// The largest ruleset accepted, in bytes: 1 MiB.
///
/// VirusTotal does not document a size limit for Livehunt rulesets or Retrohunt rules; a
/// ruleset this large is far beyond any real one (Retrohunt also caps a job at 300 rules),
/// so a bigger input is almost surely the wrong file, and is refused before compiling.
pub const MAX_RULES_SIZE: usize = 1024 * 1024;

/// A ruleset's source text with an optional origin (usually the file name), which prefixes
/// every diagnostic as `origin:line:column`, and what it runs on ([`RulesTarget::File`]
/// unless [`RulesSource::with_target`] says otherwise).
#[derive(Debug, Clone, Copy)]
pub struct RulesSource<'a> {
    bytes: &'a [u8],
    origin: Option<&'a str>,
    target: RulesTarget,
}

impl<'a> RulesSource<'a> {
    /// The source `bytes`, as read from a file or received (not yet known to be UTF-8).
    pub fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            origin: None,
            target: RulesTarget::File,
        }
    }

    /// Compiles for `target`: a Livehunt ruleset's `match_object_type` or Retrohunt, which
    /// decides what of the `vt` module the rules may use (see [`RulesTarget`]).
    pub fn with_target(self, target: RulesTarget) -> Self {
        Self { target, ..self }
    }

    /// What the rules run on.
    pub fn target(&self) -> RulesTarget {
        self.target
    }

    /// Names where the source comes from (a path, `-` for stdin, ...), for diagnostics.
    pub fn with_origin(self, origin: &'a str) -> Self {
        Self {
            origin: Some(origin),
            ..self
        }
    }

    /// The origin given with [`RulesSource::with_origin`].
    pub fn origin(&self) -> Option<&'a str> {
        self.origin
    }

    /// The source bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The text, once it is known to be non-empty, within [`MAX_RULES_SIZE`] and UTF-8.
    pub(crate) fn checked_text(&self) -> Result<&'a str, RulesError> {
        let origin = self.origin.map(str::to_owned);
        if self.bytes.len() > MAX_RULES_SIZE {
            return Err(RulesError::TooLarge {
                origin,
                size: self.bytes.len(),
                limit: MAX_RULES_SIZE,
            });
        }
        let text = match std::str::from_utf8(self.bytes) {
            Ok(text) => text,
            Err(e) => {
                // The valid prefix is UTF-8, so line and column are counted in it.
                let valid = std::str::from_utf8(&self.bytes[..e.valid_up_to()]).unwrap_or("");
                let (line, column) = line_column(valid, valid.len());
                return Err(RulesError::NotUtf8 {
                    origin,
                    line,
                    column,
                });
            }
        };
        if text.trim().is_empty() {
            return Err(RulesError::Empty { origin });
        }
        Ok(text)
    }
}
