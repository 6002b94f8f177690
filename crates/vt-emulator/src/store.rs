//! The emulator's mutable state: objects (with their JSON pre-serialized), file bytes,
//! relationships, comments, votes, analyses, upload and download tokens, the Monitor tree.
//!
//! The store sits behind one `std::sync::RwLock`; handlers take it for short, synchronous
//! sections and never across an `.await`.

use std::collections::{BTreeMap, HashMap};

use bytes::Bytes;
use serde_json::{Value, json};

use crate::records::{
    Analysis, Comment, Content, DownloadToken, Kind, MonitorItem, ObjKey, StoredObject,
    UploadToken, Vote,
};

/// Everything that changes.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) objects: HashMap<ObjKey, StoredObject>,
    /// MD5 and SHA-1 → SHA-256.
    pub(crate) file_alias: HashMap<String, String>,
    /// SHA-256 → bytes.
    pub(crate) contents: HashMap<String, Content>,
    /// Object → relationship name → related objects, in order.
    pub(crate) relationships: HashMap<ObjKey, BTreeMap<String, Vec<ObjKey>>>,
    pub(crate) comments: HashMap<String, Comment>,
    /// All comment ids, oldest first.
    pub(crate) comment_order: Vec<String>,
    /// Object → its comment ids, oldest first.
    pub(crate) object_comments: HashMap<ObjKey, Vec<String>>,
    /// Object → its votes, oldest first.
    pub(crate) object_votes: HashMap<ObjKey, Vec<Vote>>,
    /// Comment id → users who voted on it.
    pub(crate) comment_voters: HashMap<String, Vec<String>>,
    pub(crate) analyses: HashMap<String, Analysis>,
    /// Object → its analyses, oldest first.
    pub(crate) object_analyses: HashMap<ObjKey, Vec<String>>,
    pub(crate) upload_tokens: HashMap<String, UploadToken>,
    pub(crate) download_tokens: HashMap<String, DownloadToken>,
    /// Monitor items by path (sorted, so listings are stable).
    pub(crate) monitor: BTreeMap<String, MonitorItem>,
    /// MonitorItemID → path.
    pub(crate) monitor_ids: HashMap<String, String>,
    /// Counter making generated ids unique.
    pub(crate) serial: u64,
    /// The dataset objects feeds draw from (fixed at start).
    pub(crate) feed_pool: crate::feeds::FeedPool,
    /// Unix minute → objects uploaded, submitted or re-analysed then (feeds list them).
    pub(crate) feed_log: BTreeMap<i64, Vec<ObjKey>>,
    /// Private scans, never mixed with the public objects above.
    pub(crate) private: crate::private_scans::PrivateStore,
    /// ZIP bundles by id (`/intelligence/zip_files`).
    pub(crate) zip_files: HashMap<String, crate::zip_bundle::ZipJob>,
    /// Retrohunt jobs (`/intelligence/retrohunt_jobs`).
    pub(crate) retrohunt: crate::retrohunt_jobs::RetrohuntStore,
    /// Collections of indicators (`/collections`).
    pub(crate) collections: crate::collections::CollectionStore,
    /// Every user's IoC stream notifications (`/ioc_stream`); any producer pushes to it.
    pub(crate) ioc_stream: crate::ioc_stream::IocStreamStore,
    /// Livehunt rulesets and notifications of every key.
    pub(crate) livehunt: crate::livehunt::LivehuntStore,
}

impl Store {
    /// Adds or replaces an object.
    pub(crate) fn insert(&mut self, kind: Kind, data: Value) {
        let id = data
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if kind == Kind::File {
            for h in ["md5", "sha1"] {
                if let Some(v) = data
                    .pointer(&format!("/attributes/{h}"))
                    .and_then(Value::as_str)
                {
                    self.file_alias.insert(v.to_ascii_lowercase(), id.clone());
                }
            }
        }
        self.objects.insert((kind, id), StoredObject::new(data));
    }

    /// Resolves a file id given as MD5, SHA-1 or SHA-256 (any case) to the SHA-256.
    pub(crate) fn resolve_file(&self, id: &str) -> Option<String> {
        let id = id.to_ascii_lowercase();
        if self.objects.contains_key(&(Kind::File, id.clone())) {
            return Some(id);
        }
        self.file_alias.get(&id).cloned()
    }

    pub(crate) fn get(&self, key: &ObjKey) -> Option<&StoredObject> {
        self.objects.get(key)
    }

