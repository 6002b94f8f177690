//! A batch's inputs: from the arguments or stdin (`-`), de-duplicated in order, and all
//! validated before anything is sent.

use std::collections::HashSet;
use std::io::{self, BufRead, Write};

use crate::exit::{CliError, CliResult};

/// Reads the inputs: the arguments, with `-` replaced by stdin's lines; trimmed, blank lines
/// dropped, de-duplicated keeping the first occurrence.
pub fn collect_inputs(args: &[String]) -> CliResult<Vec<String>> {
    let mut raw = Vec::new();
    let mut stdin_read = false;
    for arg in args {
        if arg == "-" {
            if stdin_read {
                continue;
            }
            stdin_read = true;
            for line in io::stdin().lock().lines() {
                let line = line.map_err(|e| CliError::usage(format!("reading stdin: {e}")))?;
                raw.push(line);
            }
        } else {
            raw.push(arg.clone());
        }
    }
    let inputs = dedupe(raw);
    if inputs.is_empty() {
        return Err(CliError::usage(
            "no input given (arguments or `-` with one item per line on stdin)",
        ));
    }
    Ok(inputs)
}

/// Trims, drops blanks and duplicates, keeps order.
pub fn dedupe(raw: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    raw.into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty() && seen.insert(s.clone()))
        .collect()
}

/// Validates every input before anything is sent; reports every bad one (one line each, the
/// check's message names the input) and fails with exit 2 when there is any.
pub fn validate_all<T>(
    _what: &str,
    inputs: Vec<String>,
    mut check: impl FnMut(&str) -> Result<T, String>,
) -> CliResult<Vec<(String, T)>> {
    let mut good = Vec::with_capacity(inputs.len());
    let mut bad = Vec::new();
    for input in inputs {
        match check(&input) {
            Ok(t) => good.push((input, t)),
            Err(why) => bad.push(why),
        }
    }
    match bad.len() {
        0 => Ok(good),
        1 => Err(CliError::usage(bad.remove(0)).with_detail("nothing was sent")),
        n => {
            let mut stderr = io::stderr();
            for line in &bad[1..] {
                let _ = writeln!(stderr, "vt: {line}");
            }
            Err(CliError::usage(format!(
                "{} (and {} more invalid inputs; nothing was sent)",
                bad[0],
                n - 1
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Exit;

    #[test]
    fn dedupe_trims_and_keeps_first_occurrences() {
        let raw = ["a", " b ", "", "a", "c\r", "b"].map(String::from).to_vec();
        assert_eq!(dedupe(raw), vec!["a", "b", "c"]);
    }

    #[test]
    fn validation_names_the_bad_input_and_keeps_the_good_ones() {
        let check = |s: &str| {
            if s.len() == 3 {
                Ok(s.len())
            } else {
                Err(format!("thing {s:?}: not 3 long"))
            }
        };
        let ok = validate_all("thing", vec!["abc".into(), "def".into()], check).unwrap();
        assert_eq!(ok, vec![("abc".into(), 3), ("def".into(), 3)]);
        let err = validate_all("thing", vec!["abc".into(), "toolong".into()], check).unwrap_err();
        assert_eq!(err.exit, Exit::Usage);
        assert!(
            err.message.contains("thing \"toolong\": not 3 long"),
            "{}",
            err.message
        );
    }
}
