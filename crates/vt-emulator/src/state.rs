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
