//! What every generation step reads and fills.

use super::summary::Dataset;
use crate::config::DatasetConfig;
use crate::store::Store;

/// The store being filled, the summary being built, and what the objects derive from.
pub(super) struct Generation<'a> {
    /// Where the objects go.
    pub(super) store: &'a mut Store,
    /// The summary of what was generated so far.
    pub(super) ds: Dataset,
    /// `http://host:port` for `links`.
    pub(super) base: &'a str,
    /// The dataset seed.
    pub(super) seed: u64,
    /// How many objects of each kind.
    pub(super) cfg: &'a DatasetConfig,
}
