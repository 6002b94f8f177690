//! The `human` format: a compact summary per object (verdict, detection ratio, key attributes,
//! dates as UTC). Colour only when asked for (a terminal without `NO_COLOR`).

use std::fmt::Write as _;

use serde_json::{Map, Value};

/// Terminal styling.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Whether to emit ANSI colours.
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
    /// `padded` (the verdict padded to its column) in the verdict's colour.
    fn verdict_padded(&self, verdict: &str, padded: &str) -> String {
        let painted = self.verdict(verdict);
        if painted == verdict {
            padded.to_owned()
        } else {
            format!("{painted}{}", &padded[verdict.len()..])
        }
    }
    fn verdict(&self, verdict: &str) -> String {
        match verdict {
            "malicious" => self.paint("1;31", verdict),
            "suspicious" => self.paint("1;33", verdict),
            "harmless" | "undetected" | "clean" => self.paint("32", verdict),
            _ => verdict.to_owned(),
        }
    }
}

/// Formats Unix seconds as `YYYY-MM-DD HH:MM:SS UTC` (vt-model does the calendar).
pub fn utc(secs: i64) -> String {
    // `YYYY-MM-DDTHH:MM:SSZ` → `YYYY-MM-DD HH:MM:SS UTC`.
    let rfc3339 = vt_model::Timestamp(secs).to_rfc3339();
    format!(
        "{} UTC",
        rfc3339.trim_end_matches('Z').replacen('T', " ", 1)
    )
}

fn is_date_key(key: &str) -> bool {
    key.ends_with("_date") || key == "date" || key == "last_login" || key == "user_since"
}

fn scalar(key: &str, v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.replace(['\n', '\r'], " ")),
        Value::Number(n) if is_date_key(key) => n.as_i64().map(utc).or_else(|| Some(n.to_string())),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(items)
            if !items.is_empty() && items.iter().all(|i| !i.is_object() && !i.is_array()) =>
        {
            let parts: Vec<String> = items
                .iter()
                .take(8)
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| i.to_string())
                })
                .collect();
            let more = if items.len() > 8 {
                format!(" (+{} more)", items.len() - 8)
            } else {
                String::new()
            };
            Some(format!("{}{more}", parts.join(", ")))
        }
        _ => None,
    }
}

/// The verdict and `malicious/total` of a stats dict.
pub fn verdict(stats: &Map<String, Value>) -> (String, String) {
    let n = |k: &str| stats.get(k).and_then(Value::as_u64).unwrap_or(0);
    let (mal, sus, harm, und) = (
        n("malicious"),
        n("suspicious"),
        n("harmless"),
        n("undetected"),
    );
    let total = mal + sus + harm + und;
    let word = if mal > 0 {
        "malicious"
    } else if sus > 0 {
        "suspicious"
    } else if total == 0 {
        "no verdict"
    } else if harm > 0 && und == 0 {
        "harmless"
    } else {
        "undetected"
    };
    // Without `undetected` and `harmless` (stats cut by `-i`), the total is unknown: no
    // ratio that would claim every engine detected it.
    let whole = stats.contains_key("undetected") || stats.contains_key("harmless");
    let of_total = if whole {
        format!("{mal}/{total}")
    } else {
        mal.to_string()
    };
    let ratio = if sus > 0 {
        format!("{of_total} engines (+{sus} suspicious)")
    } else {
        format!("{of_total} engines")
    };
    (word.to_owned(), ratio)
}

/// Key attributes shown first, per object type.
fn key_attributes(kind: &str) -> &'static [&'static str] {
    match kind {
        "file" => &[
            "meaningful_name",
            "type_description",
            "size",
            "md5",
            "sha1",
            "reputation",
            "times_submitted",
            "first_submission_date",
            "last_submission_date",
            "last_analysis_date",
            "tags",
        ],
        "url" => &[
            "url",
            "last_final_url",
            "title",
            "last_http_response_code",
            "reputation",
            "first_submission_date",
            "last_analysis_date",
            "tags",
        ],
        "domain" => &[
            "registrar",
            "creation_date",
            "reputation",
            "last_analysis_date",
            "tags",
        ],
        "ip_address" => &[
            "as_owner",
            "asn",
            "country",
            "network",
            "reputation",
            "last_analysis_date",
            "tags",
        ],
        "analysis" | "private_analysis" => &["status", "date"],
        "comment" => &["text", "date", "tags"],
        "vote" => &["verdict", "value", "date"],
        "monitor_item" | "monitoritem" => &[
            "path",
            "item_type",
            "sha256",
            "size",
            "last_detections_count",
            "last_analysis_date",
            "tags",
            "details",
        ],
        "monitor_analysis" => &["date", "detections_count", "sha256", "tags"],
        "file_behaviour" => &["sandbox_name", "analysis_date", "has_pcap", "tags"],
        _ => &[],
    }
}

