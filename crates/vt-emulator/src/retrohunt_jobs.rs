//! Retrohunt jobs (`/intelligence/retrohunt_jobs`): a [`RetrohuntJob`] whose state moves with
//! the emulator's clock, and the scan of the dataset's file contents it reports on.
//!
//! A job is `starting` for [`STARTING_MS`], then `running` for [`RUNNING_MS`] with `progress`,
//! `scanned_bytes` and `num_matches` growing (the files are taken in a fixed order, and a
//! match counts once the progress has passed its file), then `finished`. The scan itself runs
//! in the background when the job is created ([`scan_corpus`]); should the clock get there
//! first, the job holds at 99 % until the scan is done. An abort makes it `aborting` for
//! [`ABORTING_MS`], then `aborted`, with the progress and matches of the moment kept. Rules
//! holding [`FAIL_MARKER`] (in a comment, say) make the job end `failed` at 50 %.
//!
//! When the emulator was given a data directory, jobs are kept in
//! `retrohunt_jobs.json` there and read back by the next emulator on that directory, so a
//! client can wait for a job across a restart.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ioc_stream::{IocStreamStore, NewNotification};
use crate::records::{Content, Kind, ObjKey, StoredObject};
use crate::yara_engine::RuleHit;

/// Time a job is `starting`, on the emulator's clock.
pub(crate) const STARTING_MS: u64 = 1_000;
/// Time a job is `running`, on the emulator's clock.
pub(crate) const RUNNING_MS: u64 = 9_000;
/// Time an aborted job is `aborting` before it is `aborted`.
pub(crate) const ABORTING_MS: u64 = 1_000;
/// Text that, anywhere in the rules, makes the job end `failed` at 50 %.
pub(crate) const FAIL_MARKER: &str = "vt-emulator:fail";
/// Where a job marked to fail stops, in percent.
const FAIL_AT_PERCENT: f64 = 50.0;
/// Jobs one user may have under way at once (VirusTotal's documented limit).
pub(crate) const MAX_ACTIVE_JOBS: usize = 10;
/// The file jobs are kept in, inside a given data directory.
const PERSIST_FILE: &str = "retrohunt_jobs.json";

/// A file the scan matched.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Match {
    pub(crate) sha256: String,
    /// The rules that matched it.
    pub(crate) rules: Vec<String>,
    /// Where in the scan it was found: the job's progress passes it at this percentage.
    pub(crate) at_percent: f64,
    /// The first rule's tags.
    #[serde(default)]
    pub(crate) rule_tags: Vec<String>,
    /// The first rule's snippet ([`crate::hunting_snippet`]).
    #[serde(default)]
    pub(crate) snippet: String,
}

/// What the background scan found.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub(crate) struct ScanOutcome {
    pub(crate) files: u64,
    pub(crate) bytes: u64,
    pub(crate) matches: Vec<Match>,
}

/// A Retrohunt job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RetrohuntJob {
    pub(crate) id: String,
    pub(crate) owner: String,
    pub(crate) rules: String,
    pub(crate) corpus: String,
    pub(crate) notification_email: Option<String>,
    pub(crate) time_range: (Option<i64>, Option<i64>),
    pub(crate) created_ms: u64,
    pub(crate) abort_ms: Option<u64>,
    /// `None` while the background scan runs.
    pub(crate) scan: Option<ScanOutcome>,
    /// When the scan result was stored (the job cannot finish before).
    pub(crate) scan_ready_ms: Option<u64>,
    /// How many of its matches are in the IoC stream already ([`RetrohuntStore::notify_due`]). Not kept
    /// in the data directory: the IoC stream is not either, so a restarted emulator raises
    /// them again.
    #[serde(skip)]
    pub(crate) notified: usize,
}

/// A job's state at one moment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JobState {
    pub(crate) status: &'static str,
    pub(crate) progress: f64,
    pub(crate) scanned_bytes: u64,
    pub(crate) num_matches: u64,
    pub(crate) eta_seconds: u64,
    pub(crate) start_ms: Option<u64>,
    pub(crate) finish_ms: Option<u64>,
}

impl JobState {
    /// Whether the job has ended.
    pub(crate) fn is_final(&self) -> bool {
        matches!(self.status, "finished" | "aborted" | "failed")
    }
}

