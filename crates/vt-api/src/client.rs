//! The [`Client`] and its one execute path.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Response;
use serde::de::DeserializeOwned;

use vt_transport::ResponseBody;

use crate::answer::{collect_limited, error_from_response};
use crate::error::{Error, Result, snippet};
use crate::request::ApiRequest;
use crate::service::ErasedService;
pub use crate::service::HttpService;

/// The default base URL.
pub const DEFAULT_BASE_URL: &str = "https://www.virustotal.com";
/// Largest JSON answer accepted by default (64 MiB; the largest file reports are a few MiB).
pub const DEFAULT_MAX_JSON_BODY: usize = 64 << 20;

/// Settings of a [`Client`] that are not the transport's.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Base URL without a trailing slash.
    pub(crate) base_url: String,
    /// Resources per v2 batch request.
    pub(crate) v2_batch_limit: usize,
    /// Largest JSON body accepted.
    pub(crate) max_json_body: usize,
    /// The report cache, if any (see [`crate::cache`]).
    pub(crate) cache: Option<crate::cache::AttachedCache>,
}

impl Settings {
    pub(crate) fn new(base_url: &str) -> Result<Self> {
        Ok(Settings {
            base_url: check_base_url(base_url)?,
            v2_batch_limit: vt_model::Tier::Public.v2_batch_limit(),
            max_json_body: DEFAULT_MAX_JSON_BODY,
            cache: None,
        })
    }
}

/// A v2 batch size held between 1 and the API's maximum (25).
pub(crate) fn clamp_batch(limit: usize) -> usize {
    limit.clamp(1, vt_model::Tier::Premium.v2_batch_limit())
}