/// A short label for an attribute.
fn label(key: &str) -> String {
    let short = match key {
        "meaningful_name" => "name",
        "type_description" => "type",
        "times_submitted" => "submissions",
        "first_submission_date" => "first seen",
        "last_submission_date" => "last seen",
        "last_analysis_date" => "last analysis",
        "last_final_url" => "final url",
        "last_http_response_code" => "http status",
        "last_detections_count" => "detections",
        "next_analysis_date" => "next analysis",
        "first_detection_date" => "detected on",
        "creation_date" => "created",
        "detections_count" => "detections",
        "analysis_date" => "analysed",
        "sandbox_name" => "sandbox",
        "item_type" => "kind",
        other => other,
    };
    short.replace('_', " ")
}

/// One `  label value` line; labels line up at 14 columns and always have a space after.
fn line(out: &mut String, label: &str, value: &str) {
    let _ = writeln!(out, "  {label:<13} {value}");
}

/// Lines of `(label, value)` pairs with the labels lined up on the longest one (at least 13).
fn aligned(out: &mut String, pairs: &[(String, String)]) {
    let width = pairs
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        .max(13);
    for (k, v) in pairs {
        let _ = writeln!(out, "  {k:<width$} {v}");
    }
}

/// How to see what a human view leaves out.
const SEE_ALL: &str = "--format json shows everything";

/// Scalars of nested objects as dotted paths (`api_requests_daily.user.used`), at most `max`.
fn flat_scalars(
    prefix: &str,
    map: &Map<String, Value>,
    out: &mut Vec<(String, String)>,
    max: usize,
) {
    for (k, v) in map {
        if out.len() >= max {
            return;
        }
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(inner) if prefix.matches('.').count() < 3 => {
                flat_scalars(&key, inner, out, max)
            }
            Value::Object(inner) => out.push((key, format!("{{{} entries}}", inner.len()))),
            other => {
                if let Some(s) = scalar(k, other) {
                    out.push((key, s));
                }
            }
        }
    }
}

/// Up to [`GENERIC_LINES`] scalars of `map` (nested ones as dotted paths), lined up; when
/// there are more, a last line says how many were left out and how to see them.
fn generic(out: &mut String, map: &Map<String, Value>, skip: &[&str]) {
    let mut pairs = Vec::new();
    let filtered: Map<String, Value> = map
        .iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    flat_scalars("", &filtered, &mut pairs, usize::MAX);
    let total = pairs.len();
    pairs.truncate(GENERIC_LINES);
    let pairs: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(k, v)| {
            if k.contains('.') {
                (k, v)
            } else {
                (label(&k), v)
            }
        })
        .collect();
    aligned(out, &pairs);
    if total > GENERIC_LINES {
        let _ = writeln!(
            out,
            "  … {} more fields not shown ({SEE_ALL})",
            total - GENERIC_LINES
        );
    }
}

/// How many lines [`generic`] shows.
const GENERIC_LINES: usize = 40;

/// `first, second, third (+N more)` of a list of names.
fn first_few(items: &[String], few: usize) -> String {
    let shown = items
        .iter()
        .take(few)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > few {
        format!("{shown} (+{} more)", items.len() - few)
    } else {
        shown
    }
}

/// The file view's extras: the popular threat label, the engines that detect it and its
/// names.
fn file_extras(out: &mut String, attrs: &Map<String, Value>) {
    if let Some(label) = attrs
        .get("popular_threat_classification")
        .and_then(|p| p.get("suggested_threat_label"))
        .and_then(Value::as_str)
    {
        line(out, "threat label", label);
    }
    if let Some(results) = attrs
        .get("last_analysis_results")
        .and_then(Value::as_object)
    {
        let detecting: Vec<String> = results
            .iter()
            .filter(|(_, r)| {
                matches!(
                    r.get("category").and_then(Value::as_str),
                    Some("malicious" | "suspicious")
                )
            })
            .map(
                |(engine, r)| match r.get("result").and_then(Value::as_str) {
                    Some(name) => format!("{engine} ({name})"),
                    None => engine.clone(),
                },
            )
            .collect();
        if !detecting.is_empty() {
            line(out, "detected by", &first_few(&detecting, 4));
        }
    }
    if let Some(names) = attrs.get("names").and_then(Value::as_array) {
        let names: Vec<String> = names
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        if !names.is_empty() {
            line(out, "names", &first_few(&names, 5));
        }
    }
}

