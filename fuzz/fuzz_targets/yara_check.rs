//! vt-yara's local rule check (`vt yara check`, and every `vt hunting` upload) on arbitrary
//! bytes.
//!
//! Properties:
//!
//! - no panic on any input, and never [`RulesError::CompilerFailure`] (vt-yara turns a
//!   panic of yara-x into that error: here it is a finding);
//! - every diagnostic is at a line and column inside the input (1-based), and an error
//!   result carries at least one error;
//! - a ruleset that compiles has at least one rule and scanning its own source text works.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vt_yara::{RulesError, RulesSource, Severity, compile};

fuzz_target!(|data: &[u8]| {
    let lines = data.split(|&b| b == b'\n').count();
    let check = |d: &vt_yara::Diagnostic| {
        assert!(d.line >= 1 && d.line <= lines, "{d} outside {lines} lines");
        assert!(d.column >= 1, "{d}");
        assert!(d.to_string().starts_with("f.yar:"), "{d}");
    };
    match compile(RulesSource::new(data).with_origin("f.yar")) {
        Ok(rules) => {
            assert!(!rules.is_empty());
            rules.warnings().iter().for_each(check);
            rules.scan_bytes(data).expect("scanning the source itself");
        }
        Err(RulesError::CompilerFailure { .. }) => panic!("yara-x panicked on {data:?}"),
        Err(e @ RulesError::Compile { .. }) => {
            assert!(
                e.diagnostics().iter().any(|d| d.severity == Severity::Error),
                "{e}"
            );
            e.diagnostics().iter().for_each(check);
        }
        Err(_) => {}
    }
});
