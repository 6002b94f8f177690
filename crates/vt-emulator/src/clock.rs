//! The emulator's clock: the system clock or a frozen one, both movable forward so tests can
//! roll quota windows and finish analyses without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::config::ClockMode;

/// A cheap, cloneable handle on the emulator's notion of "now".
///
/// ```
/// use std::time::Duration;
/// use vt_emulator::{Clock, ClockMode};
/// let clock = Clock::new(ClockMode::Manual(1_700_000_000));
/// clock.advance(Duration::from_secs(90));
/// assert_eq!(clock.now_secs(), 1_700_000_090);
/// ```
#[derive(Debug, Clone)]
pub struct Clock {
    inner: Arc<ClockInner>,
}

#[derive(Debug)]
struct ClockInner {
    manual: bool,
    /// Manual: the current time in ms. System: an offset in ms added to the system time.
    value_ms: AtomicI64,
}

impl Clock {
    /// A clock in the given mode.
    pub fn new(mode: ClockMode) -> Self {
        let (manual, value_ms) = match mode {
            ClockMode::System => (false, 0),
            ClockMode::Manual(secs) => (
                true,
                i64::try_from(secs).unwrap_or(i64::MAX).saturating_mul(1000),
            ),
        };
        Clock {
            inner: Arc::new(ClockInner {
                manual,
                value_ms: AtomicI64::new(value_ms),
            }),
        }
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> u64 {
        let v = self.inner.value_ms.load(Ordering::Relaxed);
        let ms = if self.inner.manual {
            v
        } else {
            let sys = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2))
                .unwrap_or(0);
            sys.saturating_add(v)
        };
        u64::try_from(ms).unwrap_or(0)
    }

    /// Seconds since the Unix epoch.
    pub fn now_secs(&self) -> u64 {
        self.now_ms() / 1000
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 2);
        let _ = self
            .inner
            .value_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
                Some(v.saturating_add(ms))
            });
    }

    /// Whether the clock only moves when advanced.
    pub fn is_manual(&self) -> bool {
        self.inner.manual
    }
}
