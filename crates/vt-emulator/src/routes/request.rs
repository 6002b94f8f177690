//! A request as the handlers see it: method, path, query, headers, the body not yet read,
//! and the caller once its key is known.

use http::{HeaderMap, Method};
use hyper::body::Incoming;

use crate::config::{KeySpec, Tier};

/// The caller, once its key is known.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) key: String,
    pub(crate) tier: Tier,
    pub(crate) user_id: String,
}

impl From<&KeySpec> for Caller {
    fn from(k: &KeySpec) -> Self {
        Caller {
            key: k.key.clone(),
            tier: k.tier,
            user_id: k.user_id.clone(),
        }
    }
}

/// A parsed request.
pub(crate) struct Req {
    pub(crate) method: Method,
    /// Path as received (percent-encoded).
    pub(crate) path: String,
    /// Path and query as received.
    pub(crate) path_and_query: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Incoming>,
    pub(crate) caller: Option<Caller>,
    /// `http://host:port` as the client addressed us.
    pub(crate) base: String,
}

impl Req {
    /// The first value of query parameter `name`.
    pub(crate) fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    /// The caller (routes needing a key only run once it is set).
    pub(crate) fn user(&self) -> String {
        self.caller
            .as_ref()
            .map(|c| c.user_id.clone())
            .unwrap_or_default()
    }
}