/// The domain view's extras: DNS records and categories.
fn domain_extras(out: &mut String, attrs: &Map<String, Value>) {
    if let Some(records) = attrs.get("last_dns_records").and_then(Value::as_array) {
        let shown: Vec<String> = records
            .iter()
            .filter_map(|r| {
                Some(format!(
                    "{} {}",
                    r.get("type")?.as_str()?,
                    r.get("value")?.as_str()?
                ))
            })
            .collect();
        if !shown.is_empty() {
            line(out, "dns", &first_few(&shown, 6));
        }
    }
    if let Some(categories) = attrs.get("categories").and_then(Value::as_object) {
        let mut distinct: Vec<String> = Vec::new();
        for c in categories.values().filter_map(Value::as_str) {
            if !distinct.iter().any(|d| d == c) {
                distinct.push(c.to_owned());
            }
        }
        if !distinct.is_empty() {
            line(out, "categories", &first_few(&distinct, 5));
        }
    }
}

/// What an analysis was about (the envelope's `meta`, kept by `vt`): the file's SHA-256 or
/// the URL.
fn analysis_subject(out: &mut String, obj: &Map<String, Value>) {
    let meta = obj.get("meta");
    let sha256 = meta
        .and_then(|m| m.get("file_info"))
        .and_then(|f| f.get("sha256"))
        .and_then(Value::as_str);
    if let Some(sha256) = sha256 {
        line(out, "sha256", sha256);
    }
    let url = meta
        .and_then(|m| m.get("url_info"))
        .and_then(|u| u.get("url"))
        .and_then(Value::as_str);
    if let Some(url) = url {
        line(out, "url", url);
    }
}

/// A private analysis's progress per sandbox, on one line: `Zenbox finished 100%, ...`.
fn sandbox_progress(out: &mut String, attrs: &Map<String, Value>) {
    let Some(sandboxes) = attrs.get("sandbox_status").and_then(Value::as_object) else {
        return;
    };
    let each: Vec<String> = sandboxes
        .iter()
        .map(|(name, p)| {
            let status = p.get("status").and_then(Value::as_str).unwrap_or("?");
            match p.get("in_progress_percent").and_then(Value::as_u64) {
                Some(pct) => format!("{name} {status} {pct}%"),
                None => format!("{name} {status}"),
            }
        })
        .collect();
    if !each.is_empty() {
        line(out, "sandboxes", &first_few(&each, 4));
    }
}

/// One table row of a batch: the input, the verdict, the detection ratio and a short note
/// (name, title, status ...), the input padded to `width`.
pub fn row(value: &Value, input: &str, width: usize, style: Style) -> String {
    let input_col = format!("{input:<width$}");
    let Some(obj) = value.as_object() else {
        return format!(
            "{input_col}  {}\n",
            scalar("", value).unwrap_or_else(|| value.to_string())
        );
    };
    if let Some(err) = obj.get("error") {
        let code = err.get("code").and_then(Value::as_str).unwrap_or("Error");
        return format!("{input_col}  {}\n", style.paint("31", code));
    }
    let attrs = obj.get("attributes").and_then(Value::as_object);
    let stats = attrs
        .and_then(|a| a.get("last_analysis_stats").or_else(|| a.get("stats")))
        .and_then(Value::as_object);
    let (word, ratio) = match stats {
        Some(stats) => verdict(stats),
        None => (String::new(), String::new()),
    };
    let note_keys = [
        "meaningful_name",
        "title",
        "status",
        "path",
        "as_owner",
        "registrar",
    ];
    let note = attrs
        .and_then(|a| {
            note_keys
                .iter()
                .find_map(|k| a.get(*k).and_then(|v| scalar(k, v)))
        })
        .unwrap_or_default();
    let padded = format!("{word:<10}");
    let mut line = format!(
        "{input_col}  {}  {ratio:<16}  {note}",
        style.verdict_padded(&word, &padded)
    );
    line.truncate(line.trim_end().len());
    line.push('\n');
    line
}

