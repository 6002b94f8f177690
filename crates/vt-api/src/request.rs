//! Requests built without I/O.
//!
//! An [`ApiRequest`] is a method, a target (a v3 path, a v2 path or an absolute URL), query
//! parameters and a body. Every endpoint function of this crate builds one and hands it to
//! the client's one execute path; you can build your own for endpoints without a typed
//! function and send them with [`Client::send`](crate::Client::send) (or use the
//! `get_json` / `post_json` / ... helpers).
//!
//! ```
//! use vt_api::ApiRequest;
//!
//! let req = ApiRequest::get("/files/44d88612fea8a8f36de82e1278abb02f")
//!     .query("relationships", "comments,votes");
//! let http = req.into_http("https://www.virustotal.com")?;
//! assert_eq!(
//!     http.uri(),
//!     "https://www.virustotal.com/api/v3/files/44d88612fea8a8f36de82e1278abb02f?relationships=comments%2Cvotes"
//! );
//! # Ok::<(), vt_api::Error>(())
//! ```

use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;
use vt_transport::VtBody;

use crate::error::{Error, Result};

/// The v3 API prefix, relative to the base URL.
pub const V3_PREFIX: &str = "/api/v3";
/// The legacy v2 API prefix, relative to the base URL.
pub const V2_PREFIX: &str = "/vtapi/v2";

/// Characters escaped in a path segment: everything but RFC 3986 unreserved characters and the
/// sub-delimiters and `:`/`@` that are harmless in a segment, minus `+` and `=` (some servers
/// decode `+` as a space, and `=` only occurs in base64 ids where escaping is the safe choice).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b'+')
    .add(b'=')
    .add(b'&');

/// Percent-encodes `segment` for use as one path segment (a `/` in it is escaped).
///
/// ```
/// assert_eq!(vt_api::request::path_segment("a b/c"), "a%20b%2Fc");
/// assert_eq!(vt_api::request::path_segment("2001:db8::1"), "2001:db8::1");
/// ```
pub fn path_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A path under `/api/v3` (starting with `/`).
    V3(String),
    /// A path under `/vtapi/v2` (starting with `/`).
    V2(String),
    /// An absolute `http(s)://` URL (upload URLs, signed download URLs).
    Absolute(String),
}

/// A request built without I/O (see the module docs).
#[derive(Debug)]
pub struct ApiRequest {
    method: Method,
    target: Target,
    query: Vec<(String, String)>,
    body: VtBody,
    content_type: Option<HeaderValue>,
    accept: HeaderValue,
    headers: HeaderMap,
}

