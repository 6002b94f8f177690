//! Redaction of API keys from URLs before they are logged or put in errors.

use std::borrow::Cow;

/// Query parameters whose values are secrets.
const SECRET_PARAMS: &[&str] = &["apikey", "x-apikey", "key"];

/// Returns `url` with the value of every `apikey` (and `x-apikey`, `key`) query parameter
/// replaced by `REDACTED`, and any `user:password@` userinfo removed. Everything else is
/// kept as it is.
///
/// ```
/// use vt_transport::redact_url;
/// assert_eq!(
///     redact_url("https://www.virustotal.com/vtapi/v2/file/report?apikey=s3cr3t&resource=abc"),
///     "https://www.virustotal.com/vtapi/v2/file/report?apikey=REDACTED&resource=abc",
/// );
/// assert_eq!(redact_url("http://u:p@proxy:3128/"), "http://REDACTED@proxy:3128/");
/// assert_eq!(redact_url("/api/v3/files/abc"), "/api/v3/files/abc");
/// ```
pub fn redact_url(url: &str) -> Cow<'_, str> {
    let url = redact_userinfo(url);
    let Some(q) = url.find('?') else {
        return url;
    };
    let (head, query) = url.split_at(q + 1);
    let (query, fragment) = match query.find('#') {
        Some(i) => query.split_at(i),
        None => (query, ""),
    };
    let mut changed = false;
    let parts: Vec<Cow<'_, str>> = query
        .split('&')
        .map(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            if SECRET_PARAMS.iter().any(|s| name.eq_ignore_ascii_case(s)) {
                changed = true;
                Cow::Owned(format!("{name}=REDACTED"))
            } else {
                Cow::Borrowed(pair)
            }
        })
        .collect();
    if !changed {
        return url;
    }
    Cow::Owned(format!("{head}{}{fragment}", parts.join("&")))
}

fn redact_userinfo(url: &str) -> Cow<'_, str> {
    let Some(scheme_end) = url.find("://") else {
        return Cow::Borrowed(url);
    };
    let rest = &url[scheme_end + 3..];
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..auth_end].rfind('@') {
        Some(at) => Cow::Owned(format!("{}REDACTED{}", &url[..scheme_end + 3], &rest[at..])),
        None => Cow::Borrowed(url),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_secret_parameter_is_redacted_and_others_kept() {
        assert_eq!(
            redact_url("http://h/p?resource=a&APIKEY=k1&x=1&apikey=k2#frag"),
            "http://h/p?resource=a&APIKEY=REDACTED&x=1&apikey=REDACTED#frag"
        );
        assert!(matches!(redact_url("http://h/p?a=1"), Cow::Borrowed(_)));
        assert_eq!(
            redact_url("http://h/p?apikey"),
            "http://h/p?apikey=REDACTED"
        );
    }
}
