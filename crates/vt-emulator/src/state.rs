//! The state every connection shares: configuration, the store, keys, quotas, faults, stats.
//!
//! Routes depend on this module only (never on the server that owns the listener), so the
//! server can depend on the routes without a cycle.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::{EmulatorConfig, KeySpec};
use crate::faults::FaultPlan;
use crate::quota::Quotas;
use crate::records::Content;
use crate::stats::Stats;
use crate::store::Store;

/// State shared by every connection.
pub(crate) struct Shared {
    pub(crate) config: EmulatorConfig,
    pub(crate) base_url: String,
    pub(crate) clock: Clock,
    pub(crate) store: RwLock<Store>,
    pub(crate) keys: HashMap<String, KeySpec>,
    pub(crate) quotas: Quotas,
    pub(crate) faults: FaultPlan,
    pub(crate) fault_seq: AtomicU64,
    pub(crate) stats: Arc<Stats>,
    pub(crate) data_dir: PathBuf,
    pub(crate) upload_seq: AtomicU64,
    pub(crate) shutdown: Notify,
}

impl Shared {
    pub(crate) fn read(&self) -> std::sync::RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write(&self) -> std::sync::RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn now(&self) -> u64 {
        self.clock.now_secs()
    }

    /// A fresh random-looking token (unique within this emulator).
    pub(crate) fn token(&self, label: &str) -> String {
        let n = self.upload_seq.fetch_add(1, Ordering::Relaxed);
        let a = crate::rng::mix64(self.config.seed ^ crate::rng::mix64(n ^ 0x5555));
        let b = crate::rng::mix64(a ^ self.clock.now_ms());
        format!("{label}{n:x}-{a:016x}{b:016x}")
    }

    /// Raises an IoC stream notification for user `owner` now (the producers: collections
    /// a user follows, Livehunt rulesets, Retrohunt jobs); returns the notification id. A
    /// producer already holding the store's write lock calls
    /// `store.ioc_stream.push(owner, shared.now(), notification)` instead.
    pub(crate) fn notify_ioc_stream(
        &self,
        owner: &str,
        notification: crate::ioc_stream::NewNotification,
    ) -> String {
        let now = self.now();
        self.write().ioc_stream.push(owner, now, notification)
    }

