//! [`FleetUrl`]: where the fleet's Redis is, checked before anything connects.

use std::fmt;
use std::str::FromStr;

/// A Redis address for a fleet: `redis://[[user]:password@]HOST[:PORT][/DB]` (port 6379 and
/// database 0 by default), or `rediss://...` for Redis over TLS (with the `native-tls`
/// feature; the server's certificate is checked against the system's roots). Checked by [`FromStr`] without any I/O; its [`Display`](std::fmt::Display) hides the
/// password.
///
/// ```
/// use vt_redis::FleetUrl;
/// let url: FleetUrl = "redis://:s3cret@10.0.0.5:6380/2".parse().unwrap();
/// assert_eq!(url.to_string(), "redis://:***@10.0.0.5:6380/2");
/// assert_eq!(url.db(), 2);
/// let err = "redis://10.0.0.5:6380/two".parse::<FleetUrl>().unwrap_err();
/// assert!(err.to_string().contains("`two` is not a database number"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct FleetUrl {
    url: url::Url,
    db: u32,
}

/// A fleet URL that could not be used; names the input (password hidden) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fleet URL `{input}`: {reason}")]
pub struct FleetUrlError {
    /// The text given, with any password replaced by `***`.
    pub input: String,
    /// What is wrong with it.
    pub reason: String,
}

impl FleetUrl {
    /// The host name or address.
    pub fn host(&self) -> &str {
        self.url.host_str().unwrap_or_default()
    }

    /// The port (6379 unless given).
    pub fn port(&self) -> u16 {
        self.url.port().unwrap_or(6379)
    }

    /// The database number (0 unless given).
    pub fn db(&self) -> u32 {
        self.db
    }

    /// The URL in full, password included, for the Redis client only.
    pub(crate) fn connection_url(&self) -> &str {
        self.url.as_str()
    }
}

impl FromStr for FleetUrl {
    type Err = FleetUrlError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let fail = |reason: String| FleetUrlError {
            input: redact(input),
            reason,
        };
        let url = url::Url::parse(input.trim()).map_err(|e| {
            fail(format!(
                "{e}; expected redis://HOST:PORT/DB, e.g. redis://127.0.0.1:6379/0"
            ))
        })?;
        match url.scheme() {
            "redis" => {}
            "rediss" if cfg!(feature = "native-tls") => {}
            "rediss" => {
                return Err(fail(
                    "TLS (rediss://) is not built into this vt-redis (its `native-tls` \
                     feature); reach Redis over a private network or a TLS tunnel with redis://"
                        .into(),
                ));
            }
            other => {
                return Err(fail(format!(
                    "the scheme is `{other}`, not `redis` (expected redis://HOST:PORT/DB)"
                )));
            }
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(fail("no host (expected redis://HOST:PORT/DB)".into()));
        }
        if url.port() == Some(0) {
            return Err(fail("port 0 cannot be connected to".into()));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(fail(
                "a query or fragment is not understood (expected redis://HOST:PORT/DB)".into(),
            ));
        }
        let path = url.path().trim_start_matches('/');
        let db = if path.is_empty() {
            0
        } else {
            path.parse::<u32>()
                .map_err(|_| fail(format!("`{path}` is not a database number (0, 1, ...)")))?
        };
        Ok(FleetUrl { url, db })
    }
}

impl fmt::Display for FleetUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(self.url.as_str()))
    }
}

impl fmt::Debug for FleetUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FleetUrl({self})")
    }
}

/// The text with the password of its user-info part (if any) replaced by `***`.
fn redact(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{tail}")
            } else {
                // `redis://password@host`: the redis crate reads a lone name as a user; hide it
                // anyway, it is often a password.
                format!("{scheme}://***@{host}{tail}")
            }
        }
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_urls_parse_with_defaults() {
        let u: FleetUrl = "redis://127.0.0.1".parse().unwrap();
        assert_eq!((u.host(), u.port(), u.db()), ("127.0.0.1", 6379, 0));
        let u: FleetUrl = "redis://cache.internal:6380/3".parse().unwrap();
        assert_eq!((u.host(), u.port(), u.db()), ("cache.internal", 6380, 3));
        let u: FleetUrl = "redis://user:pw@h:1/".parse().unwrap();
        assert_eq!(u.to_string(), "redis://user:***@h:1/");
        assert!(!format!("{u:?}").contains("pw"));
    }

    #[test]
    fn rediss_is_tls_when_built_with_it_and_refused_otherwise() {
        let parsed = "rediss://:pw@cache.internal:6380/1".parse::<FleetUrl>();
        if cfg!(feature = "native-tls") {
            let u = parsed.unwrap();
            assert_eq!((u.host(), u.port(), u.db()), ("cache.internal", 6380, 1));
            assert_eq!(u.to_string(), "rediss://:***@cache.internal:6380/1");
        } else {
            let err = parsed.unwrap_err().to_string();
            assert!(err.contains("TLS") && !err.contains(":pw@"), "{err}");
        }
    }

    #[test]
    fn bad_urls_name_the_input_and_the_problem_without_the_password() {
        for (input, needle) in [
            ("", "expected redis://"),
            ("127.0.0.1:6379", "expected redis://"),
            ("localhost:6379", "the scheme is `localhost`"),
            ("redis://", "no host"),
            ("http://127.0.0.1:6379/0", "the scheme is `http`"),
            ("redis://h:99999/0", "invalid port"),
            ("redis://h:6379/x", "`x` is not a database number"),
            ("redis://h:6379/0?timeout=1", "query"),
            ("redis://:pw@h:0/0", "port 0"),
        ] {
            let err = input.parse::<FleetUrl>().unwrap_err().to_string();
            assert!(err.contains(needle), "{input}: {err}");
            assert!(!err.contains(":pw@"), "{err}");
        }
    }
}
