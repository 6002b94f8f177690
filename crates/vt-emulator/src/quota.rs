//! Per-key quota counters over fixed windows (second, minute, hour, day, month).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::config::{QuotaConfig, QuotaLimits, Tier};

/// The windows, in the order of [`QuotaLimits`]' fields.
pub(crate) const WINDOWS: [&str; 5] = ["second", "minute", "hour", "day", "month"];

#[derive(Debug, Default, Clone, Copy)]
struct Counter {
    window: u64,
    used: u64,
}

/// Current usage of one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Usage {
    /// `(used, allowed)` per window, in [`WINDOWS`] order.
    pub(crate) windows: [(u64, Option<u64>); 5],
}

/// Counters of every key.
#[derive(Debug)]
pub(crate) struct Quotas {
    config: QuotaConfig,
    counters: Mutex<HashMap<String, [Counter; 5]>>,
}

fn limits(l: &QuotaLimits) -> [Option<u64>; 5] {
    [
        l.per_second,
        l.per_minute,
        l.per_hour,
        l.per_day,
        l.per_month,
    ]
}

fn lengths(c: &QuotaConfig) -> [Duration; 5] {
    let w = c.windows;
    [w.second, w.minute, w.hour, w.day, w.month]
}

impl Quotas {
    pub(crate) fn new(config: QuotaConfig) -> Self {
        Quotas {
            config,
            counters: Mutex::new(HashMap::new()),
        }
    }

    fn limits_of(&self, tier: Tier) -> [Option<u64>; 5] {
        match tier {
            Tier::Public => limits(&self.config.public),
            Tier::Premium => limits(&self.config.premium),
        }
    }

    /// Charges `cost` lookups to `key`, or returns the name of the first exhausted window
    /// (charging nothing).
    pub(crate) fn charge(
        &self,
        key: &str,
        tier: Tier,
        cost: u64,
        now_ms: u64,
    ) -> Result<(), &'static str> {
        let lim = self.limits_of(tier);
        let lens = lengths(&self.config);
        let mut map = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        let counters = map.entry(key.to_owned()).or_default();
        for i in 0..5 {
            let w = now_ms / (lens[i].as_millis().max(1) as u64);
            if counters[i].window != w {
                counters[i] = Counter { window: w, used: 0 };
            }
        }
        for i in 0..5 {
            if let Some(max) = lim[i]
                && counters[i].used + cost > max
            {
                return Err(WINDOWS[i]);
            }
        }
        for c in counters.iter_mut() {
            c.used += cost;
        }
        Ok(())
    }

    /// Usage of `key` now.
    pub(crate) fn usage(&self, key: &str, tier: Tier, now_ms: u64) -> Usage {
        let lim = self.limits_of(tier);
        let lens = lengths(&self.config);
        let map = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        let counters = map.get(key).copied().unwrap_or_default();
        let mut windows = [(0, None); 5];
        for i in 0..5 {
            let w = now_ms / (lens[i].as_millis().max(1) as u64);
            let used = if counters[i].window == w {
                counters[i].used
            } else {
                0
            };
            windows[i] = (used, lim[i]);
        }
        Usage { windows }
    }

    pub(crate) fn reset(&self) {
        self.counters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::QuotaWindows;

    #[test]
    fn minute_window_rolls_over() {
        let q = Quotas::new(QuotaConfig {
            windows: QuotaWindows::default(),
            ..QuotaConfig::default()
        });
        let t0 = 1_700_000_040_000;
        for _ in 0..4 {
            q.charge("k", Tier::Public, 1, t0).unwrap();
        }
        assert_eq!(q.charge("k", Tier::Public, 1, t0), Err("minute"));
        assert!(q.charge("k", Tier::Public, 1, t0 + 60_000).is_ok());
        assert_eq!(q.usage("k", Tier::Public, t0 + 60_000).windows[3].0, 5);
        assert!(q.charge("other", Tier::Premium, 1000, t0).is_ok());
    }

    #[test]
    fn batch_cost_is_all_or_nothing() {
        let q = Quotas::new(QuotaConfig::default());
        assert_eq!(q.charge("k", Tier::Public, 5, 0), Err("minute"));
        assert_eq!(q.usage("k", Tier::Public, 0).windows[1].0, 0);
    }
}
