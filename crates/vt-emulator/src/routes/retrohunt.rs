//! Retrohunt (`/intelligence/retrohunt_jobs`, premium): create a job (its rules compiled at
//! once with the emulator's YARA engine, yara-x; the scan of the dataset's file contents
//! started in the background), list the
//! caller's jobs (`filter=status:...`), get one, abort, delete, and the files it matched.
//! Each user sees only their own jobs. See [`crate::retrohunt_jobs`].

use std::sync::Arc;

use serde_json::{Value, json};

use super::paging::{self, MAX_LIMIT};
use super::request::Req;
use crate::http::multipart::BodyReader;
use crate::http::reply::Reply;
use crate::records::Kind;
use crate::retrohunt_jobs::{MAX_ACTIVE_JOBS, RetrohuntJob, corpus_files, scan_corpus};
use crate::state::Shared;
use crate::store::Store;
use crate::yara_engine::{CompiledRules, MAX_SCANNED_FILE};

/// The largest rules text accepted (as vt-api's `MAX_RULES_BYTES`).
const MAX_RULES_BYTES: usize = 1024 * 1024;
/// The largest request body read (the rules JSON-escaped, and the envelope).
const MAX_BODY_BYTES: u64 = 8 * 1024 * 1024;

/// The most rules one job may hold (VirusTotal's documented limit).
const MAX_RULES_PER_JOB: usize = 300;

/// Compiles `rules` with the emulator's YARA engine: the API's `BadRequestError` naming line
/// and column when they do not compile (or when the emulator was built without YARA), or
/// when there are more than [`MAX_RULES_PER_JOB`].
fn compile(rules: &str) -> Result<CompiledRules, Reply> {
    let compiled = CompiledRules::compile_for(rules, "retrohunt")?;
    let n = compiled.rule_names().len();
    if n > MAX_RULES_PER_JOB {
        return Err(Reply::bad_request(format!(
            "A Retrohunt job takes at most {MAX_RULES_PER_JOB} rules; these rules have {n}"
        )));
    }
    Ok(compiled)
}

/// Pushes to the IoC stream the matches Retrohunt jobs have reached by now (jobs move with
/// the clock, so the IoC stream's routes call this before they read it).
pub(crate) fn notify_ioc_stream(shared: &Arc<Shared>) {
    ensure_loaded(shared);
    let now = shared.clock.now_ms();
    let mut store = shared.write();
    let Store {
        retrohunt,
        ioc_stream,
        ..
    } = &mut *store;
    retrohunt.notify_due(ioc_stream, now);
}

/// Reads the jobs kept in a given data directory, once, and restarts the scans they lacked.
fn ensure_loaded(shared: &Arc<Shared>) {
    if shared.config.data_dir.is_none() || shared.read().retrohunt.loaded {
        return;
    }
    let unscanned = shared.write().retrohunt.load_once(&shared.data_dir);
    for id in unscanned {
        start_scan(shared, &id, None);
    }
}

/// Keeps the jobs in a given data directory.
fn persist(shared: &Shared, store: &Store) {
    if shared.config.data_dir.is_some() {
        store.retrohunt.save(&shared.data_dir);
    }
}

/// Scans the corpus of job `id` in the background with `compiled` (compiled again from the
/// job's rules when not given) and stores what it found.
fn start_scan(shared: &Arc<Shared>, id: &str, compiled: Option<CompiledRules>) {
    let (files, rules) = {
        let store = shared.read();
        let Some(job) = store.retrohunt.jobs.get(id) else {
            return;
        };
        (
            corpus_files(&store.objects, &store.contents, &job.corpus, job.time_range),
            job.rules.clone(),
        )
    };
    let compiled = match compiled {
        Some(c) => c,
        None => match compile(&rules) {
            Ok(c) => c,
            Err(_) => return,
        },
    };
    let shared = shared.clone();
    let id = id.to_owned();
    tokio::task::spawn_blocking(move || {
        let outcome = scan_corpus(&files, MAX_SCANNED_FILE, |bytes| compiled.scan(bytes));
        let now = shared.clock.now_ms();
        let mut store = shared.write();
        if let Some(job) = store.retrohunt.jobs.get_mut(&id) {
            job.scan = Some(outcome);
            job.scan_ready_ms = Some(now);
        }
        persist(&shared, &store);
    });
}

/// An optional integer member of `time_range`.
fn range_end(range: Option<&Value>, name: &str) -> Result<Option<i64>, Reply> {
    match range.and_then(|r| r.get(name)) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or_else(|| {
            Reply::invalid_argument(format!(
                "time_range.{name} must be UTC Unix seconds (an integer)"
            ))
        }),
    }
}