impl RetrohuntJob {
    /// Whether the rules ask the job to fail.
    fn fails(&self) -> bool {
        self.rules.contains(FAIL_MARKER)
    }

    /// The progress the clock alone gives at `now_ms` (0 to 100), held at 99 while the scan
    /// runs.
    fn clock_progress(&self, now_ms: u64) -> f64 {
        let running = now_ms.saturating_sub(self.created_ms + STARTING_MS);
        let p = (running as f64 * 100.0 / RUNNING_MS as f64).min(100.0);
        if self.scan_ready_ms.is_some() {
            p
        } else {
            p.min(99.0)
        }
    }

    /// When the job finishes by itself, once the scan is done: the end of its running time
    /// (a scan done late holds the job at 99 % until it is stored, but does not move the
    /// finish date, so that dates stay deterministic).
    fn natural_end_ms(&self) -> Option<u64> {
        self.scan_ready_ms?;
        Some(self.created_ms + STARTING_MS + RUNNING_MS)
    }

    /// When a job marked to fail fails.
    fn fail_ms(&self) -> u64 {
        self.created_ms + STARTING_MS + (RUNNING_MS as f64 * FAIL_AT_PERCENT / 100.0) as u64
    }

    /// The state at `now_ms`.
    pub(crate) fn state(&self, now_ms: u64) -> JobState {
        let start_ms = self.created_ms + STARTING_MS;
        let fail_ms = self.fails().then(|| self.fail_ms());
        // The moment the job stopped moving, and how.
        let stopped = [
            self.abort_ms.map(|a| (a, "aborted")),
            fail_ms.map(|f| (f, "failed")),
            self.natural_end_ms().map(|e| (e, "finished")),
        ]
        .into_iter()
        .flatten()
        .min_by_key(|(at, _)| *at);
        let (progress, status, finish_ms) = match stopped {
            Some((at, "aborted")) if now_ms >= at => {
                let p = self.clock_progress(at);
                if now_ms < at + ABORTING_MS {
                    (p, "aborting", None)
                } else {
                    (p, "aborted", Some(at + ABORTING_MS))
                }
            }
            Some((at, end)) if now_ms >= at => {
                let p = if end == "failed" {
                    FAIL_AT_PERCENT
                } else {
                    100.0
                };
                (p, end, Some(at))
            }
            _ if now_ms < start_ms => (0.0, "starting", None),
            _ => (self.clock_progress(now_ms), "running", None),
        };
        let scan = self.scan.as_ref();
        let total_bytes = scan.map_or(0, |s| s.bytes);
        let num_matches = scan.map_or(0, |s| {
            s.matches
                .iter()
                .filter(|m| m.at_percent <= progress)
                .count() as u64
        });
        let eta_ms = if finish_ms.is_some() || status == "aborting" {
            0
        } else {
            (start_ms + RUNNING_MS).saturating_sub(now_ms)
        };
        JobState {
            status,
            progress,
            scanned_bytes: (total_bytes as f64 * progress / 100.0).round() as u64,
            num_matches,
            eta_seconds: eta_ms.div_ceil(1000),
            start_ms: (now_ms >= start_ms).then_some(start_ms),
            finish_ms,
        }
    }