/// Validates a base URL (`http` or `https`, a host, no query or fragment) and returns it
/// without a trailing `/`. The one base-URL rule: the builder applies it, and `vt` checks
/// its `--base-url` with it before anything else.
///
/// ```
/// assert_eq!(vt_api::check_base_url("http://127.0.0.1:8080/")?, "http://127.0.0.1:8080");
/// assert!(vt_api::check_base_url("www.virustotal.com").is_err());
/// # Ok::<(), vt_api::Error>(())
/// ```
pub fn check_base_url(base_url: &str) -> Result<String> {
    let parsed = url::Url::parse(base_url)
        .map_err(|e| Error::invalid(base_url, format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::invalid(
            base_url,
            "the base URL must be http:// or https://",
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid(base_url, "the base URL has no host"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::invalid(
            base_url,
            "the base URL must not have a query or fragment",
        ));
    }
    Ok(base_url.trim_end_matches('/').to_owned())
}

/// A VirusTotal API client: cheap to clone (one `Arc`), `Send + Sync`, over any transport
/// (see the crate docs).
///
/// The transport is erased behind one object-safe call (see `docs/architecture.md`): every
/// request is already one boxed future and one boxed body, whatever the service, so a type
/// parameter would only spread through every signature without saving anything.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) service: Arc<dyn ErasedService>,
    pub(crate) settings: Settings,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.settings.base_url)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client sending its requests through `service` to `base_url` (for example
    /// `https://www.virustotal.com` or `http://127.0.0.1:8080`).
    ///
    /// The service is used as is: it must add the API key itself (the `vt-transport` stack
    /// does). This is how tests swap in a fake and how you add your own layers.
    pub fn with_service<S: HttpService>(service: S, base_url: &str) -> Result<Self> {
        Ok(Self::from_parts(
            Arc::new(service),
            Settings::new(base_url)?,
        ))
    }

    pub(crate) fn from_parts(service: Arc<dyn ErasedService>, settings: Settings) -> Self {
        Client {
            inner: Arc::new(Inner { service, settings }),
        }
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.settings.base_url
    }

    /// The same client with another number of resources per v2 batch request (4 for public
    /// keys, the default; up to 25 for premium keys), held between 1 and 25.
    pub fn with_v2_batch_limit(&self, limit: usize) -> Self {
        let mut settings = self.inner.settings.clone();
        settings.v2_batch_limit = clamp_batch(limit);
        Self::from_parts(self.inner.service.clone(), settings)
    }

    /// The same client accepting JSON answers up to `bytes` long.
    pub fn with_max_json_body(&self, bytes: usize) -> Self {
        let mut settings = self.inner.settings.clone();
        settings.max_json_body = bytes;
        Self::from_parts(self.inner.service.clone(), settings)
    }

    /// Sends `request` and returns the response when its status is a success (2xx); any
    /// other status becomes an [`Error::Api`] (or [`Error::UnexpectedStatus`] when the body
    /// is not a VirusTotal error). The body is not read.
    ///
    /// With a report cache attached ([`ClientBuilder::cache`](crate::ClientBuilder::cache)),
    /// cacheable requests (see [`crate::cache::cacheable`]) may be answered from it.
    pub async fn send_raw(&self, request: ApiRequest) -> Result<Response<ResponseBody>> {
        if let Some(cache) = &self.inner.settings.cache
            && let Some(kind) = crate::cache::cacheable(&request)
        {
            let settings = &self.inner.settings;
            return crate::cache::send_cached(
                cache,
                kind,
                request,
                &settings.base_url,
                self.inner.service.as_ref(),
                settings.max_json_body,
            )
            .await;
        }
        let http = request.into_http(&self.inner.settings.base_url)?;
        let response = self
            .inner
            .service
            .call(http)
            .await
            .map_err(Error::Transport)?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(error_from_response(response).await)
        }
    }

    /// Sends `request` and decodes its JSON answer into `T`.
    pub async fn send<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<T> {
        let response = self.send_raw(request).await?;
        let bytes = self.collect_json(response).await?;
        decode(&bytes)
    }

    /// Sends `request` and returns the `data` member of its JSON answer decoded as `T` (a
    /// model type such as [`FileReport`](vt_model::FileReport)); [`Client::send_raw_data`] is
    /// its raw twin.
    pub async fn send_data<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<T> {
        let doc: vt_model::DataEnvelope<T> = self.send(request).await?;
        Ok(doc.data)
    }

    /// Sends `request` and returns the `data` object of its JSON answer as the text received,
    /// checked in one pass ([`raw_json::data_member`](crate::raw_json::data_member)) but not
    /// decoded: the raw twin of [`Client::send_data`], on the same request path.
    pub async fn send_raw_data(&self, request: ApiRequest) -> Result<crate::raw_json::RawJson> {
        let response = self.send_raw(request).await?;
        let bytes = self.collect_json(response).await?;
        crate::raw_json::data_member(&bytes).map_err(|e| Error::Decode {
            path: e.path.into(),
            source: serde::de::Error::custom(e.reason),
            snippet: snippet(&bytes),
        })
    }

    /// Sends `request` and discards the answer's body.
    pub async fn send_empty(&self, request: ApiRequest) -> Result<()> {
        let response = self.send_raw(request).await?;
        self.collect_json(response).await.map(drop)
    }

    /// For each request, whether the client's cache would answer it now without sending it
    /// (`Some(age of the stored answer)`), under the client's
    /// [`CachePolicy`](crate::CachePolicy): a cacheable request (see
    /// [`cacheable`](crate::cache::cacheable)) whose stored answer is young enough. `None` for
    /// every request when no cache is attached, with `refresh`, or when the store cannot be
    /// read. Read only: nothing is sent, no entry is marked as used. The store is read on
    /// tokio's blocking pool.
    pub async fn cache_would_answer(&self, requests: &[ApiRequest]) -> Vec<Option<Duration>> {
        match &self.inner.settings.cache {
            Some(cache) => {
                crate::cache::would_answer(cache, requests, &self.inner.settings.base_url).await
            }
            None => vec![None; requests.len()],
        }
    }

    /// Reads a whole body, refusing bodies over the JSON limit.
    pub(crate) async fn collect_json(&self, response: Response<ResponseBody>) -> Result<Bytes> {
        let limit = self.inner.settings.max_json_body;
        collect_limited(response.into_body(), limit).await
    }
}

/// Decodes JSON, naming the path of the first mismatch.
///
/// The fast path is plain `serde_json`; only when it fails is the document decoded again with
/// `serde_path_to_error` to find where (error paths are rare, path tracking is not free).
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    // vt-model's fast path: strict (streaming into the typed fields), then lenient only if a
    // modelled member has an unexpected type. Plain `serde_json::from_slice` is the lenient
    // pass alone, which parses every modelled member twice.
    match vt_model::decode(bytes) {
        Ok(value) => Ok(value),
        Err(plain) => {
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let (path, source) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(err) => (err.path().to_string(), err.into_inner()),
                // Cannot happen (same input, same type); keep the first error.
                Ok(_) => (String::from("."), plain),
            };
            Err(Error::Decode {
                path,
                source,
                snippet: snippet(bytes),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked() {
        assert_eq!(
            check_base_url("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(check_base_url("ftp://x").is_err());
        assert!(check_base_url("https://x/?a=1").is_err());
        assert!(check_base_url("not a url").unwrap_err().is_invalid_input());
    }
}
