//! Sandbox behaviour reports: `/file_behaviours/{sandbox_id}` and its artefacts,
//! `/files/{id}/behaviour_summary` and `/files/{id}/behaviour_mitre_trees` (the list itself
//! is the `behaviours` relationship of files).

use serde_json::Value;

use super::objects::resolve;
use crate::http::body::full;
use crate::http::reply::Reply;
use crate::records::Kind;
use crate::reports::behaviour::{Artifact, artifact_bytes, mitre_trees, summary};
use crate::state::Shared;
use crate::store::Store;

/// The behaviour reports of file `id` (resolved from any hash), in relationship order.
fn reports_of(store: &Store, id: &str) -> Result<Vec<Value>, Reply> {
    let key = resolve(store, Kind::File, id)?;
    Ok(store
        .related(&key, "behaviours")
        .iter()
        .filter_map(|k| store.get(k))
        .map(|o| o.data.clone())
        .collect())
}

/// `GET /files/{id}/behaviour_summary`.
pub(crate) fn summary_of(shared: &Shared, id: &str) -> Reply {
    match reports_of(&shared.read(), id) {
        Ok(reports) => Reply::data(summary(&reports)),
        Err(reply) => reply,
    }
}

/// `GET /files/{id}/behaviour_mitre_trees`.
pub(crate) fn mitre_trees_of(shared: &Shared, id: &str) -> Reply {
    match reports_of(&shared.read(), id) {
        Ok(reports) => Reply::data(mitre_trees(&reports)),
        Err(reply) => reply,
    }
}

/// `GET /file_behaviours/{sandbox_id}`.
pub(crate) fn get(shared: &Shared, id: &str) -> Reply {
    match shared.read().get(&(Kind::FileBehaviour, id.to_owned())) {
        Some(report) => Reply::ok_bytes(report.body()),
        None => Reply::not_found(Kind::FileBehaviour.display(), id),
    }
}

/// `GET /file_behaviours/{sandbox_id}/{pcap|html|evtx|memdump}`: only what the report says
/// the sandbox kept.
pub(crate) fn artifact(shared: &Shared, id: &str, name: &str) -> Reply {
    let Some(artifact) = Artifact::parse(name) else {
        return Reply::not_found("Behaviour artefact", name);
    };
    let store = shared.read();
    let Some(report) = store.get(&(Kind::FileBehaviour, id.to_owned())) else {
        return Reply::not_found(Kind::FileBehaviour.display(), id);
    };
    if report.attr(artifact.flag()) != Some(&Value::Bool(true)) {
        return Reply::not_found(&format!("Behaviour {name}"), id);
    }
    let bytes = artifact_bytes(&report.data, artifact);
    let len = bytes.len() as u64;
    Reply::Raw {
        body: full(bytes.into()),
        content_type: artifact.content_type(),
        len: Some(len),
        filename: None,
    }
}
