//! What `vt --version` prints: the version, the git commit when built from a checkout, the
//! TLS back end and the enabled cargo features (recorded by `build.rs`).

use std::sync::OnceLock;

/// `0.1.0 (commit 1a2b3c4d5e6f; TLS: native-tls; features: emulator, native-tls)`; the
/// commit part is left out when the binary was not built from a git checkout.
pub fn long() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        describe(
            env!("CARGO_PKG_VERSION"),
            env!("VT_BUILD_COMMIT"),
            vt_api::transport::TLS_BACKEND,
            env!("VT_BUILD_FEATURES"),
        )
    })
}

fn describe(version: &str, commit: &str, tls: &str, features: &str) -> String {
    let mut parts = Vec::new();
    if !commit.is_empty() {
        parts.push(format!("commit {commit}"));
    }
    parts.push(format!("TLS: {tls}"));
    let features = if features.is_empty() {
        "none".to_owned()
    } else {
        features.replace(',', ", ")
    };
    parts.push(format!("features: {features}"));
    format!("{version} ({})", parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commit_is_shown_only_when_known() {
        assert_eq!(
            describe("1.2.3", "abc123", "rustls", "emulator,rustls"),
            "1.2.3 (commit abc123; TLS: rustls; features: emulator, rustls)"
        );
        assert_eq!(
            describe("1.2.3", "", "native-tls", ""),
            "1.2.3 (TLS: native-tls; features: none)"
        );
    }

    #[test]
    fn this_build_reports_its_tls_back_end_and_features() {
        let text = long();
        assert!(text.starts_with(env!("CARGO_PKG_VERSION")), "{text}");
        assert!(
            text.contains(&format!("TLS: {}", vt_api::transport::TLS_BACKEND)),
            "{text}"
        );
        assert_eq!(
            text.contains("emulator"),
            cfg!(feature = "emulator"),
            "{text}"
        );
    }
}