    pub(crate) fn relate(&mut self, from: &ObjKey, rel: &str, to: ObjKey) {
        let list = self
            .relationships
            .entry(from.clone())
            .or_default()
            .entry(rel.to_owned())
            .or_default();
        if !list.contains(&to) {
            list.push(to);
        }
    }

    pub(crate) fn related(&self, from: &ObjKey, rel: &str) -> &[ObjKey] {
        self.relationships
            .get(from)
            .and_then(|m| m.get(rel))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The IP addresses `domain` resolves to (from its resolutions, whose id is the IP address
    /// followed by the domain).
    pub(crate) fn resolved_ips(&self, domain: &ObjKey) -> Vec<ObjKey> {
        self.related(domain, "resolutions")
            .iter()
            .filter_map(|r| {
                r.1.strip_suffix(domain.1.as_str())
                    .map(|ip| (Kind::IpAddress, ip.to_owned()))
            })
            .collect()
    }

    /// A fresh 8-hex-digit suffix, unique within this store.
    pub(crate) fn next_suffix(&mut self, salt: &str) -> String {
        self.serial += 1;
        let mut h = self.serial;
        for b in salt.bytes() {
            h = crate::rng::mix64(h ^ u64::from(b));
        }
        format!("{:08x}", h as u32)
    }

    pub(crate) fn add_comment(&mut self, comment: Comment) {
        self.object_comments
            .entry(comment.target.clone())
            .or_default()
            .push(comment.id.clone());
        self.comment_order.push(comment.id.clone());
        self.comments.insert(comment.id.clone(), comment);
    }

    pub(crate) fn remove_comment(&mut self, id: &str) -> Option<Comment> {
        let c = self.comments.remove(id)?;
        self.comment_order.retain(|x| x != id);
        if let Some(list) = self.object_comments.get_mut(&c.target) {
            list.retain(|x| x != id);
        }
        self.comment_voters.remove(id);
        Some(c)
    }

    /// Adds a vote and updates the object's `total_votes`.
    pub(crate) fn add_vote(&mut self, target: &ObjKey, vote: Vote) {
        if let Some(obj) = self.objects.get_mut(target) {
            let field = if vote.verdict == "malicious" {
                "malicious"
            } else {
                "harmless"
            };
            if let Some(Value::Object(tv)) = obj.attr_mut("total_votes") {
                let n = tv.get(field).and_then(Value::as_u64).unwrap_or(0);
                tv.insert(field.to_owned(), json!(n + 1));
            } else {
                let mut tv = json!({"harmless": 0, "malicious": 0});
                tv[field] = json!(1);
                obj.set_attr("total_votes", tv);
            }
            obj.refresh();
        }
        self.object_votes
            .entry(target.clone())
            .or_default()
            .push(vote);
    }

    /// Builds the bundle of `job` from the store's contents; records the outcome in the job and
    /// the bytes under [`ZipJob::content_key`](crate::zip_bundle::ZipJob::content_key). Uploaded contents are read from disk.
    pub(crate) fn build_zip(&mut self, id: &str) {
        let Some(job) = self.zip_files.get(id).cloned() else {
            return;
        };
        let mut entries: Vec<(String, Content)> = Vec::new();
        let mut missing = 0u64;
        for h in &job.hashes {
            match self
                .resolve_file(h)
                .and_then(|sha| self.contents.get(&sha).map(|c| (sha, c.clone())))
            {
                Some((sha, c)) if !entries.iter().any(|(s, _)| *s == sha) => entries.push((sha, c)),
                Some(_) => {}
                None => missing += 1,
            }
        }
        let outcome = crate::zip_bundle::write_zip(&entries, job.password.as_deref());
        let ok = entries.len() as u64;
        let built = match outcome {
            Some(bytes) if ok > 0 => {
                self.contents
                    .insert(job.content_key(), Content::Memory(Bytes::from(bytes)));
                (ok, missing, false)
            }
            _ => (0, missing + ok, true),
        };
        if let Some(j) = self.zip_files.get_mut(id) {
            j.built = Some(built);
        }
    }

    /// What feed packages are drawn from.
    pub(crate) fn feed_source(&self) -> crate::feeds::FeedSource<'_> {
        crate::feeds::FeedSource {
            pool: &self.feed_pool,
            log: &self.feed_log,
            objects: &self.objects,
        }
    }

    /// Looks a monitor item up by id.
    pub(crate) fn monitor_item(&self, id: &str) -> Option<&MonitorItem> {
        self.monitor_ids.get(id).and_then(|p| self.monitor.get(p))
    }
}
