//! Compiling a ruleset: input checks, then yara-x, with every error and warning kept.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::diagnostic::{Diagnostic, Severity, from_parts};
use crate::error::RulesError;
use crate::ruleset::Ruleset;
use crate::source::RulesSource;
use crate::target::RulesTarget;

/// Compiles `source` into a [`Ruleset`].
///
/// The input checks of [`RulesSource`] come first (empty, not UTF-8, over
/// [`crate::MAX_RULES_SIZE`]), then yara-x compiles it for the source's [`RulesTarget`]
/// with `include` disabled (VirusTotal's service has none). Every compiler error and warning is collected: errors make a
/// [`RulesError::Compile`] (with the warnings after them), warnings alone are kept in
/// [`Ruleset::warnings`]. A source that defines no rule is [`RulesError::NoRules`].
///
/// Compiling takes milliseconds per hundred rules; thousands compile well within a second
/// in a release build (see docs/benchmarks.md).
pub fn compile(source: RulesSource<'_>) -> Result<Ruleset, RulesError> {
    let text = source.checked_text()?;
    let origin = source.origin();
    // yara-x reports problems as errors; a panic would be a bug of the engine, and must not
    // take the caller (a server, a batch) down with it.
    let target = source.target();
    catch_unwind(AssertUnwindSafe(|| compile_text(text, origin, target))).unwrap_or_else(|_| {
        Err(RulesError::CompilerFailure {
            origin: origin.map(str::to_owned),
        })
    })
}

/// Compiles `source` for the first of `targets` it compiles for (the source's own target is
/// ignored): for rules whose target is not known, such as new rules for a ruleset whose
/// `match_object_type` the caller does not have. When it compiles for none, the error is
/// the first target's. Empty `targets` means the source's own target.
pub fn compile_for_any(
    source: RulesSource<'_>,
    targets: &[RulesTarget],
) -> Result<Ruleset, RulesError> {
    let Some((first, others)) = targets.split_first() else {
        return compile(source);
    };
    let first_err = match compile(source.with_target(*first)) {
        Ok(rules) => return Ok(rules),
        Err(e) => e,
    };
    // Only a rule the target does not allow can compile for another one.
    if !matches!(first_err, RulesError::Compile { .. }) {
        return Err(first_err);
    }
    others
        .iter()
        .find_map(|t| compile(source.with_target(*t)).ok())
        .ok_or(first_err)
}

