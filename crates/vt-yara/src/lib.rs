//! Local YARA rules for VirusTotal hunting: check a Livehunt or Retrohunt ruleset before it
//! costs a request, and run it over local files, with VirusTotal's own engine
//! ([`yara-x`](https://docs.rs/yara-x)).
//!
//! | to ... | use |
//! |---|---|
//! | compile a ruleset, with errors and warnings at line and column | [`compile`] with a [`RulesSource`] |
//! | list what it defines | [`Ruleset::rule_names`] |
//! | scan bytes | [`Ruleset::scan_bytes`] → [`RuleMatch`]es |
//! | scan a file or a directory tree | [`Ruleset::scan_file`], [`Ruleset::scan_path`] → [`FileMatches`] |
//! | compile for a url, domain or ip_address ruleset, or Retrohunt | [`RulesSource::with_target`] with a [`RulesTarget`] |
//! | run url, domain or ip_address rules | [`Ruleset::scan_network_object`] with a [`NetworkObject`] |
//!
//! Input is checked the way the API would refuse it, before the compiler runs: an empty
//! ruleset, one that is not UTF-8 and one over [`MAX_RULES_SIZE`] are typed
//! [`RulesError`]s. `include` is refused (the service has none). Warnings never fail a
//! compilation; they are kept in [`Ruleset::warnings`].
//!
//! ```
//! use vt_yara::{RulesSource, compile};
//!
//! let rules = compile(
//!     RulesSource::new(br#"rule eicar { strings: $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE" condition: $a }"#)
//!         .with_origin("eicar.yar"),
//! )?;
//! let hits = rules.scan_bytes(br"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")?;
//! assert_eq!(hits[0].rule, "eicar");
//!
//! let err = compile(RulesSource::new(b"rule broken { condition: }").with_origin("broken.yar"))
//!     .unwrap_err();
//! assert!(err.to_string().starts_with("broken.yar:1:"), "{err}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod compile;
mod diagnostic;
mod error;
mod netloc;
mod ruleset;
mod scan;
mod source;
mod target;
mod walk;

pub use compile::{compile, compile_for_any};
pub use diagnostic::{Diagnostic, Severity};
pub use error::{RulesError, ScanError};
pub use netloc::NetworkObject;
pub use ruleset::{DEFAULT_SCAN_TIMEOUT, Ruleset};
pub use scan::{FileMatches, MAX_PATTERN_MATCHES, PatternMatch, RuleMatch};
pub use source::{MAX_RULES_SIZE, RulesSource};
pub use target::{RulesTarget, UnknownTarget};
pub use walk::PathScan;
