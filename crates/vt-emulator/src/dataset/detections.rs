//! How many engines flag a generated object, and reading that number back.

use serde_json::Value;

use crate::rng::SeededRng;

/// A plausible number of detections among `engines`: 40 % clean, 20 % a few, the rest many.
pub(crate) fn detection_count(rng: &mut SeededRng, engines: usize) -> usize {
    let u = rng.unit();
    if u < 0.4 {
        0
    } else if u < 0.6 {
        rng.range(1, 5) as usize
    } else {
        rng.range(15, (engines as u64 * 4 / 5).max(16)) as usize
    }
}

/// `last_analysis_stats.malicious` of an object.
pub(crate) fn malicious_of(v: &Value) -> u32 {
    v.pointer("/attributes/last_analysis_stats/malicious")
        .and_then(Value::as_u64)
        .unwrap_or(0) as u32
}