    /// The files matched by `now_ms`, in scan order.
    pub(crate) fn matches_at(&self, now_ms: u64) -> Vec<Match> {
        let state = self.state(now_ms);
        self.scan
            .as_ref()
            .map(|s| {
                s.matches
                    .iter()
                    .filter(|m| m.at_percent <= state.progress)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// When the job's progress passed match `m` (its IoC stream notification's date), at
    /// the latest `now_ms`.
    fn match_ms(&self, m: &Match, now_ms: u64) -> u64 {
        let at = self.created_ms + STARTING_MS + (RUNNING_MS as f64 * m.at_percent / 100.0) as u64;
        at.min(now_ms)
    }

    /// The IoC stream's notification of match `m`: the matched file, origin `hunting`,
    /// this job as the source (`retrohunt_job`, labelled with its id), the rule names and
    /// the owner's as tags, and `hunting_info` (first rule, its tags, its snippet).
    fn notification(&self, m: &Match) -> NewNotification {
        let rule = m.rules.first().cloned().unwrap_or_default();
        let mut tags: Vec<String> = m.rules.iter().map(|r| r.to_lowercase()).collect();
        tags.push(self.owner.clone());
        NewNotification::from_hunting(
            (Kind::File, m.sha256.clone()),
            "retrohunt_job",
            &self.id,
            &self.id,
            &rule,
            tags,
            json!({
                "rule_name": rule,
                "rule_tags": m.rule_tags,
                "snippet": m.snippet,
            }),
        )
    }

    /// The `retrohunt_job` object at `now_ms`.
    pub(crate) fn to_json(&self, base: &str, now_ms: u64) -> Value {
        let s = self.state(now_ms);
        let mut attributes = json!({
            "status": s.status,
            "progress": s.progress,
            "eta_seconds": s.eta_seconds,
            "scanned_bytes": s.scanned_bytes,
            "num_matches": s.num_matches,
            "num_matches_outside_time_range": 0,
            "rules": self.rules,
            "corpus": self.corpus,
            "creation_date": self.created_ms / 1000,
        });
        if let Some(map) = attributes.as_object_mut() {
            if let Some(email) = &self.notification_email {
                map.insert("notification_email".into(), json!(email));
            }
            let mut range = serde_json::Map::new();
            if let Some(start) = self.time_range.0 {
                range.insert("start".into(), json!(start));
            }
            if let Some(end) = self.time_range.1 {
                range.insert("end".into(), json!(end));
            }
            if !range.is_empty() {
                map.insert("time_range".into(), Value::Object(range));
            }
            if let Some(start) = s.start_ms {
                map.insert("start_date".into(), json!(start / 1000));
            }
            if let Some(finish) = s.finish_ms {
                map.insert("finish_date".into(), json!(finish / 1000));
            }
        }
        json!({
            "type": "retrohunt_job",
            "id": self.id,
            "links": {"self": format!("{base}/api/v3/intelligence/retrohunt_jobs/{}", self.id)},
            "attributes": attributes,
        })
    }
}

/// Every Retrohunt job, by id.
#[derive(Debug, Default)]
pub(crate) struct RetrohuntStore {
    pub(crate) jobs: BTreeMap<String, RetrohuntJob>,
    /// Whether the jobs of a given data directory were read back.
    pub(crate) loaded: bool,
}

impl RetrohuntStore {
    /// A fresh id for a job of `owner` created at `now_secs`: `<owner>-<unix seconds>`, the
    /// seconds moved on while taken.
    pub(crate) fn new_id(&self, owner: &str, now_secs: u64) -> String {
        let mut secs = now_secs;
        loop {
            let id = format!("{owner}-{secs}");
            if !self.jobs.contains_key(&id) {
                return id;
            }
            secs += 1;
        }
    }

    /// The jobs of `owner` still under way at `now_ms`.
    pub(crate) fn active_of(&self, owner: &str, now_ms: u64) -> usize {
        self.jobs
            .values()
            .filter(|j| j.owner == owner && !j.state(now_ms).is_final())
            .count()
    }

    /// Reads the jobs kept in `dir`, once (a missing or unreadable file is no jobs).
    pub(crate) fn load_once(&mut self, dir: &Path) -> Vec<String> {
        if self.loaded {
            return Vec::new();
        }
        self.loaded = true;
        let Ok(text) = std::fs::read(dir.join(PERSIST_FILE)) else {
            return Vec::new();
        };
        let Ok(jobs) = serde_json::from_slice::<Vec<RetrohuntJob>>(&text) else {
            return Vec::new();
        };
        let mut unscanned = Vec::new();
        for job in jobs {
            if job.scan.is_none() {
                unscanned.push(job.id.clone());
            }
            self.jobs.insert(job.id.clone(), job);
        }
        unscanned
    }

    /// Writes every job to `dir` (through a temporary file renamed over the old one).
    pub(crate) fn save(&self, dir: &Path) {
        let jobs: Vec<&RetrohuntJob> = self.jobs.values().collect();
        let Ok(bytes) = serde_json::to_vec(&jobs) else {
            return;
        };
        let tmp = dir.join(format!("{PERSIST_FILE}.tmp"));
        if std::fs::write(&tmp, bytes).is_ok() {
            let _ = std::fs::rename(&tmp, dir.join(PERSIST_FILE));
        }
    }
}

impl RetrohuntStore {
    /// Pushes to `ioc_stream`, for each job's owner, the matches the job's progress has
    /// reached by `now_ms` and not pushed yet, dated when the progress passed them. Jobs are
    /// evaluated lazily on the clock, so the IoC stream's routes call this before they read
    /// the stream.
    pub(crate) fn notify_due(&mut self, ioc_stream: &mut IocStreamStore, now_ms: u64) {
        for job in self.jobs.values_mut() {
            let matches = job.matches_at(now_ms);
            for m in matches.iter().skip(job.notified) {
                let date = job.match_ms(m, now_ms) / 1000;
                ioc_stream.push(&job.owner, date, job.notification(m));
            }
            job.notified = job.notified.max(matches.len());
        }
    }
}

/// A file of the corpus to scan.
#[derive(Debug, Clone)]
pub(crate) struct CorpusFile {
    pub(crate) sha256: String,
    pub(crate) content: Content,
}

/// The files of `corpus` (`main`: every file with contents; `goodware`: those no engine
/// flags) first submitted within `range`, in a fixed order (by SHA-256).
pub(crate) fn corpus_files(
    objects: &HashMap<ObjKey, StoredObject>,
    contents: &HashMap<String, Content>,
    corpus: &str,
    range: (Option<i64>, Option<i64>),
) -> Vec<CorpusFile> {
    let mut out: Vec<CorpusFile> = objects
        .iter()
        .filter(|((kind, _), _)| *kind == Kind::File)
        .filter_map(|((_, sha256), object)| {
            let content = contents.get(sha256)?;
            let first = object
                .attr("first_submission_date")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            if range.0.is_some_and(|s| first < s) || range.1.is_some_and(|e| first > e) {
                return None;
            }
            if corpus == "goodware" {
                let stats = object.attr("last_analysis_stats");
                let flagged = ["malicious", "suspicious"].iter().any(|k| {
                    stats
                        .and_then(|s| s.get(*k))
                        .and_then(Value::as_u64)
                        .unwrap_or(0)
                        > 0
                });
                if flagged {
                    return None;
                }
            }
            Some(CorpusFile {
                sha256: sha256.clone(),
                content: content.clone(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    out
}

/// Scans `files` with `matching_rules` (the rules that match a content, with where their
/// patterns matched): what a job reports. Files over `max_size` bytes are not scanned (as on VirusTotal) and contents
/// on disk that cannot be read are skipped.
pub(crate) fn scan_corpus(
    files: &[CorpusFile],
    max_size: u64,
    matching_rules: impl Fn(&[u8]) -> Vec<RuleHit>,
) -> ScanOutcome {
    let total = files.len().max(1) as f64;
    let mut outcome = ScanOutcome::default();
    for (i, file) in files.iter().enumerate() {
        let bytes = match &file.content {
            Content::Memory(b) if b.len() as u64 <= max_size => b.clone(),
            Content::Disk { path, size } if *size <= max_size => match std::fs::read(path) {
                Ok(b) => bytes::Bytes::from(b),
                Err(_) => continue,
            },
            _ => continue,
        };
        outcome.files += 1;
        outcome.bytes += bytes.len() as u64;
        let hits = matching_rules(&bytes);
        if let Some(first) = hits.first() {
            outcome.matches.push(Match {
                sha256: file.sha256.clone(),
                rules: hits.iter().map(|h| h.rule.clone()).collect(),
                at_percent: ((i + 1) as f64 * 100.0 / total).min(100.0),
                rule_tags: first.tags.clone(),
                snippet: first.snippet(&bytes),
            });
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(rules: &str) -> RetrohuntJob {
        RetrohuntJob {
            id: "u-1".into(),
            owner: "u".into(),
            rules: rules.into(),
            corpus: "main".into(),
            notification_email: None,
            time_range: (None, None),
            created_ms: 10_000,
            abort_ms: None,
            scan: Some(ScanOutcome {
                files: 4,
                bytes: 4000,
                matches: vec![
                    Match {
                        sha256: "a".into(),
                        rules: vec!["r".into()],
                        at_percent: 25.0,
                        rule_tags: Vec::new(),
                        snippet: String::new(),
                    },
                    Match {
                        sha256: "b".into(),
                        rules: vec!["r".into()],
                        at_percent: 75.0,
                        rule_tags: Vec::new(),
                        snippet: String::new(),
                    },
                ],
            }),
            scan_ready_ms: Some(10_001),
            notified: 0,
        }
    }

    #[test]
    fn a_job_moves_from_starting_through_running_to_finished() {
        let j = job("rule r { condition: true }");
        assert_eq!(j.state(10_500).status, "starting");
        let mid = j.state(10_000 + STARTING_MS + RUNNING_MS / 2);
        assert_eq!(mid.status, "running");
        assert_eq!(mid.progress, 50.0);
        assert_eq!(mid.num_matches, 1);
        assert_eq!(mid.scanned_bytes, 2000);
        let done = j.state(10_000 + STARTING_MS + RUNNING_MS);
        assert_eq!(done.status, "finished");
        assert_eq!(done.num_matches, 2);
        assert_eq!(done.eta_seconds, 0);
        assert!(done.is_final());
    }

    #[test]
    fn a_job_waits_for_its_scan_before_finishing() {
        let mut j = job("rule r { condition: true }");
        j.scan = None;
        j.scan_ready_ms = None;
        let late = j.state(10_000 + 10 * (STARTING_MS + RUNNING_MS));
        assert_eq!((late.status, late.progress), ("running", 99.0));
        j.scan_ready_ms = Some(100_000);
        let done = j.state(100_000);
        assert_eq!(done.status, "finished");
        assert_eq!(done.finish_ms, Some(10_000 + STARTING_MS + RUNNING_MS));
    }

    #[test]
    fn aborts_keep_the_progress_of_the_moment_and_failures_stop_at_half() {
        let mut j = job("rule r { condition: true }");
        let at = 10_000 + STARTING_MS + RUNNING_MS / 4;
        j.abort_ms = Some(at);
        assert_eq!(j.state(at).status, "aborting");
        let after = j.state(at + ABORTING_MS + 5_000_000);
        assert_eq!((after.status, after.progress), ("aborted", 25.0));
        assert_eq!(after.num_matches, 1);
        let f = job(&format!("// {FAIL_MARKER}\nrule r {{ condition: true }}"));
        let failed = f.state(1_000_000);
        assert_eq!((failed.status, failed.progress), ("failed", 50.0));
        assert_eq!(failed.num_matches, 1);
    }

    #[test]
    fn matches_reach_the_ioc_stream_once_the_progress_passes_them() {
        let mut jobs = RetrohuntStore::default();
        let mut stream = IocStreamStore::default();
        let j = job("rule r { condition: true }");
        jobs.jobs.insert(j.id.clone(), j);
        let half = 10_000 + STARTING_MS + RUNNING_MS / 2;
        jobs.notify_due(&mut stream, half);
        jobs.notify_due(&mut stream, half + 1);
        let pushed = &stream.notifications;
        assert_eq!(pushed.len(), 1);
        let ctx = pushed[0].context();
        assert_eq!(ctx["origin"], "hunting");
        assert_eq!(ctx["sources"][0]["type"], "retrohunt_job");
        assert_eq!(ctx["sources"][0]["id"], "u-1");
        assert_eq!(ctx["hunting_info"]["rule_name"], "r");
        // Dated when the progress passed the file (25 % of the running time).
        assert_eq!(
            pushed[0].date,
            (10_000 + STARTING_MS + RUNNING_MS / 4) / 1000
        );
        jobs.notify_due(&mut stream, 10_000_000);
        assert_eq!(stream.notifications.len(), 2);
        assert_eq!(stream.notifications[1].new.object.1, "b");
    }

    #[test]
    fn ids_are_owner_and_seconds_and_stay_unique() {
        let mut s = RetrohuntStore::default();
        let a = s.new_id("alice", 100);
        assert_eq!(a, "alice-100");
        let mut j = job("x");
        j.id = a.clone();
        s.jobs.insert(a, j);
        assert_eq!(s.new_id("alice", 100), "alice-101");
    }
}
