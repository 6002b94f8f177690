//! Search (`/search`, and the premium `/intelligence/search`).

use vt_model::AnyObject;

use crate::client::Client;
use crate::error::Error;
use crate::pagination::Paginator;
use crate::request::Target;

/// The search family; get it with [`Client::search`].
#[derive(Debug)]
pub struct Search<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Search<'a> {
    /// Basic search (`GET /search?query=`): a hash, URL, domain, IP address or comment tag.
    /// Yields the matching objects.
    pub fn query(&self, query: &str) -> Paginator<AnyObject> {
        self.paginate("/search", query)
    }

    /// VirusTotal Intelligence search (`GET /intelligence/search?query=`; premium). Use
    /// [`Paginator::order`], [`Paginator::descriptors_only`] and [`Paginator::page_size`]
    /// (at most 300).
    pub fn intelligence(&self, query: &str) -> Paginator<AnyObject> {
        self.paginate("/intelligence/search", query)
    }

    fn paginate(&self, path: &str, query: &str) -> Paginator<AnyObject> {
        if query.trim().is_empty() {
            return Paginator::failed(Error::invalid(query, "a search query cannot be empty"));
        }
        Paginator::new(
            self.client,
            Target::V3(path.into()),
            vec![("query".into(), query.into())],
        )
    }
}
