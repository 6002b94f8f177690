//! One compiler message (error or warning) at a line and column.

use std::fmt;

/// Whether a [`Diagnostic`] stops the ruleset from compiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The ruleset does not compile.
    Error,
    /// The ruleset compiles, but something is likely wrong (a slow pattern, an expression
    /// that is always false, ...). VirusTotal's Livehunt refuses rules with performance
    /// warnings.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A compiler error or warning, at a 1-based line and column (counted in characters).
///
/// Displayed as `origin:line:column: severity[code]: message`, the way compilers do, so
/// editors can jump to it (without `origin:` when the source has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// yara-x's code: `E001`-style for errors, a name such as `slow_pattern` for warnings.
    pub code: String,
    /// The compiler's message: its title, then what it says at the location.
    pub message: String,
    /// Where the source comes from, as given in [`crate::RulesSource::with_origin`].
    pub origin: Option<String>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(origin) = &self.origin {
            write!(f, "{origin}:")?;
        }
        write!(
            f,
            "{}:{}: {}[{}]: {}",
            self.line,
            self.column,
            self.severity.as_str(),
            self.code,
            self.message
        )
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `text`; an offset past the
/// end or inside a character counts as the nearest character boundary before it.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// A diagnostic from yara-x's code, title and first label (`(span start, text)`, the span's
/// byte offset relative to `text`).
pub(crate) fn from_parts(
    severity: Severity,
    code: &str,
    title: &str,
    first_label: Option<(usize, &str)>,
    text: &str,
    origin: Option<&str>,
) -> Diagnostic {
    let (line, column) = first_label.map_or((1, 1), |(start, _)| line_column(text, start));
    let mut message = title.to_owned();
    if let Some((_, said)) = first_label {
        let said = said.trim();
        if !said.is_empty() && said != title {
            message.push_str(": ");
            message.push_str(said);
        }
    }
    Diagnostic {
        severity,
        code: code.to_owned(),
        message,
        origin: origin.map(str::to_owned),
        line,
        column,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters_from_one() {
        let text = "ab\nçd\nx";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(
            line_column(text, 5),
            (2, 2),
            "ç is one character of two bytes"
        );
        assert_eq!(
            line_column(text, 4),
            (2, 1),
            "inside ç: the boundary before"
        );
        assert_eq!(line_column(text, 99), (3, 2), "past the end: the end");
    }

    #[test]
    fn display_is_origin_line_column_severity_code_message() {
        let d = Diagnostic {
            severity: Severity::Warning,
            code: "slow_pattern".into(),
            message: "slow pattern".into(),
            origin: Some("r.yar".into()),
            line: 3,
            column: 7,
        };
        assert_eq!(
            d.to_string(),
            "r.yar:3:7: warning[slow_pattern]: slow pattern"
        );
        let d = Diagnostic { origin: None, ..d };
        assert_eq!(d.to_string(), "3:7: warning[slow_pattern]: slow pattern");
    }
}
