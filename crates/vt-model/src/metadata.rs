//! `GET /metadata`: [`Metadata`] (engines, privileges, relationships per object type).

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::lossless::lossless_struct;

lossless_struct! {
    /// The `data` of `GET /metadata`.
    pub struct Metadata {
        /// Engines by name, each an open JSON map of its properties.
        engines: IndexMap<String, Map<String, Value>> = "engines",
        /// Every privilege name.
        privileges: Vec<String> = "privileges",
        /// Relationships by object type.
        relationships: IndexMap<String, Vec<RelationshipInfo>> = "relationships",
    }
}

lossless_struct! {
    /// One relationship an object type has.
    pub struct RelationshipInfo {
        /// Its name (e.g. `contacted_domains`).
        name: String = "name",
        /// What it means.
        description: String = "description",
    }
}
