//! `vt quota plan [N | --input FILE]` and `--plan` on `vt file|url|domain|ip`: how a batch
//! would go against the key's quotas, before any lookup. The arithmetic is the library's
//! ([`vt_api::quota_plan`]); this module gathers the inputs, the quotas, the rate and the
//! cache's answers, and prints the plan.

use std::io::{BufRead, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use vt_api::quota_plan::{Budget, BudgetSource, LookupKind, PlanInput, QuotaPlan, QuotaWindow};

use crate::cli::{Format, ObjectKind, QuotaPlanArgs};
use crate::commands::context::Context;
use crate::commands::identifiers::{FileInput, ObjectRef, parse_file_input};
use crate::commands::printing::print_one;
use crate::exit::{CliError, CliResult, Exit};
use crate::item_error::fail;

/// The lookup kind of an object kind.
fn lookup_kind(kind: ObjectKind) -> LookupKind {
    match kind {
        ObjectKind::File => LookupKind::File,
        ObjectKind::Url => LookupKind::Url,
        ObjectKind::Domain => LookupKind::Domain,
        ObjectKind::Ip => LookupKind::IpAddress,
    }
}

/// `vt quota plan`.
pub async fn plan(ctx: &Context, args: QuotaPlanArgs) -> CliResult<Exit> {
    match (&args.count, &args.input) {
        (Some(count), None) => {
            let n = parse_count(count)?;
            // No inputs to ask the cache about: every lookup is a request.
            let cached = vec![false; n];
            print_plan(ctx, args.kind, &cached, false).await
        }
        (None, Some(path)) => {
            let raw = read_lines(path)?;
            let inputs = crate::batch::dedupe(raw);
            if inputs.is_empty() {
                return Err(CliError::usage(format!(
                    "--input {}: no inputs in it (one per line)",
                    path.display()
                )));
            }
            plan_inputs(ctx, args.kind, inputs).await
        }
        _ => Err(CliError::usage(
            "say how many lookups (vt quota plan 1000) or which (vt quota plan --input FILE)",
        )),
    }
}

/// `--plan` on a lookup batch: the plan of these inputs (arguments, `-` for stdin).
pub async fn plan_batch(ctx: &Context, kind: ObjectKind, inputs: &[String]) -> CliResult<Exit> {
    let inputs = crate::batch::collect_inputs(inputs)?;
    plan_inputs(ctx, kind, inputs).await
}

/// The largest N `vt quota plan N` plays out (the plan walks every request).
const MAX_COUNT: usize = 100_000_000;

/// A count of lookups: a whole number, at least 1.
fn parse_count(text: &str) -> CliResult<usize> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_COUNT).contains(&n) => Ok(n),
        _ => Err(CliError::usage(format!(
            "N {text:?}: expected how many lookups, a whole number from 1 to {MAX_COUNT}"
        ))),
    }
}

fn read_lines(path: &std::path::Path) -> CliResult<Vec<String>> {
    let what = |e: std::io::Error| CliError::usage(format!("--input {}: {e}", path.display()));
    if path.as_os_str() == "-" {
        return std::io::stdin()
            .lock()
            .lines()
            .collect::<Result<_, _>>()
            .map_err(what);
    }
    let file = std::fs::File::open(path).map_err(what)?;
    std::io::BufReader::new(file)
        .lines()
        .collect::<Result<_, _>>()
        .map_err(what)
}

/// Validates the inputs as the batch would (exit 2 on a bad one), asks the cache which it
/// answers, prints the plan.
async fn plan_inputs(ctx: &Context, kind: ObjectKind, inputs: Vec<String>) -> CliResult<Exit> {
    let ids: Vec<String> = match kind {
        ObjectKind::File => {
            let items = crate::batch::validate_all("file", inputs, parse_file_input)?;
            let mut ids = Vec::with_capacity(items.len());
            for (input, item) in items {
                ids.push(match item {
                    FileInput::Hash(h) => h.as_str().to_owned(),
                    // The batch hashes a path before asking; so does the plan.
                    FileInput::Path(p) => vt_api::hashing::hash_file_async(&p)
                        .await
                        .map_err(|e| CliError::usage(format!("{input}: {e}")))?
                        .sha256
                        .as_str()
                        .to_owned(),
                });
            }
            ids
        }
        _ => crate::batch::validate_all(kind.api_type(), inputs, |s| ObjectRef::parse(kind, s))?
            .into_iter()
            .map(|(_, obj)| match obj {
                ObjectRef::File(h) => h.as_str().to_owned(),
                ObjectRef::Url(id) => id.as_str().to_owned(),
                ObjectRef::Domain(d) => d.as_str().to_owned(),
                ObjectRef::Ip(ip) => ip.as_str().to_owned(),
            })
            .collect(),
    };
    let client = ctx.client()?;
    let lookup = lookup_kind(kind);
    let requests: Vec<_> = ids.iter().map(|id| lookup.report_request(id)).collect();
    let cached: Vec<bool> = client
        .cache_would_answer(&requests)
        .await
        .into_iter()
        .map(|age| age.is_some())
        .collect();
    print_plan(ctx, kind, &cached, true).await
}

