//! What the store and its write-behind writer both need of the `reports` table: how long a
//! connection waits for another process's transaction, the timestamps' unit and the size
//! bound.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, TransactionBehavior};

/// How long a writer waits for another process's transaction.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Milliseconds since the Unix epoch, the unit of the table's timestamps.
pub(crate) fn millis(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Deletes the least recently used entries until what they keep (keys and stored bodies) fits
/// in 90 % of `max_bytes`.
pub(crate) fn prune_to_bound(
    conn: &mut Connection,
    max_bytes: u64,
) -> Result<u64, rusqlite::Error> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let total: f64 = tx.query_row("SELECT total(size) FROM reports", [], |r| r.get(0))?;
    let total = total as u64;
    if total <= max_bytes {
        return Ok(0);
    }
    let target = max_bytes / 10 * 9;
    let mut to_free = total - target;
    let mut victims = Vec::new();
    {
        let mut stmt = tx.prepare("SELECT rowid, size FROM reports ORDER BY used_at, rowid")?;
        let mut rows = stmt.query([])?;
        while to_free > 0 {
            let Some(row) = rows.next()? else { break };
            victims.push(row.get::<_, i64>(0)?);
            to_free = to_free.saturating_sub(u64::try_from(row.get::<_, i64>(1)?).unwrap_or(0));
        }
    }
    {
        let mut delete = tx.prepare("DELETE FROM reports WHERE rowid = ?1")?;
        for id in &victims {
            delete.execute([id])?;
        }
    }
    tx.commit()?;
    tracing::debug!(target: "vt_cache", "pruned {} least recently used entries", victims.len());
    Ok(victims.len() as u64)
}