impl ApiRequest {
    /// A request with `method` to a v3 `path` (e.g. `/files/{id}`) or, if `path` starts with
    /// `http://` or `https://`, to that absolute URL.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        let path = path.into();
        let target = if path.starts_with("http://") || path.starts_with("https://") {
            Target::Absolute(path)
        } else if path.starts_with('/') {
            Target::V3(path)
        } else {
            Target::V3(format!("/{path}"))
        };
        Self::to(method, target)
    }

    /// A request with `method` to `target`.
    pub fn to(method: Method, target: Target) -> Self {
        ApiRequest {
            method,
            target,
            query: Vec::new(),
            body: VtBody::empty(),
            content_type: None,
            accept: HeaderValue::from_static("application/json"),
            headers: HeaderMap::new(),
        }
    }

    /// Sets the `Accept` header (`application/json` by default; downloads send `*/*`).
    pub fn accept(mut self, accept: HeaderValue) -> Self {
        self.accept = accept;
        self
    }

    /// Adds a header an endpoint asks for (e.g. `x-confirm-delete`), replacing one of the
    /// same name. `Accept` and `Content-Type` have their own setters, which win; the key and
    /// the user agent are the transport's.
    ///
    /// ```
    /// use http::{HeaderName, HeaderValue};
    /// use vt_api::ApiRequest;
    ///
    /// let req = ApiRequest::delete("/intelligence/hunting_rulesets")
    ///     .header(HeaderName::from_static("x-confirm-delete"), HeaderValue::from_static("alice"))
    ///     .into_http("https://www.virustotal.com")?;
    /// assert_eq!(req.headers()["x-confirm-delete"], "alice");
    /// # Ok::<(), vt_api::Error>(())
    /// ```
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// The headers added with [`ApiRequest::header`].
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A `GET` (see [`ApiRequest::new`]).
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    /// A `POST` (see [`ApiRequest::new`]).
    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path)
    }

    /// A `PATCH` (see [`ApiRequest::new`]).
    pub fn patch(path: impl Into<String>) -> Self {
        Self::new(Method::PATCH, path)
    }

    /// A `DELETE` (see [`ApiRequest::new`]).
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path)
    }

    /// Adds a query parameter (values are percent-encoded when the request is built).
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Adds query parameters.
    pub fn queries<K: Into<String>, V: Into<String>>(
        mut self,
        params: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.query
            .extend(params.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Sets a JSON body (`Content-Type: application/json`).
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Result<Self> {
        let bytes = serde_json::to_vec(value)
            .map_err(|e| Error::invalid("request body", format!("cannot serialise: {e}")))?;
        self.body = VtBody::from_bytes(bytes);
        self.content_type = Some(HeaderValue::from_static("application/json"));
        Ok(self)
    }

    /// Sets a form body (`application/x-www-form-urlencoded`).
    pub fn form<K: AsRef<str>, V: AsRef<str>>(mut self, fields: &[(K, V)]) -> Self {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            ser.append_pair(k.as_ref(), v.as_ref());
        }
        self.body = VtBody::from_bytes(ser.finish());
        self.content_type = Some(HeaderValue::from_static(
            "application/x-www-form-urlencoded",
        ));
        self
    }

    /// Sets any body with its content type.
    pub fn body(mut self, body: VtBody, content_type: Option<HeaderValue>) -> Self {
        self.body = body;
        self.content_type = content_type;
        self
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The query parameters, in order.
    pub fn query_params(&self) -> &[(String, String)] {
        &self.query
    }

    /// A copy of this request if its body can be copied (always, except one-shot streams).
    pub fn try_clone(&self) -> Option<Self> {
        Some(ApiRequest {
            method: self.method.clone(),
            target: self.target.clone(),
            query: self.query.clone(),
            body: self.body.try_clone()?,
            content_type: self.content_type.clone(),
            accept: self.accept.clone(),
            headers: self.headers.clone(),
        })
    }

    /// The full URL of this request against `base_url` (e.g. `https://www.virustotal.com`).
    pub fn url(&self, base_url: &str) -> String {
        let base = base_url.trim_end_matches('/');
        let mut url = match &self.target {
            Target::V3(path) => format!("{base}{V3_PREFIX}{path}"),
            Target::V2(path) => format!("{base}{V2_PREFIX}{path}"),
            Target::Absolute(url) => url.clone(),
        };
        if !self.query.is_empty() {
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in &self.query {
                ser.append_pair(k, v);
            }
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&ser.finish());
        }
        url
    }

    /// The HTTP request against `base_url`: the URL, the `Accept` header, the
    /// content type and, when the body's length is known, `Content-Length`.
    pub fn into_http(self, base_url: &str) -> Result<Request<VtBody>> {
        let url = self.url(base_url);
        let mut builder = Request::builder().method(self.method).uri(&url);
        let mut extra = self.headers;
        for own in [ACCEPT, CONTENT_TYPE, CONTENT_LENGTH] {
            extra.remove(own);
        }
        if let Some(headers) = builder.headers_mut() {
            headers.extend(extra);
        }
        builder = builder.header(ACCEPT, self.accept);
        if let Some(ct) = self.content_type {
            builder = builder.header(CONTENT_TYPE, ct);
        }
        match self.body.len() {
            Some(0) => {}
            Some(n) => builder = builder.header(CONTENT_LENGTH, n),
            None => {}
        }
        builder
            .body(self.body)
            .map_err(|e| Error::invalid(&url, format!("not a valid request: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_queries_and_prefixes() {
        let r = ApiRequest::get("files/abc").query("filter", "tag:detected new-detections");
        assert_eq!(
            r.url("http://127.0.0.1:8080/"),
            "http://127.0.0.1:8080/api/v3/files/abc?filter=tag%3Adetected+new-detections"
        );
        let r =
            ApiRequest::to(Method::GET, Target::V2("/file/report".into())).query("resource", "a,b");
        assert_eq!(
            r.url("https://www.virustotal.com"),
            "https://www.virustotal.com/vtapi/v2/file/report?resource=a%2Cb"
        );
        let r = ApiRequest::post("http://upload.example/_ah/upload/x?y=1").query("z", "2");
        assert_eq!(
            r.url("https://ignored"),
            "http://upload.example/_ah/upload/x?y=1&z=2"
        );
    }

    #[test]
    fn json_bodies_carry_their_length_and_type() {
        let req = ApiRequest::post("/comments/x/vote")
            .json(&serde_json::json!({"data": "positive"}))
            .unwrap()
            .into_http("https://www.virustotal.com")
            .unwrap();
        assert_eq!(req.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(req.headers()[CONTENT_LENGTH], "19"); // {"data":"positive"}
        assert_eq!(req.method(), Method::POST);
    }

    #[test]
    fn added_headers_are_sent_and_never_replace_accept_or_the_body_type() {
        let req = ApiRequest::delete("/intelligence/hunting_rulesets")
            .header(
                HeaderName::from_static("x-confirm-delete"),
                HeaderValue::from_static("alice"),
            )
            .header(ACCEPT, HeaderValue::from_static("text/html"))
            .json(&serde_json::json!({}))
            .unwrap();
        let copy = req.try_clone().unwrap();
        let http = copy.into_http("https://www.virustotal.com").unwrap();
        assert_eq!(http.headers()["x-confirm-delete"], "alice");
        assert_eq!(http.headers().get_all(ACCEPT).iter().count(), 1);
        assert_eq!(http.headers()[ACCEPT], "application/json");
        assert_eq!(http.headers()[CONTENT_TYPE], "application/json");
    }

    #[test]
    fn segments_escape_slashes_and_base64_padding() {
        assert_eq!(path_segment("ab+/c=="), "ab%2B%2Fc%3D%3D");
        assert_eq!(path_segment("abc_Cuckoo Sandbox"), "abc_Cuckoo%20Sandbox");
    }
}