/// Renders one object (or anything else) as a few lines; `input` (what the user gave) is
/// named when it is not the object's id (a path, a URL).
pub fn render(value: &Value, input: Option<&str>, style: Style) -> String {
    let mut out = String::new();
    let Some(obj) = value.as_object() else {
        let _ = writeln!(
            out,
            "{}",
            scalar("", value).unwrap_or_else(|| value.to_string())
        );
        return out;
    };
    let (kind, id) = title(obj);
    let header = match &id {
        Some(id) => format!("{kind} {id}"),
        None => kind.to_owned(),
    };
    let _ = writeln!(out, "{}", style.bold(&header));
    if let Some(input) = input.filter(|i| Some(*i) != id.as_deref()) {
        line(&mut out, "input", input);
    }
    if let Some(err) = obj.get("error") {
        let code = err.get("code").and_then(Value::as_str).unwrap_or("Error");
        let msg = err.get("message").and_then(Value::as_str).unwrap_or("");
        line(
            &mut out,
            "error",
            &format!("{}: {msg}", style.paint("31", code)),
        );
        return out;
    }
    match obj.get("attributes").and_then(Value::as_object) {
        Some(attrs) => api_object(&mut out, kind, obj, attrs, style),
        None => plain_dict(&mut out, obj, style),
    }
    if out.contains(" more)") {
        let _ = writeln!(out, "  … lists are cut short ({SEE_ALL})");
    }
    out
}

/// The title of an object: its kind and id. A v2 report (`response_code`, no `attributes`)
/// is titled as one, with its `resource` (its `type`, with `--allinfo`, is the file's type).
fn title(obj: &Map<String, Value>) -> (&str, Option<String>) {
    let v2 = obj.contains_key("response_code") && !obj.contains_key("attributes");
    let kind = if v2 {
        "v2 file report"
    } else {
        obj.get("type").and_then(Value::as_str).unwrap_or("object")
    };
    let id = obj
        .get("id")
        .or_else(|| if v2 { obj.get("resource") } else { None })
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| v.to_string())
        });
    (kind, id)
}

/// A dict without `attributes` (v2 reports, statistics, ...): the v2 verdict, then scalars.
fn plain_dict(out: &mut String, obj: &Map<String, Value>, style: Style) {
    if let (Some(p), Some(t)) = (obj.get("positives"), obj.get("total")) {
        let word = if p.as_u64().unwrap_or(0) > 0 {
            "malicious"
        } else {
            "undetected"
        };
        line(
            out,
            "verdict",
            &format!("{} ({p}/{t} engines)", style.verdict(word)),
        );
    }
    generic(
        out,
        obj,
        &[
            "type",
            "id",
            "positives",
            "total",
            "scans",
            "resource",
            "links",
        ],
    );
}

/// An API object: the verdict, the extras of its type, then its key attributes (or, for
/// types without a list, its scalars) and context attributes.
fn api_object(
    out: &mut String,
    kind: &str,
    obj: &Map<String, Value>,
    attrs: &Map<String, Value>,
    style: Style,
) {
    let stats = attrs
        .get("last_analysis_stats")
        .or_else(|| attrs.get("stats"))
        .and_then(Value::as_object);
    if let Some(stats) = stats {
        let (word, ratio) = verdict(stats);
        line(
            out,
            "verdict",
            &format!("{} ({ratio})", style.verdict(&word)),
        );
    }
    match kind {
        "file" => file_extras(out, attrs),
        "domain" => domain_extras(out, attrs),
        "analysis" => analysis_subject(out, obj),
        "private_analysis" => {
            analysis_subject(out, obj);
            sandbox_progress(out, attrs);
        }
        "overall_quotas" => return quotas(out, attrs),
        _ => {}
    }
    let keys = key_attributes(kind);
    if keys.is_empty() {
        generic(
            out,
            attrs,
            &[
                "last_analysis_stats",
                "stats",
                "last_analysis_results",
                "results",
            ],
        );
    }
    for k in keys {
        if let Some(s) = attrs.get(*k).and_then(|v| scalar(k, v)) {
            let s = if *k == "size" {
                format!("{s} bytes")
            } else {
                s
            };
            line(out, &label(k), &s);
        }
    }
    if let Some(ctx) = obj.get("context_attributes").and_then(Value::as_object) {
        for (k, v) in ctx {
            if let Some(s) = scalar(k, v) {
                line(out, &label(k), &s);
            }
        }
    }
}