/// `POST /intelligence/retrohunt_jobs`:
/// `{"data": {"type": "retrohunt_job", "attributes": {"rules", "corpus"?, "time_range"?,
/// "notification_email"?}}}`.
pub(crate) async fn create(shared: &Arc<Shared>, r: &mut Req) -> Reply {
    ensure_loaded(shared);
    let Some(body) = r.body.take() else {
        return Reply::bad_request("Missing request body");
    };
    let mut reader = BodyReader::new(body, MAX_BODY_BYTES, shared.stats.clone());
    let bytes = match reader.read_all().await {
        Ok(b) => b,
        Err(e) => return Reply::bad_request(e.to_string()),
    };
    let body: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => return Reply::bad_request(format!("Malformed JSON body: {e}")),
    };
    let Some(attributes) = body.pointer("/data/attributes").and_then(Value::as_object) else {
        return Reply::bad_request(
            "Expected {\"data\": {\"type\": \"retrohunt_job\", \"attributes\": {...}}}",
        );
    };
    if let Some(t) = body.pointer("/data/type").and_then(Value::as_str)
        && t != "retrohunt_job"
    {
        return Reply::bad_request(format!(
            "Expected an object of type retrohunt_job, got {t:?}"
        ));
    }
    let Some(rules) = attributes.get("rules").and_then(Value::as_str) else {
        return Reply::bad_request("\"rules\" is required (a string of YARA rules)");
    };
    if rules.trim().is_empty() {
        return Reply::bad_request("\"rules\" is empty");
    }
    if rules.len() > MAX_RULES_BYTES {
        return Reply::bad_request(format!(
            "\"rules\" is {} bytes; at most {MAX_RULES_BYTES}",
            rules.len()
        ));
    }
    let corpus = match attributes.get("corpus") {
        None | Some(Value::Null) => "main",
        Some(Value::String(c)) if c == "main" || c == "goodware" => c.as_str(),
        Some(other) => {
            return Reply::invalid_argument(format!(
                "Invalid corpus {other}: expected \"main\" or \"goodware\""
            ));
        }
    };
    let range = attributes.get("time_range");
    let (start, end) = match (range_end(range, "start"), range_end(range, "end")) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(reply), _) | (_, Err(reply)) => return reply,
    };
    if let (Some(s), Some(e)) = (start, end)
        && s > e
    {
        return Reply::invalid_argument("time_range.start is after time_range.end");
    }
    let email = match attributes.get("notification_email") {
        None | Some(Value::Null) => None,
        Some(Value::String(e)) if e.contains('@') => Some(e.clone()),
        Some(_) => {
            return Reply::invalid_argument("notification_email must be an e-mail address");
        }
    };
    let compiled = match compile(rules) {
        Ok(c) => c,
        Err(reply) => return reply,
    };
    let owner = r.user();
    let now = shared.clock.now_ms();
    let answer = {
        let mut store = shared.write();
        if store.retrohunt.active_of(&owner, now) >= MAX_ACTIVE_JOBS {
            return Reply::bad_request(format!(
                "You have {MAX_ACTIVE_JOBS} Retrohunt jobs under way, the most allowed; wait for one to end or abort one"
            ));
        }
        let id = store.retrohunt.new_id(&owner, now / 1000);
        let job = RetrohuntJob {
            id: id.clone(),
            owner,
            rules: rules.to_owned(),
            corpus: corpus.to_owned(),
            notification_email: email,
            time_range: (start, end),
            created_ms: now,
            abort_ms: None,
            scan: None,
            scan_ready_ms: None,
            notified: 0,
        };
        let answer = job.to_json(&r.base, now);
        store.retrohunt.jobs.insert(id.clone(), job);
        persist(shared, &store);
        (answer, id)
    };
    start_scan(shared, &answer.1, Some(compiled));
    Reply::data(answer.0)
}

/// The caller's job `id`, or the reply saying it is not there.
fn own_job(shared: &Shared, r: &Req, id: &str) -> Result<RetrohuntJob, Reply> {
    let store = shared.read();
    match store.retrohunt.jobs.get(id) {
        Some(job) if job.owner == r.user() => Ok(job.clone()),
        _ => Err(Reply::not_found("Retrohunt job", id)),
    }
}