async fn print_plan(
    ctx: &Context,
    kind: ObjectKind,
    cached: &[bool],
    asked_cache: bool,
) -> CliResult<Exit> {
    let key = ctx.settings.require_key()?.clone();
    let client = ctx.client()?;
    let spec: vt_api::RateLimitSpec = ctx
        .settings
        .rate_limit
        .0
        .parse()
        .map_err(|e| CliError::usage(format!("rate limit: {e}")))?;
    let quotas = client
        .users()
        .overall_quotas(key.expose())
        .await
        .map_err(|e| fail("quota plan", &e))?;
    let mut budgets = Budget::from_overall_quotas(&quotas);
    budgets.extend(Budget::from_rate_spec(&spec));
    let now = SystemTime::now();
    let plan = QuotaPlan::compute(&PlanInput {
        cached,
        rate: &spec,
        budgets,
        now,
    });
    let cache = &ctx.settings.cache;
    let cache_used = asked_cache && cache.enabled.0 && !cache.refresh;
    let mut value =
        serde_json::to_value(&plan).map_err(|e| CliError::usage(format!("quota plan: {e}")))?;
    if let Value::Object(m) = &mut value {
        m.insert("kind".into(), json!(kind.api_type()));
        m.insert("rate_limit".into(), json!(spec.to_string()));
        m.insert("cache_consulted".into(), json!(cache_used));
        m.insert("max_age".into(), json!(cache.max_age.0.as_secs()));
        m.insert("sufficient".into(), json!(plan.sufficient()));
        m.insert("now".into(), json!(unix(now)));
    }
    if ctx.settings.format.0 != Format::Human {
        return print_one(ctx, &json!({"type": "quota_plan", "attributes": value}));
    }
    let text = human(&plan, kind, &spec, cache_used, cache.max_age.0, now);
    std::io::stdout()
        .write_all(text.as_bytes())
        .and_then(|()| std::io::stdout().flush())
        .map_err(crate::output::output_error)?;
    Ok(Exit::Ok)
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `1d 7h 53m`, `4m 30s`, `12s`.
fn span(d: Duration) -> String {
    let s = d.as_secs();
    let (days, hours, mins, secs) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    match (days, hours, mins) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, _) => format!("{mins}m {secs}s"),
        (0, _, _) => format!("{hours}h {mins}m"),
        _ => format!("{days}d {hours}h {mins}m"),
    }
}

/// `2026-12-03 09:35 UTC`.
fn clock(t: SystemTime) -> String {
    let secs = unix(t);
    let (y, m, d) = vt_api::model::calendar::civil_from_days((secs / 86_400) as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / 3600 % 24,
        secs / 60 % 60
    )
}

fn window_name(w: QuotaWindow) -> &'static str {
    match w {
        QuotaWindow::Hour => "hourly",
        QuotaWindow::Day => "daily",
        QuotaWindow::Month => "monthly",
    }
}

fn source_name(s: BudgetSource) -> &'static str {
    match s {
        BudgetSource::User => "your",
        BudgetSource::Group => "the group's",
        BudgetSource::Local => "the --rate-limit",
    }
}

fn human(
    plan: &QuotaPlan,
    kind: ObjectKind,
    spec: &vt_api::RateLimitSpec,
    cache_used: bool,
    max_age: Duration,
    now: SystemTime,
) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!(
        "lookups:        {} ({})",
        plan.items,
        kind.api_type()
    ));
    line(if cache_used {
        format!(
            "cache answers:  {} (answers younger than {})",
            plan.cached,
            vt_api::cache::describe_age(max_age)
        )
    } else {
        format!("cache answers:  {} (cache not consulted)", plan.cached)
    });
    line(format!("requests:       {}", plan.requests));
    line(match plan.duration {
        Some(d) if plan.requests > 0 => format!(
            "duration:       about {} at {spec} (last request at {})",
            span(d),
            clock(now + d)
        ),
        Some(_) => "duration:       nothing to send".to_owned(),
        None => "duration:       no --rate-limit: as fast as VirusTotal answers".to_owned(),
    });
    for window in [QuotaWindow::Hour, QuotaWindow::Day, QuotaWindow::Month] {
        if let Some(b) = plan.tightest(window) {
            line(format!(
                "{:<16}{} of {} left ({} budget)",
                format!("{} budget:", window_name(window)),
                b.remaining(),
                b.allowed,
                source_name(b.source)
            ));
        }
    }
    line(match &plan.stop {
        None => "verdict:        the budgets suffice: the batch can finish".to_owned(),
        Some(stop) => format!(
            "verdict:        {} {} budget runs out: the batch would stop after {} of {} inputs \
             ({} requests), at {}; it resets at {} (then go on with --output FILE --resume)",
            source_name(stop.budget.source),
            window_name(stop.budget.window),
            stop.after_items,
            plan.items,
            stop.after_requests,
            clock(stop.at),
            clock(stop.resets_at)
        ),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_clocks_read_well() {
        assert_eq!(span(Duration::from_secs(12)), "12s");
        assert_eq!(span(Duration::from_secs(270)), "4m 30s");
        assert_eq!(span(Duration::from_secs(2 * 3600 + 60)), "2h 1m");
        assert_eq!(
            span(Duration::from_secs(86_400 + 7 * 3600 + 53 * 60)),
            "1d 7h 53m"
        );
        assert_eq!(
            clock(UNIX_EPOCH + Duration::from_secs(1_800_000_000)),
            "2027-01-15 08:00 UTC"
        );
    }

    #[test]
    fn counts_are_whole_and_positive() {
        assert_eq!(parse_count(" 12 ").unwrap(), 12);
        assert_eq!(parse_count("100000000").unwrap(), MAX_COUNT);
        for bad in ["0", "-3", "ten", "1.5", "", "100000001"] {
            let err = parse_count(bad).unwrap_err();
            assert_eq!(err.exit, Exit::Usage);
            assert!(err.message.contains(&format!("{bad:?}")), "{}", err.message);
        }
    }
}
