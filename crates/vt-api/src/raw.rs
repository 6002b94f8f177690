//! The raw escape hatch: any endpoint, JSON in and out, for what has no typed function.
//!
//! Paths are relative to `/api/v3` (`/collections/abc`) or absolute URLs; they may carry a
//! query string. The API key, rate limits and retries apply as for every other call.
//!
//! ```no_run
//! # async fn run(client: vt_api::Client) -> Result<(), vt_api::Error> {
//! use futures_util::TryStreamExt;
//! let doc: serde_json::Value = client.get_json("/collections/abc").await?;
//! let items: Vec<serde_json::Value> = client.paginate("/collections/abc/files").limit(20).try_collect().await?;
//! # Ok(()) }
//! ```

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::Result;
use crate::pagination::Paginator;
use crate::request::{ApiRequest, Target};

/// Splits `path?query` into the request target and its query pairs.
fn split(path: &str) -> (Target, Vec<(String, String)>) {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, q),
        None => (path, ""),
    };
    let target = ApiRequest::get(path).target().clone();
    let pairs = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    (target, pairs)
}

fn request(method: http::Method, path: &str) -> ApiRequest {
    let (target, query) = split(path);
    ApiRequest::to(method, target).queries(query)
}

impl Client {
    /// `GET path`, decoding the JSON answer into `T` (`serde_json::Value` for anything).
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.send(request(http::Method::GET, path)).await
    }

    /// `POST path` with a JSON body.
    pub async fn post_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        self.send(request(http::Method::POST, path).json(body)?)
            .await
    }

    /// `PATCH path` with a JSON body.
    pub async fn patch_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        self.send(request(http::Method::PATCH, path).json(body)?)
            .await
    }

    /// `DELETE path`, discarding the answer's body.
    pub async fn delete(&self, path: &str) -> Result<()> {
        self.send_empty(request(http::Method::DELETE, path)).await
    }

    /// A paginated stream over any collection path, items decoded as `T`.
    pub fn paginate<T: DeserializeOwned + Send + 'static>(&self, path: &str) -> Paginator<T> {
        let (target, query) = split(path);
        let mut p = Paginator::new(self, target, Vec::new());
        for (k, v) in query {
            p = p.param(k, v);
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_with_queries_are_split() {
        let (t, q) = split("/intelligence/search?query=a%20b&limit=5");
        assert_eq!(t, Target::V3("/intelligence/search".into()));
        assert_eq!(
            q,
            vec![("query".into(), "a b".into()), ("limit".into(), "5".into())]
        );
    }
}