/// `vt quota`: used/allowed per window, for the user and the group.
fn quotas(out: &mut String, attrs: &Map<String, Value>) {
    for (name, q) in attrs {
        let part = |who: &str| {
            let u = q.get(who)?;
            Some(format!("{}/{} ({who})", u.get("used")?, u.get("allowed")?))
        };
        let parts: Vec<String> = ["user", "group"].iter().filter_map(|w| part(w)).collect();
        if !parts.is_empty() {
            let name = name.strip_prefix("api_requests_").unwrap_or(name);
            line(out, name, &parts.join(", "));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_analysis_shows_its_file_status_and_sandboxes_on_aligned_lines() {
        let a = json!({"type": "private_analysis", "id": "p1", "attributes": {
            "status": "in-progress", "date": 1700000000,
            "sandbox_status": {"Zenbox": {"status": "running", "in_progress_percent": 40},
                               "CAPE": {"status": "queued"}}},
            "meta": {"file_info": {"sha256": "ab12"}}});
        let text = render(&a, None, Style { color: false });
        assert!(text.contains("  sha256        ab12"), "{text}");
        assert!(text.contains("  status        in-progress"), "{text}");
        assert!(
            text.contains("  sandboxes     Zenbox running 40%, CAPE queued"),
            "{text}"
        );
        assert!(!text.contains("sandbox_status."), "{text}");
    }

    #[test]
    fn stats_cut_by_a_filter_give_no_ratio() {
        let stats = |v: Value| v.as_object().unwrap().clone();
        let (word, ratio) = verdict(&stats(json!({"malicious": 62})));
        assert_eq!((word.as_str(), ratio.as_str()), ("malicious", "62 engines"));
        let (_, ratio) = verdict(&stats(json!({"malicious": 62, "undetected": 12})));
        assert_eq!(ratio, "62/74 engines");
    }
    use serde_json::json;

    #[test]
    fn dates_are_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_502_355_193), "2017-08-10 08:53:13 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
    }

    #[test]
    fn a_file_shows_verdict_ratio_and_key_attributes() {
        let v = json!({"type": "file", "id": "abc", "attributes": {
            "last_analysis_stats": {"malicious": 3, "suspicious": 0, "undetected": 60, "harmless": 0, "timeout": 1},
            "meaningful_name": "x.exe", "size": 68, "last_analysis_date": 0,
            "tags": ["peexe", "signed"]}});
        let text = render(&v, None, Style { color: false });
        assert!(text.starts_with("file abc\n"), "{text}");
        assert!(
            text.contains("verdict       malicious (3/63 engines)"),
            "{text}"
        );
        assert!(text.contains("  name          x.exe"), "{text}");
        assert!(text.contains("68 bytes"), "{text}");
        assert!(text.contains("1970-01-01 00:00:00 UTC"), "{text}");
        assert!(text.contains("peexe, signed"), "{text}");
        assert!(!text.contains('\x1b'));
    }

    #[test]
    fn colour_only_when_asked() {
        let v = json!({"type": "domain", "id": "d", "attributes": {"last_analysis_stats": {"malicious": 1}}});
        assert!(render(&v, None, Style { color: true }).contains("\x1b[1;31mmalicious"));
    }

    #[test]
    fn quotas_show_used_over_allowed() {
        let v = json!({"type": "overall_quotas", "attributes": {
            "api_requests_daily": {"user": {"allowed": 500, "used": 26}, "group": {"allowed": 9, "used": 1}}}});
        let text = render(&v, None, Style { color: false });
        assert!(
            text.contains("daily         26/500 (user), 1/9 (group)"),
            "{text}"
        );
    }

    #[test]
    fn a_file_names_its_threat_detecting_engines_names_and_dates() {
        let v = json!({"type": "file", "id": "abc", "attributes": {
            "popular_threat_classification": {"suggested_threat_label": "trojan.emotet/x"},
            "last_analysis_results": {
                "A": {"category": "malicious", "result": "Emotet"},
                "B": {"category": "undetected", "result": null},
                "C": {"category": "malicious", "result": "Trojan"},
                "D": {"category": "malicious"}, "E": {"category": "malicious"},
                "F": {"category": "suspicious"}},
            "names": ["a.exe", "b.exe"], "type_description": "Win32 EXE",
            "first_submission_date": 0, "last_submission_date": 86400, "tags": ["peexe"]}});
        let text = render(&v, Some("./a.exe"), Style { color: false });
        assert!(text.contains("  input         ./a.exe"), "{text}");
        assert!(text.contains("threat label  trojan.emotet/x"), "{text}");
        assert!(
            text.contains("detected by   A (Emotet), C (Trojan), D, E (+1 more)"),
            "{text}"
        );
        assert!(text.contains("names         a.exe, b.exe"), "{text}");
        assert!(text.contains("type          Win32 EXE"), "{text}");
        assert!(text.contains("last seen     1970-01-02"), "{text}");
        assert!(text.contains("--format json shows everything"), "{text}");
    }

    #[test]
    fn a_domain_shows_dns_records_and_categories() {
        let v = json!({"type": "domain", "id": "example.com", "attributes": {
            "last_dns_records": [{"type": "A", "value": "1.2.3.4", "ttl": 60}],
            "categories": {"X": "search engines", "Y": "search engines", "Z": "portals"}}});
        let text = render(&v, Some("example.com"), Style { color: false });
        assert!(!text.contains("input"), "the input is the id: {text}");
        assert!(text.contains("dns           A 1.2.3.4"), "{text}");
        assert!(
            text.contains("categories    search engines, portals"),
            "{text}"
        );
    }

    #[test]
    fn long_generic_views_say_what_they_leave_out_and_line_up() {
        let mut attrs = Map::new();
        for i in 0..45 {
            attrs.insert(format!("field_{i:02}"), json!(i));
        }
        attrs.insert("nested".into(), json!({"a_rather_long_key": {"x": 1}}));
        let v = json!({"type": "metadata", "attributes": attrs});
        let text = render(&v, None, Style { color: false });
        assert!(
            text.contains("… 6 more fields not shown (--format json"),
            "{text}"
        );
        let v = json!({"type": "resolution", "id": "r", "attributes": {"host_name": "h", "ip_address_last_analysis_stats": {"malicious": 1}}});
        let text = render(&v, None, Style { color: false });
        // The values (no spaces in them here) start in one column.
        let starts: Vec<usize> = text
            .lines()
            .skip(1)
            .map(|l| l.rfind(' ').unwrap() + 1)
            .collect();
        assert_eq!(starts.len(), 2, "{text}");
        assert!(starts.windows(2).all(|w| w[0] == w[1]), "{text}");
    }

    #[test]
    fn v2_reports_are_titled_as_reports_and_analyses_name_their_subject() {
        let v = json!({"response_code": 1, "resource": "abc", "type": "Win32 EXE", "positives": 1, "total": 2});
        let text = render(&v, None, Style { color: false });
        assert!(text.starts_with("v2 file report abc"), "{text}");
        let a = json!({"type": "analysis", "id": "x", "attributes": {"status": "completed",
            "stats": {"malicious": 1, "undetected": 1}}, "meta": {"file_info": {"sha256": "f00"}}});
        let text = render(&a, Some("./s.bin"), Style { color: false });
        assert!(text.contains("input         ./s.bin"), "{text}");
        assert!(text.contains("sha256        f00"), "{text}");
        assert!(
            text.contains("verdict       malicious (1/2 engines)"),
            "{text}"
        );
    }

    #[test]
    fn batch_rows_are_one_line_each() {
        let v = json!({"type": "file", "id": "abc", "attributes": {
            "last_analysis_stats": {"malicious": 3, "undetected": 60}, "meaningful_name": "x.exe"}});
        let row = row(&v, "abc", 5, Style { color: false });
        assert_eq!(row, "abc    malicious   3/63 engines      x.exe\n");
        let e = json!({"type": "file", "id": "q", "error": {"code": "NotFoundError"}});
        assert_eq!(
            super::row(&e, "q", 1, Style { color: false }),
            "q  NotFoundError\n"
        );
    }

    #[test]
    fn errors_and_plain_values_render() {
        let e = json!({"type": "file", "id": "x", "error": {"code": "NotFoundError", "message": "nope"}});
        assert!(render(&e, None, Style { color: false }).contains("NotFoundError: nope"));
        assert_eq!(render(&json!("s"), None, Style { color: false }), "s\n");
    }
}