/// `GET /intelligence/retrohunt_jobs`: the caller's jobs, newest first; `filter` takes
/// `status:<status>`.
pub(crate) fn list(shared: &Arc<Shared>, r: &Req) -> Reply {
    ensure_loaded(shared);
    let now = shared.clock.now_ms();
    let status = match r.q("filter").map(str::trim).unwrap_or("") {
        "" => None,
        f => match f.strip_prefix("status:") {
            Some(s) if !s.is_empty() => Some(s.to_owned()),
            _ => {
                return Reply::invalid_argument(format!(
                    "Invalid filter {f:?}: expected status:(starting|running|aborting|aborted|finished|failed)"
                ));
            }
        },
    };
    let user = r.user();
    let mut jobs: Vec<RetrohuntJob> = shared
        .read()
        .retrohunt
        .jobs
        .values()
        .filter(|j| j.owner == user)
        .filter(|j| status.as_deref().is_none_or(|s| j.state(now).status == s))
        .cloned()
        .collect();
    jobs.sort_by(|a, b| b.created_ms.cmp(&a.created_ms).then(b.id.cmp(&a.id)));
    let page = match paging::page(r, jobs.len(), MAX_LIMIT) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let data = jobs[page.start..page.end]
        .iter()
        .map(|j| j.to_json(&r.base, now))
        .collect();
    paging::collection(r, data, &page, jobs.len(), None)
}

/// `GET /intelligence/retrohunt_jobs/{id}`.
pub(crate) fn get(shared: &Arc<Shared>, r: &Req, id: &str) -> Reply {
    ensure_loaded(shared);
    match own_job(shared, r, id) {
        Ok(job) => Reply::data(job.to_json(&r.base, shared.clock.now_ms())),
        Err(reply) => reply,
    }
}

/// `POST /intelligence/retrohunt_jobs/{id}/abort`: `aborting`, then `aborted`. Aborting an
/// aborted job changes nothing; a job that already finished or failed cannot be aborted.
pub(crate) fn abort(shared: &Arc<Shared>, r: &Req, id: &str) -> Reply {
    ensure_loaded(shared);
    let now = shared.clock.now_ms();
    let mut store = shared.write();
    let user = r.user();
    let Some(job) = store.retrohunt.jobs.get_mut(id).filter(|j| j.owner == user) else {
        return Reply::not_found("Retrohunt job", id);
    };
    let state = job.state(now);
    match state.status {
        "finished" | "failed" => Reply::bad_request(format!(
            "Retrohunt job {id} has already {}; it cannot be aborted",
            state.status
        )),
        "aborting" | "aborted" => Reply::json(&json!({})),
        _ => {
            job.abort_ms = Some(now);
            persist(shared, &store);
            Reply::json(&json!({}))
        }
    }
}

/// `DELETE /intelligence/retrohunt_jobs/{id}`: the job and its matches.
pub(crate) fn delete(shared: &Arc<Shared>, r: &Req, id: &str) -> Reply {
    ensure_loaded(shared);
    let mut store = shared.write();
    let user = r.user();
    if store.retrohunt.jobs.get(id).is_none_or(|j| j.owner != user) {
        return Reply::not_found("Retrohunt job", id);
    }
    store.retrohunt.jobs.remove(id);
    persist(shared, &store);
    Reply::json(&json!({}))
}

/// `GET /intelligence/retrohunt_jobs/{id}/matching_files`: the files matched so far, in scan
/// order, as file objects with `context_attributes` (`rule_name`, `match_in_subfile`).
pub(crate) fn matching_files(shared: &Arc<Shared>, r: &Req, id: &str) -> Reply {
    ensure_loaded(shared);
    let job = match own_job(shared, r, id) {
        Ok(job) => job,
        Err(reply) => return reply,
    };
    let matches = job.matches_at(shared.clock.now_ms());
    let page = match paging::page(r, matches.len(), MAX_LIMIT) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let store = shared.read();
    let data: Vec<Value> = matches[page.start..page.end]
        .iter()
        .map(|m| {
            let mut file = store
                .get(&(Kind::File, m.sha256.clone()))
                .map(|o| o.data.clone())
                .unwrap_or_else(|| json!({"type": "file", "id": m.sha256, "attributes": {}}));
            if let Some(obj) = file.as_object_mut() {
                obj.insert(
                    "context_attributes".into(),
                    json!({
                        "rule_name": m.rules.first(),
                        "rule_names": m.rules,
                        "match_in_subfile": false,
                    }),
                );
            }
            file
        })
        .collect();
    paging::collection(r, data, &page, matches.len(), None)
}
