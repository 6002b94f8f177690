//! Search (`/search`, and the premium `/intelligence/search`).

use vt_model::AnyObject;

use crate::client::Client;
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

    /// VirusTotal Intelligence search (`GET /intelligence/search?query=`; premium): the same
    /// as [`Intelligence::search`](crate::intelligence::Intelligence::search), which is
    /// where the Intelligence family lives.
    pub fn intelligence(&self, query: &str) -> Paginator<AnyObject> {
        crate::intelligence::Intelligence {
            client: self.client,
        }
        .search(query)
    }

    fn paginate(&self, path: &str, query: &str) -> Paginator<AnyObject> {
        let query = match crate::intelligence::check_search_query(query) {
            Ok(q) => q,
            Err(e) => return Paginator::failed(e),
        };
        Paginator::new(
            self.client,
            Target::V3(path.into()),
            vec![("query".into(), query.into())],
        )
    }
}
