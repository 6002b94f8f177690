//! [`AuthLayer`]: the API key on every request, never anywhere else.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{HeaderName, HeaderValue};
use http::{Request, Uri};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use secrecy::{ExposeSecret, SecretString};
use tower::{Layer, Service};

use crate::error::TransportError;

/// The v3 authentication header.
pub const API_KEY_HEADER: HeaderName = HeaderName::from_static("x-apikey");

/// The path prefix of the legacy v2 API, which takes the key as an `apikey` query parameter.
pub const V2_PATH_PREFIX: &str = "/vtapi/v2/";

const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A VirusTotal API key. Its `Debug` never shows it.
#[derive(Clone)]
pub struct ApiKey {
    inner: Arc<KeyForms>,
}

struct KeyForms {
    secret: SecretString,
    header: HeaderValue,
    query: String,
}

impl ApiKey {
    /// Wraps a key. Fails (without echoing the key) if it cannot be an HTTP header value.
    pub fn new(key: impl Into<String>) -> Result<Self, TransportError> {
        let key: String = key.into();
        let trimmed = key.trim();
        if trimmed.is_empty() {
            return Err(TransportError::Config {
                reason: "the API key is empty".into(),
            });
        }
        let mut header = HeaderValue::from_str(trimmed).map_err(|_| TransportError::Config {
            reason: "the API key contains characters that cannot be sent in a header".into(),
        })?;
        header.set_sensitive(true);
        let query = utf8_percent_encode(trimmed, QUERY_VALUE).to_string();
        Ok(ApiKey {
            inner: Arc::new(KeyForms {
                secret: SecretString::from(trimmed.to_owned()),
                header,
                query,
            }),
        })
    }

    /// The key itself. Prefer never calling this: the transport adds the key for you.
    pub fn expose(&self) -> &str {
        self.inner.secret.expose_secret()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(REDACTED)")
    }
}

/// Adds the `x-apikey` header (marked sensitive, so `Debug` of the headers hides it) to every
/// request, and for paths under `/vtapi/v2/` also the `apikey` query parameter, unless the
/// request already carries its own.
#[derive(Clone, Debug)]
pub struct AuthLayer {
    key: Option<ApiKey>,
}

impl AuthLayer {
    /// A layer that authenticates with `key`.
    pub fn new(key: ApiKey) -> Self {
        AuthLayer { key: Some(key) }
    }

    /// A layer that authenticates with `key`, or passes requests on untouched for `None`.
    pub fn optional(key: Option<ApiKey>) -> Self {
        AuthLayer { key }
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = Auth<S>;

    fn layer(&self, inner: S) -> Auth<S> {
        Auth {
            inner,
            key: self.key.clone(),
        }
    }
}

/// The service made by [`AuthLayer`].
#[derive(Clone, Debug)]
pub struct Auth<S> {
    inner: S,
    key: Option<ApiKey>,
}

impl<S, B> Service<Request<B>> for Auth<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> S::Future {
        let Some(key) = &self.key else {
            return self.inner.call(req);
        };
        if !req.headers().contains_key(&API_KEY_HEADER) {
            req.headers_mut()
                .insert(API_KEY_HEADER, key.inner.header.clone());
        }
        if req.uri().path().starts_with(V2_PATH_PREFIX)
            && let Some(uri) = with_v2_key(req.uri(), &key.inner.query)
        {
            *req.uri_mut() = uri;
        }
        self.inner.call(req)
    }
}

fn with_v2_key(uri: &Uri, encoded_key: &str) -> Option<Uri> {
    let query = uri.query().unwrap_or("");
    if query
        .split('&')
        .any(|p| p.split('=').next() == Some("apikey"))
    {
        return None;
    }
    let path = uri.path();
    let pq = if query.is_empty() {
        format!("{path}?apikey={encoded_key}")
    } else {
        format!("{path}?apikey={encoded_key}&{query}")
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = pq.parse().ok();
    Uri::from_parts(parts).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_never_show_in_debug() {
        let key = ApiKey::new("abc123secret").unwrap();
        assert_eq!(format!("{key:?}"), "ApiKey(REDACTED)");
        assert!(key.inner.header.is_sensitive());
        let mut headers = http::HeaderMap::new();
        headers.insert(API_KEY_HEADER, key.inner.header.clone());
        assert!(!format!("{headers:?}").contains("abc123secret"));
    }

    #[test]
    fn bad_keys_are_rejected_without_echo() {
        let err = ApiKey::new("bad\nkey-secret").unwrap_err();
        assert!(!err.to_string().contains("secret"));
        assert!(ApiKey::new("  ").is_err());
    }

    #[test]
    fn v2_paths_get_the_key_in_the_query() {
        let uri: Uri = "https://h/vtapi/v2/file/report?resource=x".parse().unwrap();
        let out = with_v2_key(&uri, "k%2B").unwrap();
        assert_eq!(
            out.to_string(),
            "https://h/vtapi/v2/file/report?apikey=k%2B&resource=x"
        );
        let uri: Uri = "https://h/vtapi/v2/file/report?apikey=own".parse().unwrap();
        assert!(with_v2_key(&uri, "k").is_none());
    }
}
