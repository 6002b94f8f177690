//! Watching VT Monitor for new detections, each reported once.
//!
//! A software publisher's CI wants to hear when an engine starts flagging one of its files,
//! once, not on every poll. [`WatchState`] remembers, per Monitor item, which engines flagged
//! it (and with which label) when it was last reported; [`Monitor::poll_detections`] lists the
//! items matching a filter (`tag:detected` by default, or any tag such as `new-detections` or
//! an engine name) and returns a [`DetectionEvent`] for each item whose detections differ from
//! what the state remembers, then updates the state. An item that no longer matches is
//! reported once as [`DetectionChange::Solved`] and forgotten. The first poll of a fresh state
//! reports every current detection ([`DetectionChange::Detected`]).
//!
//! The change is judged against the state, not against VirusTotal's own change tags (which
//! compare an item's last two analyses, so they miss changes between polls that are further
//! apart): more engines is [`Increasing`](DetectionChange::Increasing), fewer is
//! [`Decreasing`](DetectionChange::Decreasing), as many but other engines or labels is
//! [`Swapped`](DetectionChange::Swapped). The item's tags are passed along in the event.
//!
//! The state is a small JSON document ([`WatchState::save`] writes it atomically: a temporary
//! file in the same directory, flushed to disk, renamed over the old one):
//!
//! ```json
//! {"format": "vt-monitor-watch/1", "filter": "tag:detected", "polls": 3,
//!  "items": {"<monitor item id>": {"path": "/releases/app.exe", "sha256": "…",
//!            "analysis_date": 1700000000, "engines": {"EngineA": "Trojan.X"}}}}
//! ```
//!
//! ```
//! use vt_api::monitor_watch::{DetectionChange, WatchState};
//! use vt_api::MonitorFilter;
//! use vt_api::model::MonitorItem;
//!
//! let item: MonitorItem = serde_json::from_str(r#"{"type": "monitor_item", "id": "aWQ=",
//!     "attributes": {"path": "/app.exe", "tags": ["detected"],
//!     "last_analysis_results": {"EngineA": {"category": "malicious", "result": "Trojan.X"}}}}"#).unwrap();
//! let mut state = WatchState::new(&"tag:detected".parse::<MonitorFilter>().unwrap());
//! let first = state.update(&[item.clone()]);
//! assert_eq!(first[0].change, DetectionChange::Detected);
//! assert!(state.update(&[item]).is_empty(), "reported once");
//! let gone = state.update(&[]);
//! assert_eq!(gone[0].change, DetectionChange::Solved);
//! ```

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use vt_model::MonitorItem;

use crate::error::{Error, Result};
use crate::monitor::{Monitor, MonitorFilter, MonitorTag};

/// The `format` marker of a state document.
pub const WATCH_STATE_FORMAT: &str = "vt-monitor-watch/1";

/// How an item's detections changed since the state last saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DetectionChange {
    /// Detected now; the first poll of this state (nothing to compare with).
    #[serde(rename = "detected")]
    Detected,
    /// Detected now, not detected at the last poll.
    #[serde(rename = "new-detections")]
    New,
    /// More engines than at the last report.
    #[serde(rename = "increasing-detections")]
    Increasing,
    /// Fewer engines than at the last report (still detected).
    #[serde(rename = "decreasing-detections")]
    Decreasing,
    /// As many engines, but other engines or labels.
    #[serde(rename = "swapped-detections")]
    Swapped,
    /// No longer detected (or no longer matches the filter).
    #[serde(rename = "solved-detections")]
    Solved,
}

impl DetectionChange {
    /// The name in events (VirusTotal's tag names, and `detected`).
    pub fn as_str(self) -> &'static str {
        match self {
            DetectionChange::Detected => "detected",
            DetectionChange::New => "new-detections",
            DetectionChange::Increasing => "increasing-detections",
            DetectionChange::Decreasing => "decreasing-detections",
            DetectionChange::Swapped => "swapped-detections",
            DetectionChange::Solved => "solved-detections",
        }
    }

    /// Whether the change means an engine flags the file where it did not before (detected,
    /// new, increasing, swapped): what a publisher must act on. Decreasing and solved are
    /// good news.
    pub fn is_alert(self) -> bool {
        !matches!(self, DetectionChange::Decreasing | DetectionChange::Solved)
    }
}

