//! vt-api's `MonitorFilter` parser (`vt monitor items --filter`) on arbitrary text.
//!
//! Properties:
//!
//! - no panic on any input;
//! - a filter that parses prints (`Display`) to text without surrounding whitespace that
//!   parses back to an equal filter, and printing that again gives the same text;
//! - a parsed `path:` filter starts with `/`, a parsed `tag:` filter has at least one tag and
//!   every tag is one word without `:`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vt_api::monitor::MonitorFilter;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(filter) = text.parse::<MonitorFilter>() else {
        return;
    };
    let printed = filter.to_string();
    assert_eq!(printed.trim(), printed, "{text:?} printed with surrounding space");
    let again: MonitorFilter = printed
        .parse()
        .unwrap_or_else(|e| panic!("{text:?} parsed, but its print {printed:?} does not: {e}"));
    assert_eq!(again, filter, "{text:?} → {printed:?} parses to another filter");
    assert_eq!(again.to_string(), printed);
    match &filter {
        MonitorFilter::Path(p) => assert!(p.starts_with('/'), "{text:?}: path {p:?}"),
        MonitorFilter::Tags(tags) => {
            assert!(!tags.is_empty(), "{text:?}: no tags");
            for t in tags {
                let t = t.as_str();
                assert!(
                    !t.is_empty() && !t.contains(|c: char| c.is_whitespace() || c == ':'),
                    "{text:?}: tag {t:?}"
                );
            }
        }
        MonitorFilter::Item(_) => {}
        other => panic!("{text:?} parsed to {other:?}"),
    }
});