    /// The path of `name` inside the emulator's data directory (uploads live there).
    pub(crate) fn upload_path(&self, name: &str) -> PathBuf {
        self.data_dir.join(name)
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// A file's bytes, wherever they are kept (generated in memory or uploaded to disk).
impl Shared {
    /// The bytes of the file `hash` names (MD5, SHA-1 or SHA-256, any case): the dataset's
    /// generated files and EICAR from memory, uploads from the data directory. `None` for an
    /// unknown file, a file known without contents (loaded reports) or an unreadable upload.
    pub(crate) async fn file_bytes(&self, hash: &str) -> Option<bytes::Bytes> {
        match self.file_content(hash)? {
            Content::Memory(b) => Some(b),
            Content::Disk { path, .. } => tokio::fs::read(path).await.ok().map(bytes::Bytes::from),
        }
    }

    /// [`Shared::file_bytes`] for blocking code (a `spawn_blocking` task, a test).
    #[allow(dead_code)] // for Retrohunt's background scans
    pub(crate) fn file_bytes_blocking(&self, hash: &str) -> Option<bytes::Bytes> {
        match self.file_content(hash)? {
            Content::Memory(b) => Some(b),
            Content::Disk { path, .. } => std::fs::read(path).ok().map(bytes::Bytes::from),
        }
    }

    /// Where the bytes of the file `hash` names are, and how many there are.
    pub(crate) fn file_content(&self, hash: &str) -> Option<Content> {
        let store = self.read();
        let sha256 = store.resolve_file(hash)?;
        store.contents.get(&sha256).cloned()
    }
}

/// Livehunt: running the rulesets on new files, and the notifications they raised.
impl Shared {
    /// Runs every enabled `file` ruleset (of every key) over the file `sha256` just
    /// uploaded and raises a notification per matching rule. Files over 100 MB are not
    /// scanned, as on VirusTotal. Returns how many notifications were raised.
    pub(crate) async fn livehunt_scan(&self, sha256: &str) -> usize {
        let rulesets: Vec<(String, crate::yara_engine::CompiledRules)> = self
            .read()
            .livehunt
            .rulesets
            .values()
            .filter(|r| r.enabled && r.match_object_type == "file")
            .map(|r| (r.id.clone(), r.compiled.clone()))
            .collect();
        if rulesets.is_empty() {
            return 0;
        }
        let size = match self.file_content(sha256) {
            Some(Content::Memory(b)) => b.len() as u64,
            Some(Content::Disk { size, .. }) => size,
            None => return 0,
        };
        if size > crate::yara_engine::MAX_SCANNED_FILE {
            return 0;
        }
        let Some(data) = self.file_bytes(sha256).await else {
            return 0;
        };
        let scanned = tokio::task::spawn_blocking(move || {
            rulesets
                .into_iter()
                .map(|(id, rules)| {
                    let hits: Vec<_> = rules
                        .scan(&data)
                        .into_iter()
                        .map(|hit| {
                            let snippet = hit.snippet(&data);
                            (hit, snippet)
                        })
                        .collect();
                    (id, hits)
                })
                .filter(|(_, hits)| !hits.is_empty())
                .collect::<Vec<_>>()
        })
        .await;
        let Ok(hits) = scanned else {
            return 0;
        };
        let now = self.now();
        let mut store = self.write();
        let mut raised = 0;
        for (id, hits) in &hits {
            let before = store.livehunt.notifications.len();
            raised += store.livehunt.record(id, sha256, hits, now);
            // The IoC stream gathers every Livehunt notification, for the ruleset's owner.
            let new = store.livehunt.notifications[before..].to_vec();
            for n in &new {
                let entry = crate::ioc_stream::NewNotification::from_livehunt(n);
                store.ioc_stream.push(&n.owner, now, entry);
            }
        }
        raised
    }

    /// Livehunt over network objects: runs every enabled ruleset whose `match_object_type`
    /// is `url`, `domain` or `ip_address` (`ip`) over each of `objects` of that kind (the new
    /// URLs, domains and IP addresses the emulator sees, each with its text: the URL, the
    /// name, the address), through the `vt` module's `vt.net`. Each matching rule raises an
    /// IoC stream notification for the ruleset's owner (`entity_type` url, domain or
    /// ip_address; `hunting_info` without a snippet: there are no bytes), within the
    /// ruleset's 24-hour `limit` counted over its notifications in the stream. Returns how
    /// many were raised.
    pub(crate) async fn livehunt_network_scan(
        &self,
        objects: Vec<(crate::records::ObjKey, String)>,
    ) -> usize {
        use crate::records::Kind;
        use crate::yara_engine::NetObject;
        let rulesets: Vec<(String, String, crate::yara_engine::CompiledRules)> = self
            .read()
            .livehunt
            .rulesets
            .values()
            .filter(|r| r.enabled && r.match_object_type != "file")
            .map(|r| {
                (
                    r.id.clone(),
                    r.match_object_type.clone(),
                    r.compiled.clone(),
                )
            })
            .collect();
        if rulesets.is_empty() || objects.is_empty() {
            return 0;
        }
        let scanned = tokio::task::spawn_blocking(move || {
            let mut hits = Vec::new();
            for (key, text) in &objects {
                let object = match key.0 {
                    Kind::Url => NetObject::Url(text),
                    Kind::Domain => NetObject::Domain(text),
                    Kind::IpAddress => NetObject::IpAddress(text),
                    _ => continue,
                };
                for (id, kind, rules) in &rulesets {
                    if object.match_object_types().contains(&kind.as_str()) {
                        for hit in rules.scan_network(&object) {
                            hits.push((id.clone(), key.clone(), hit));
                        }
                    }
                }
            }
            hits
        })
        .await;
        let Ok(hits) = scanned else {
            return 0;
        };
        let now = self.now();
        let mut store = self.write();
        let mut raised = 0;
        for (id, key, hit) in hits {
            let Some(rs) = store.livehunt.rulesets.get(&id).cloned() else {
                continue;
            };
            let recent = store
                .ioc_stream
                .notifications
                .iter()
                .filter(|n| {
                    n.new.source.source_type == "hunting_ruleset"
                        && n.new.source.id == id
                        && n.date + 86_400 > now
                })
                .count() as u64;
            if recent >= rs.limit {
                if let Some(r) = store.livehunt.rulesets.get_mut(&id) {
                    r.rate_limited = true;
                }
                continue;
            }
            let tags = vec![
                key.1.clone(),
                rs.name.to_lowercase(),
                hit.rule.to_lowercase(),
            ];
            let entry = crate::ioc_stream::NewNotification::from_hunting(
                key,
                "hunting_ruleset",
                &rs.id,
                &rs.name,
                &hit.rule,
                tags,
                serde_json::json!({"rule_name": hit.rule, "rule_tags": hit.tags}),
            );
            store.ioc_stream.push(&rs.owner, now, entry);
            raised += 1;
        }
        raised
    }

    /// The Livehunt notifications of `owner` (every owner's when `None`), oldest first:
    /// rule, ruleset, date, tags and the matched file ([`HuntingNotification::file_descriptor`]
    /// gives `{"type": "file", "id": <sha256>}`). For the IoC stream, which gathers them.
    ///
    /// [`HuntingNotification::file_descriptor`]: crate::livehunt::HuntingNotification::file_descriptor
    #[allow(dead_code)]
    pub(crate) fn livehunt_notifications(
        &self,
        owner: Option<&str>,
    ) -> Vec<crate::livehunt::HuntingNotification> {
        self.read()
            .livehunt
            .notifications
            .iter()
            .filter(|n| owner.is_none_or(|o| n.owner == o))
            .cloned()
            .collect()
    }
}