/// What the state remembers of one item: its detections when last reported.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SeenDetection {
    /// The item's path.
    pub path: String,
    /// The file's SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The analysis the detections come from (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis_date: Option<i64>,
    /// Engine → its label (`result`), for every engine flagging the file.
    pub engines: BTreeMap<String, String>,
}

/// One change to report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DetectionEvent {
    /// What changed.
    pub change: DetectionChange,
    /// The Monitor item id.
    pub item: String,
    /// The item's path.
    pub path: String,
    /// The file's SHA-256.
    pub sha256: Option<String>,
    /// The analysis the detections come from (Unix seconds).
    pub analysis_date: Option<i64>,
    /// How many engines flag the file now.
    pub detections: usize,
    /// Engine → label, now.
    pub engines: BTreeMap<String, String>,
    /// Engines that flag it now and did not at the last report.
    pub new_engines: Vec<String>,
    /// Engines that flagged it at the last report and no longer do.
    pub gone_engines: Vec<String>,
    /// The item's tags as VirusTotal sent them.
    pub tags: Vec<String>,
}

/// What a watch remembers between polls (see the module docs for the file format).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchState {
    /// [`WATCH_STATE_FORMAT`].
    pub format: String,
    /// The filter the items were listed with (a state answers for one filter).
    pub filter: String,
    /// Completed polls.
    pub polls: u64,
    /// Item id → what was last reported.
    pub items: BTreeMap<String, SeenDetection>,
}

