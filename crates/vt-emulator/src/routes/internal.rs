//! `/_emulator/*`: introspection and control for tests (no key needed).

use std::time::Duration;

use serde_json::json;

use super::request::Req;
use crate::http::reply::Reply;
use crate::state::Shared;

/// `GET /_emulator/stats`.
pub(crate) fn stats(shared: &Shared) -> Reply {
    let snap = shared.stats.snapshot();
    match serde_json::to_value(&snap) {
        Ok(v) => Reply::json(&v),
        Err(e) => Reply::bad_request(e.to_string()),
    }
}

/// `POST /_emulator/reset`: clears counters, the request log and quota usage.
pub(crate) fn reset(shared: &Shared) -> Reply {
    shared.stats.reset();
    shared.quotas.reset();
    Reply::json(&json!({"reset": true}))
}

/// `POST /_emulator/clock?advance=<seconds>` (or `advance_ms=`): moves the clock forward.
pub(crate) fn advance_clock(shared: &Shared, r: &Req) -> Reply {
    let by = if let Some(s) = r.q("advance") {
        s.parse::<u64>().map(Duration::from_secs)
    } else if let Some(ms) = r.q("advance_ms") {
        ms.parse::<u64>().map(Duration::from_millis)
    } else {
        Ok(Duration::ZERO)
    };
    match by {
        Ok(d) => {
            shared.clock.advance(d);
            Reply::json(&json!({"now": shared.clock.now_secs(), "now_ms": shared.clock.now_ms()}))
        }
        Err(_) => Reply::invalid_argument(
            "advance must be a whole number of seconds (advance_ms: milliseconds)",
        ),
    }
}

/// `POST /_emulator/shutdown`: stops the server (what `vt emulator serve` waits for).
pub(crate) fn shutdown(shared: &Shared) -> Reply {
    shared.shutdown.notify_one();
    Reply::json(&json!({"shutdown": true}))
}

/// `POST /_emulator/monitor/rescan[?path=P][&engines=I,J]`: re-analyses Monitor files now
/// (see `monitor_rescan.rs`); answers `{"data": [updated items]}`.
pub(crate) fn monitor_rescan(shared: &Shared, r: &Req) -> Reply {
    let engines = match r.q("engines").map(crate::monitor_rescan::parse_engines) {
        Some(Ok(e)) => Some(e),
        Some(Err(why)) => return Reply::invalid_argument(why),
        None => None,
    };
    match crate::monitor_rescan::rescan(shared, r.q("path"), engines.as_deref()) {
        Ok(items) => Reply::json(&json!({"data": items})),
        Err(why) => Reply::invalid_argument(why),
    }
}
