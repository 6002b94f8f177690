//! [`RedirectPolicy`]: bounded redirects that never carry the API key to another origin.
//!
//! Downloads answer with a redirect to a signed URL on another host. The policy follows up
//! to `max` redirects (default 10), fails with [`TransportError::Redirect`] on a loop or when
//! the bound is passed, and removes `x-apikey` (and `Authorization`, `Cookie`) from any
//! request whose scheme, host or port differs from the original request's. The v2 `apikey`
//! query parameter is never carried: the next URL is the `Location` as given.

use http::header::{AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION};
use http::{Request, Uri};
use tower_http::follow_redirect::policy::{Action, Attempt, Policy};

use crate::auth::API_KEY_HEADER;
use crate::body::VtBody;
use crate::error::{RedirectError, TransportError};
use crate::redact::redact_url;

/// The default bound on redirects per request.
pub const DEFAULT_MAX_REDIRECTS: usize = 10;

/// The redirect policy for tower-http's `FollowRedirectLayer`. See the [module docs](self).
#[derive(Clone, Debug)]
pub struct RedirectPolicy {
    max: usize,
    followed: usize,
    origin: Option<Uri>,
    visited: Vec<Uri>,
}

impl RedirectPolicy {
    /// Follows at most `max` redirects (0 follows none and returns the 3xx response).
    pub fn new(max: usize) -> Self {
        RedirectPolicy {
            max,
            followed: 0,
            origin: None,
            visited: Vec::new(),
        }
    }

    /// A tower-http layer with this policy.
    pub fn layer(self) -> tower_http::follow_redirect::FollowRedirectLayer<RedirectPolicy> {
        tower_http::follow_redirect::FollowRedirectLayer::with_policy(self)
    }
}

impl Default for RedirectPolicy {
    fn default() -> Self {
        RedirectPolicy::new(DEFAULT_MAX_REDIRECTS)
    }
}

fn port_of(uri: &Uri) -> Option<u16> {
    uri.port_u16().or(match uri.scheme_str() {
        Some(s) if s.eq_ignore_ascii_case("https") => Some(443),
        Some(s) if s.eq_ignore_ascii_case("http") => Some(80),
        _ => None,
    })
}

fn same_origin(a: &Uri, b: &Uri) -> bool {
    let eq = |x: Option<&str>, y: Option<&str>| match (x, y) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        (None, None) => true,
        _ => false,
    };
    eq(a.scheme_str(), b.scheme_str()) && eq(a.host(), b.host()) && port_of(a) == port_of(b)
}

impl Policy<VtBody, TransportError> for RedirectPolicy {
    fn redirect(&mut self, attempt: &Attempt<'_>) -> Result<Action, TransportError> {
        if self.max == 0 {
            return Ok(Action::Stop);
        }
        let location = attempt.location();
        if self.visited.is_empty() {
            self.visited.push(attempt.previous().clone());
        }
        if self.visited.iter().any(|u| u == location) {
            return Err(TransportError::Redirect {
                kind: RedirectError::Loop,
                url: redact_url(&location.to_string()).into_owned(),
            });
        }
        if self.followed >= self.max {
            return Err(TransportError::Redirect {
                kind: RedirectError::TooMany { limit: self.max },
                url: redact_url(&location.to_string()).into_owned(),
            });
        }
        self.followed += 1;
        self.visited.push(location.clone());
        tracing::debug!(
            status = attempt.status().as_u16(),
            to = %redact_url(&location.to_string()),
            "following redirect"
        );
        Ok(Action::Follow)
    }

    fn on_request(&mut self, request: &mut Request<VtBody>) {
        match &self.origin {
            None => self.origin = Some(request.uri().clone()),
            Some(first) if !same_origin(first, request.uri()) => {
                let headers = request.headers_mut();
                headers.remove(API_KEY_HEADER);
                headers.remove(AUTHORIZATION);
                headers.remove(PROXY_AUTHORIZATION);
                headers.remove(COOKIE);
            }
            Some(_) => {}
        }
    }

    fn clone_body(&self, body: &VtBody) -> Option<VtBody> {
        body.try_clone()
    }
}