fn detections_of(item: &MonitorItem) -> BTreeMap<String, String> {
    item.attributes
        .last_analysis_results
        .as_ref()
        .map(|results| {
            results
                .iter()
                .filter(|(_, r)| r.is_detection())
                .map(|(engine, r)| (engine.clone(), r.result.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default()
}

impl WatchState {
    /// A fresh state for items listed with `filter` (its first poll reports everything).
    pub fn new(filter: &MonitorFilter) -> WatchState {
        WatchState {
            format: WATCH_STATE_FORMAT.to_owned(),
            filter: filter.to_string(),
            polls: 0,
            items: BTreeMap::new(),
        }
    }

    /// The default filter of a watch: every detected item (`tag:detected`).
    pub fn default_filter() -> MonitorFilter {
        MonitorFilter::tags([MonitorTag::Detected])
    }

    /// Compares a complete listing of the items matching the filter with the state, returns
    /// the changes (by path) and remembers the listing. Items without any detection count as
    /// absent.
    pub fn update(&mut self, listed: &[MonitorItem]) -> Vec<DetectionEvent> {
        let first = self.polls == 0;
        let mut events = Vec::new();
        let mut now: BTreeMap<String, SeenDetection> = BTreeMap::new();
        for item in listed {
            let engines = detections_of(item);
            if engines.is_empty() {
                continue;
            }
            let id = item.id_str().to_owned();
            let seen = SeenDetection {
                path: item.attributes.path.clone().unwrap_or_default(),
                sha256: item.attributes.sha256.clone(),
                analysis_date: item.attributes.last_analysis_date.map(|t| t.0),
                engines,
            };
            let before = self.items.get(&id);
            let change = match before {
                None if first => Some(DetectionChange::Detected),
                None => Some(DetectionChange::New),
                Some(b) if b.engines == seen.engines => None,
                Some(b) if seen.engines.len() > b.engines.len() => {
                    Some(DetectionChange::Increasing)
                }
                Some(b) if seen.engines.len() < b.engines.len() => {
                    Some(DetectionChange::Decreasing)
                }
                Some(_) => Some(DetectionChange::Swapped),
            };
            if let Some(change) = change {
                let empty = BTreeMap::new();
                let old = before.map_or(&empty, |b| &b.engines);
                events.push(DetectionEvent {
                    change,
                    item: id.clone(),
                    path: seen.path.clone(),
                    sha256: seen.sha256.clone(),
                    analysis_date: seen.analysis_date,
                    detections: seen.engines.len(),
                    engines: seen.engines.clone(),
                    new_engines: seen
                        .engines
                        .keys()
                        .filter(|e| !old.contains_key(*e))
                        .cloned()
                        .collect(),
                    gone_engines: old
                        .keys()
                        .filter(|e| !seen.engines.contains_key(*e))
                        .cloned()
                        .collect(),
                    tags: item.attributes.tags.clone().unwrap_or_default(),
                });
            }
            // An unchanged item keeps what was reported (its analysis date moves on).
            now.insert(id, seen);
        }
        for (id, gone) in &self.items {
            if !now.contains_key(id) {
                events.push(DetectionEvent {
                    change: DetectionChange::Solved,
                    item: id.clone(),
                    path: gone.path.clone(),
                    sha256: gone.sha256.clone(),
                    analysis_date: None,
                    detections: 0,
                    engines: BTreeMap::new(),
                    new_engines: Vec::new(),
                    gone_engines: gone.engines.keys().cloned().collect(),
                    tags: Vec::new(),
                });
            }
        }
        events.sort_by(|a, b| a.path.cmp(&b.path).then_with(|| a.item.cmp(&b.item)));
        self.items = now;
        self.polls += 1;
        events
    }

    /// Reads a state file; `Ok(None)` when there is none yet. A file that is not a state
    /// document is an [`Error::InvalidInput`] naming it (it is left alone).
    pub fn load(path: &Path) -> Result<Option<WatchState>> {
        let text = match std::fs::read(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(path, e)),
        };
        let state: WatchState = serde_json::from_slice(&text).map_err(|e| {
            Error::invalid(
                path.display().to_string(),
                format!("not a {WATCH_STATE_FORMAT} state file: {e}"),
            )
        })?;
        if state.format != WATCH_STATE_FORMAT {
            return Err(Error::invalid(
                path.display().to_string(),
                format!(
                    "state format {:?}, expected {WATCH_STATE_FORMAT:?}",
                    state.format
                ),
            ));
        }
        Ok(Some(state))
    }

    /// Writes the state atomically: a temporary file next to `path`, flushed to disk, then
    /// renamed over it (a crash leaves the old state or the new one, never a torn one).
    pub fn save(&self, path: &Path) -> Result<()> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "state".into());
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let text = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::io(path, std::io::Error::other(e)))?;
        let written = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&text)?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::io(path, e));
        }
        Ok(())
    }
}

