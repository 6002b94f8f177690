//! URL identifiers: the SHA-256 of a URL's canonical form.

use crate::digest::sha256_hex;

/// Minimal URL canonicalization (documented): a missing scheme becomes `http://`, the scheme
/// and host are lower-cased and an empty path becomes `/`.
pub(crate) fn canonical_url(raw: &str) -> String {
    let raw = raw.trim();
    let (scheme, rest) = match raw.find("://") {
        Some(i) => (raw[..i].to_ascii_lowercase(), &raw[i + 3..]),
        None => ("http".to_owned(), raw),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = rest[..end].to_ascii_lowercase();
    let tail = &rest[end..];
    let tail = if tail.starts_with('/') {
        tail.to_owned()
    } else {
        format!("/{tail}")
    };
    format!("{scheme}://{host}{tail}")
}

/// The id of a URL: SHA-256 of its canonical form.
pub(crate) fn url_id(raw: &str) -> String {
    sha256_hex(&canonical_url(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonicalization_adds_path_and_scheme() {
        assert_eq!(
            canonical_url("http://www.google.com"),
            "http://www.google.com/"
        );
        assert_eq!(
            url_id("http://www.google.com"),
            "dd014af5ed6b38d9130e3f466f850e46d21b951199d53a18ef29ee9341614eaf"
        );
        assert_eq!(canonical_url("Example.COM?q=1"), "http://example.com/?q=1");
    }
}