fn compile_text(
    text: &str,
    origin: Option<&str>,
    target: RulesTarget,
) -> Result<Ruleset, RulesError> {
    let mut compiler = yara_x::Compiler::new();
    compiler.enable_includes(false);
    // The `vt` module's fields say which targets may read them (its protobuf's access
    // rules): VirusTotal compiles with the features of the ruleset's target, so do we.
    // (`enable_feature` is yara-x's documented-as-unstable hook for exactly this.)
    for feature in target.features() {
        compiler.enable_feature(*feature);
    }
    let mut src = yara_x::SourceCode::from(text);
    if let Some(origin) = origin {
        src = src.with_origin(origin);
    }
    // The first error is returned here, but all of them accumulate in `errors()`.
    let _first = compiler.add_source(src);
    let warnings: Vec<Diagnostic> = compiler
        .warnings()
        .iter()
        .map(|w| {
            let first = w.labels().next();
            from_parts(
                Severity::Warning,
                w.code(),
                w.title(),
                first.as_ref().map(|l| (l.span().start(), l.text())),
                text,
                origin,
            )
        })
        .collect();
    let mut diagnostics: Vec<Diagnostic> = compiler
        .errors()
        .iter()
        .map(|e| {
            let first = e.labels().next();
            from_parts(
                Severity::Error,
                e.code(),
                e.title(),
                first.as_ref().map(|l| (l.span().start(), l.text())),
                text,
                origin,
            )
        })
        .collect();
    if !diagnostics.is_empty() {
        diagnostics.extend(warnings);
        return Err(RulesError::Compile { diagnostics });
    }
    let rules = compiler.build();
    if rules.iter().len() == 0 {
        return Err(RulesError::NoRules {
            origin: origin.map(str::to_owned),
        });
    }
    Ok(Ruleset::new(rules, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> RulesSource<'_> {
        RulesSource::new(text.as_bytes()).with_origin("r.yar")
    }

    #[test]
    fn a_syntax_error_is_located_and_keeps_the_compiler_message() {
        let err = compile(src(
            "rule ok { condition: true }\nrule bad {\n  condition:\n}\n",
        ))
        .unwrap_err();
        let d = &err.diagnostics()[0];
        assert_eq!(d.severity, Severity::Error);
        assert_eq!((d.origin.as_deref(), d.line), (Some("r.yar"), 4), "{d}");
        assert!(d.message.contains("syntax error"), "{d}");
        assert!(
            err.to_string().starts_with("r.yar:4:1: error[E001]: "),
            "{err}"
        );
    }

    #[test]
    fn every_error_is_reported_not_only_the_first() {
        let err = compile(src("rule a { condition: x }\nrule b { condition: y }\n")).unwrap_err();
        let lines: Vec<usize> = err.diagnostics().iter().map(|d| d.line).collect();
        assert_eq!(lines, [1, 2], "{err}");
        assert!(err.to_string().ends_with("(and 1 more errors)"), "{err}");
    }

    #[test]
    fn warnings_do_not_fail_and_are_located() {
        // `$a` is a slow pattern (a single byte): yara-x warns.
        let rules = compile(src(
            "rule w {\n  strings:\n    $a = { 01 }\n  condition:\n    $a\n}\n",
        ))
        .unwrap();
        let w = &rules.warnings()[0];
        assert_eq!((w.severity, w.line), (Severity::Warning, 3), "{w}");
        assert_eq!(w.code, "slow_pattern");
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        assert!(matches!(
            compile(src(" \n\t")),
            Err(RulesError::Empty { .. })
        ));
        assert!(matches!(
            compile(src("// only a comment\nimport \"pe\"\n")),
            Err(RulesError::NoRules { .. })
        ));
        let err = compile(RulesSource::new(b"rule a {\n condition: \xff }").with_origin("x.yar"))
            .unwrap_err();
        assert!(
            matches!(
                err,
                RulesError::NotUtf8 {
                    line: 2,
                    column: 13,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.to_string(), "x.yar:2:13: the ruleset is not UTF-8 text");
        let big = vec![b' '; crate::MAX_RULES_SIZE + 1];
        assert!(matches!(
            compile(RulesSource::new(&big)),
            Err(RulesError::TooLarge { size, .. }) if size == crate::MAX_RULES_SIZE + 1
        ));
    }

    #[test]
    fn thousands_of_rules_compile() {
        let text: String = (0..3000)
            .map(|i| {
                format!(
                    "rule r{i} : t{} {{ strings: $a = \"needle-{i}-x\" condition: $a }}\n",
                    i % 7
                )
            })
            .collect();
        let rules = compile(src(&text)).unwrap();
        assert_eq!(rules.len(), 3000);
        let hits = rules.scan_bytes(b"..needle-1234-x..").unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(
            (hits[0].rule.as_str(), hits[0].tags.as_slice()),
            ("r1234", &["t2".to_owned()][..])
        );
    }

    #[test]
    fn includes_are_refused() {
        let err = compile(src("include \"other.yar\"\nrule a { condition: true }")).unwrap_err();
        assert_eq!(err.diagnostics()[0].line, 1, "{err}");
    }

    #[test]
    fn a_rule_for_another_target_compiles_for_any_that_allows_it() {
        let url = "import \"vt\"\nrule u { condition: vt.net.url.raw contains \"x\" }";
        assert!(compile(src(url)).is_err());
        let any = compile_for_any(src(url), &RulesTarget::LIVEHUNT).unwrap();
        assert_eq!(any.rule_names(), ["u"]);
        // None allows it: the first target's error.
        let err =
            compile_for_any(src("rule b { condition: nope }"), &RulesTarget::LIVEHUNT).unwrap_err();
        assert!(err.to_string().starts_with("r.yar:1:"), "{err}");
        assert!(compile_for_any(src(url), &[]).is_err());
    }

    #[test]
    fn the_modules_hunters_use_are_available() {
        for module in [
            "pe", "elf", "math", "hash", "dotnet", "macho", "vt", "time", "string",
        ] {
            let text = format!("import \"{module}\"\nrule r {{ condition: true }}");
            assert!(compile(src(&text)).is_ok(), "import {module}");
        }
    }
}
