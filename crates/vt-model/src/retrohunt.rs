//! Retrohunt (VT Hunting): a YARA scan over VirusTotal's past files, `type: "retrohunt_job"`
//! ([`RetrohuntJob`], [`RetrohuntJobAttributes`], [`RetrohuntStatus`], [`RetrohuntCorpus`],
//! [`RetrohuntTimeRange`]).

use crate::Object;
use crate::Timestamp;
use crate::lossless::lossless_struct;
use crate::open_enum::open_enum_text;

/// The object type of a Retrohunt job.
pub const RETROHUNT_JOB_TYPE: &str = "retrohunt_job";

/// A `retrohunt_job` object (`POST /intelligence/retrohunt_jobs`,
/// `GET /intelligence/retrohunt_jobs/{id}`). Its id is `<username>-<unix seconds>`.
pub type RetrohuntJob = Object<RetrohuntJobAttributes>;

lossless_struct! {
    /// The attributes of a `retrohunt_job` object.
    ///
    /// ```
    /// use vt_model::{RetrohuntJobAttributes, RetrohuntStatus};
    /// let job: RetrohuntJobAttributes = serde_json::from_str(r#"{"status": "running",
    ///     "progress": 62.06, "scanned_bytes": 1099511627776, "num_matches": 3,
    ///     "rules": "rule a { condition: true }", "corpus": "main", "eta_seconds": 4200}"#).unwrap();
    /// assert_eq!(job.status, Some(RetrohuntStatus::Running));
    /// assert_eq!(job.progress_percent(), 62.06);
    /// assert_eq!(job.num_matches, Some(3));
    /// assert_eq!(serde_json::to_value(&job).unwrap()["progress"], 62.06);
    /// ```
    pub struct RetrohuntJobAttributes {
        /// `queued`, `starting`, `running`, `aborting`, `aborted`, `finished` (and `failed`).
        status: RetrohuntStatus = "status",
        /// How far the scan is, a percentage (a float, e.g. 62.06; kept as the number sent).
        progress: serde_json::Number = "progress",
        /// Estimated seconds left.
        eta_seconds: i64 = "eta_seconds",
        /// Bytes scanned so far.
        scanned_bytes: u64 = "scanned_bytes",
        /// Files matched so far.
        num_matches: u64 = "num_matches",
        /// Files matched whose submission date is outside the time range asked for.
        num_matches_outside_time_range: u64 = "num_matches_outside_time_range",
        /// The YARA rules, as submitted.
        rules: String = "rules",
        /// `main` or `goodware`.
        corpus: RetrohuntCorpus = "corpus",
        /// Who is told by e-mail when the job ends.
        notification_email: String = "notification_email",
        /// The submission dates scanned (absent: the whole look-back).
        time_range: RetrohuntTimeRange = "time_range",
        /// When the job was created.
        creation_date: Timestamp = "creation_date",
        /// When the scan started.
        start_date: Timestamp = "start_date",
        /// When the job ended.
        finish_date: Timestamp = "finish_date",
    }
}

impl RetrohuntJobAttributes {
    /// The progress as a percentage held between 0 and 100 (0 when absent or not a number).
    pub fn progress_percent(&self) -> f64 {
        let p = self
            .progress
            .as_ref()
            .and_then(serde_json::Number::as_f64)
            .unwrap_or(0.0);
        if p.is_finite() {
            p.clamp(0.0, 100.0)
        } else {
            0.0
        }
    }

    /// The status, [`RetrohuntStatus::Other`] with an empty text when absent.
    pub fn status_or_unknown(&self) -> RetrohuntStatus {
        self.status
            .clone()
            .unwrap_or_else(|| RetrohuntStatus::Other(String::new()))
    }
}

lossless_struct! {
    /// The `time_range` of a Retrohunt job: UTC Unix seconds; a missing `start` means the
    /// whole look-back, a missing `end` up to the newest files.
    ///
    /// ```
    /// use vt_model::{RetrohuntTimeRange, Timestamp};
    /// let r = RetrohuntTimeRange::between(Some(Timestamp(1_700_000_000)), None);
    /// assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"start":1700000000}"#);
    /// ```
    pub struct RetrohuntTimeRange {
        /// The oldest submission date scanned.
        start: Timestamp = "start",
        /// The newest submission date scanned.
        end: Timestamp = "end",
    }
}

impl RetrohuntTimeRange {
    /// A range from `start` to `end` (either may be open).
    pub fn between(start: Option<Timestamp>, end: Option<Timestamp>) -> Self {
        RetrohuntTimeRange {
            start,
            end,
            ..Default::default()
        }
    }

    /// Whether neither end is set.
    pub fn is_open(&self) -> bool {
        self.start.is_none() && self.end.is_none()
    }
}