impl Monitor<'_> {
    /// One poll of a watch (see [`crate::monitor_watch`]): lists every item matching the
    /// state's filter (`GET /monitor/items?filter=...`, 40 a page), returns the changes since
    /// the last poll and updates `state`. On an error the state is left as it was (nothing is
    /// lost, nothing reported twice).
    pub async fn poll_detections(&self, state: &mut WatchState) -> Result<Vec<DetectionEvent>> {
        let filter: MonitorFilter = state.filter.parse()?;
        let listed: Vec<MonitorItem> = self
            .items_filtered(&filter)
            .page_size(40)
            .try_collect()
            .await?;
        Ok(state.update(&listed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, path: &str, engines: &[(&str, &str)]) -> MonitorItem {
        let results: serde_json::Map<String, serde_json::Value> = engines
            .iter()
            .map(|(e, r)| {
                (
                    (*e).to_owned(),
                    serde_json::json!({"category": "malicious", "result": r}),
                )
            })
            .chain([(
                "Clean".to_owned(),
                serde_json::json!({"category": "undetected", "result": null}),
            )])
            .collect();
        serde_json::from_value(serde_json::json!({
            "type": "monitor_item", "id": id,
            "attributes": {"path": path, "sha256": "ab", "last_analysis_date": 1_700_000_000,
                           "tags": ["detected"], "last_analysis_results": results}
        }))
        .unwrap()
    }

    fn state() -> WatchState {
        WatchState::new(&WatchState::default_filter())
    }

    fn changes(events: &[DetectionEvent]) -> Vec<(&str, DetectionChange)> {
        events.iter().map(|e| (e.path.as_str(), e.change)).collect()
    }

    #[test]
    fn the_first_poll_reports_every_detection_then_nothing_twice() {
        let mut s = state();
        let listed = [
            item("b", "/b.exe", &[("E1", "Trojan.A")]),
            item("a", "/a.exe", &[("E2", "PUA")]),
            item("c", "/clean.exe", &[]),
        ];
        let events = s.update(&listed);
        assert_eq!(
            changes(&events),
            [
                ("/a.exe", DetectionChange::Detected),
                ("/b.exe", DetectionChange::Detected)
            ]
        );
        assert_eq!(events[0].engines["E2"], "PUA");
        assert_eq!(events[0].new_engines, ["E2"]);
        assert!(s.update(&listed).is_empty());
        assert_eq!(s.polls, 2);
    }

    #[test]
    fn changes_are_judged_against_the_last_report() {
        let mut s = state();
        s.update(&[
            item("a", "/a", &[("E1", "X")]),
            item("b", "/b", &[("E1", "X"), ("E2", "Y")]),
        ]);
        let events = s.update(&[
            item("a", "/a", &[("E1", "X"), ("E3", "Z")]),
            item("b", "/b", &[("E2", "Y")]),
            item("c", "/c", &[("E9", "W")]),
        ]);
        assert_eq!(
            changes(&events),
            [
                ("/a", DetectionChange::Increasing),
                ("/b", DetectionChange::Decreasing),
                ("/c", DetectionChange::New)
            ]
        );
        assert_eq!(events[0].new_engines, ["E3"]);
        assert_eq!(events[1].gone_engines, ["E1"]);
        // Same count, other label: swapped; then gone: solved, once.
        let events = s.update(&[
            item("a", "/a", &[("E1", "X"), ("E3", "Other")]),
            item("b", "/b", &[("E2", "Y")]),
            item("c", "/c", &[("E9", "W")]),
        ]);
        assert_eq!(changes(&events), [("/a", DetectionChange::Swapped)]);
        let events = s.update(&[
            item("a", "/a", &[("E1", "X"), ("E3", "Other")]),
            item("c", "/c", &[]),
        ]);
        assert_eq!(
            changes(&events),
            [
                ("/b", DetectionChange::Solved),
                ("/c", DetectionChange::Solved)
            ]
        );
        assert_eq!(events[0].gone_engines, ["E2"]);
        assert!(!events[0].change.is_alert());
        assert!(
            s.update(&[item("a", "/a", &[("E1", "X"), ("E3", "Other")])])
                .is_empty()
        );
    }

    #[test]
    fn the_state_round_trips_through_a_file_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("watch.json");
        assert_eq!(WatchState::load(&path).unwrap(), None);
        let mut s = state();
        s.update(&[item("a", "/a", &[("E1", "X")])]);
        s.save(&path).unwrap();
        let back = WatchState::load(&path).unwrap().unwrap();
        assert_eq!(back, s);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(doc["format"], WATCH_STATE_FORMAT);
        assert_eq!(doc["filter"], "tag:detected");
        assert_eq!(doc["items"]["a"]["engines"]["E1"], "X");
        std::fs::write(&path, "{not json").unwrap();
        let err = WatchState::load(&path).unwrap_err();
        assert!(err.is_invalid_input(), "{err}");
        std::fs::write(
            &path,
            r#"{"format": "other/9", "filter": "", "polls": 0, "items": {}}"#,
        )
        .unwrap();
        assert!(
            WatchState::load(&path)
                .unwrap_err()
                .to_string()
                .contains("other/9")
        );
    }

    #[test]
    fn an_unwritable_directory_is_an_io_error_naming_the_file() {
        let err = state()
            .save(Path::new("/nonexistent-dir-for-vt-tests/watch.json"))
            .unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err:?}");
        assert!(err.to_string().contains("watch.json"));
    }
}