/// Which files a Retrohunt job scans. Unknown values are kept in [`RetrohuntCorpus::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum RetrohuntCorpus {
    /// `main`: VirusTotal's files of the look-back period (the default).
    #[default]
    Main,
    /// `goodware`: about a million NSRL files no engine detects, for false-positive testing.
    Goodware,
    /// A value this version does not know, kept verbatim.
    Other(String),
}

open_enum_text! {
    RetrohuntCorpus {
        Main => "main",
        Goodware => "goodware",
    }
}

/// A Retrohunt job's `status`. Unknown values are kept in [`RetrohuntStatus::Other`].
///
/// VirusTotal documents `starting`, `running`, `aborting`, `aborted` and `finished`; vt-cli
/// also handles `queued`. `failed` (a job the service could not complete) is not in the
/// documented list but is what vt-rs and its emulator call such a job.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetrohuntStatus {
    /// `queued`: waiting for a slot.
    Queued,
    /// `starting`.
    Starting,
    /// `running`: scanning; `progress` moves.
    Running,
    /// `aborting`: an abort was asked for; the job stops soon.
    Aborting,
    /// `aborted`: stopped before the end; the matches found so far are kept.
    Aborted,
    /// `finished`: every file was scanned.
    Finished,
    /// `failed`: the service could not complete the job.
    Failed,
    /// A value this version does not know, kept verbatim.
    Other(String),
}

open_enum_text! {
    RetrohuntStatus {
        Queued => "queued",
        Starting => "starting",
        Running => "running",
        Aborting => "aborting",
        Aborted => "aborted",
        Finished => "finished",
        Failed => "failed",
    }
}

impl RetrohuntStatus {
    /// Whether the job has ended (`finished`, `aborted` or `failed`): its state no longer
    /// changes. A status this version does not know is not taken as an end.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            RetrohuntStatus::Finished | RetrohuntStatus::Aborted | RetrohuntStatus::Failed
        )
    }

    /// Whether every file was scanned (`finished`).
    pub fn is_finished(&self) -> bool {
        matches!(self, RetrohuntStatus::Finished)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_classify() {
        for s in [
            "queued", "starting", "running", "aborting", "aborted", "finished", "failed", "paused",
        ] {
            assert_eq!(RetrohuntStatus::parse(s).as_str(), s);
        }
        assert!(RetrohuntStatus::Finished.is_final());
        assert!(RetrohuntStatus::Aborted.is_final());
        assert!(RetrohuntStatus::Failed.is_final());
        assert!(!RetrohuntStatus::Aborting.is_final());
        assert!(!RetrohuntStatus::parse("paused").is_final());
        assert!(!RetrohuntStatus::Aborted.is_finished());
        assert_eq!(
            RetrohuntCorpus::parse("goodware"),
            RetrohuntCorpus::Goodware
        );
        assert_eq!(RetrohuntCorpus::parse("new").as_str(), "new");
    }

    #[test]
    fn progress_is_held_to_a_percentage() {
        let a = |p: f64| RetrohuntJobAttributes {
            progress: serde_json::Number::from_f64(p),
            ..Default::default()
        };
        assert_eq!(a(250.0).progress_percent(), 100.0);
        assert_eq!(a(-1.0).progress_percent(), 0.0);
        assert_eq!(a(1.4145595).progress_percent(), 1.4145595);
        assert_eq!(RetrohuntJobAttributes::default().progress_percent(), 0.0);
    }

    #[test]
    fn a_retrohunt_job_is_lossless() {
        let text = r#"{"type":"retrohunt_job","id":"alice-1700000000","links":{"self":"https://www.virustotal.com/api/v3/intelligence/retrohunt_jobs/alice-1700000000"},"attributes":{"status":"finished","progress":100.0,"eta_seconds":0,"scanned_bytes":123456789012,"num_matches":1,"num_matches_outside_time_range":0,"rules":"rule eicar { strings: $a = \"EICAR\" condition: $a }","corpus":"main","notification_email":"a@example.com","time_range":{"start":1690000000,"end":1700000000},"creation_date":1700000000,"start_date":1700000005,"finish_date":1700003600,"new_member":[1]}}"#;
        let job: RetrohuntJob = crate::decode_str(text).unwrap();
        assert_eq!(job.attributes.status, Some(RetrohuntStatus::Finished));
        assert_eq!(job.attributes.scanned_bytes, Some(123_456_789_012));
        assert_eq!(
            job.attributes.time_range.as_ref().and_then(|r| r.end),
            Some(Timestamp(1_700_000_000))
        );
        assert_eq!(serde_json::to_string(&job).unwrap(), text);
        let strict: RetrohuntJob = crate::from_str_strict(text).unwrap();
        assert_eq!(strict.attributes.num_matches, Some(1));
    }
}
