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
    let ratio = if sus > 0 {
        format!("{mal}/{total} engines (+{sus} suspicious)")
    } else {
        format!("{mal}/{total} engines")
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
        "analysis" => &["status", "date"],
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

fn generic(out: &mut String, map: &Map<String, Value>, skip: &[&str]) {
    let mut pairs = Vec::new();
    let filtered: Map<String, Value> = map
        .iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    flat_scalars("", &filtered, &mut pairs, 40);
    for (k, v) in pairs {
        if k.contains('.') {
            let _ = writeln!(out, "  {k} {v}");
        } else {
            line(out, &label(&k), &v);
        }
    }
}

/// Renders one object (or anything else) as a few lines.
pub fn render(value: &Value, style: Style) -> String {
    let mut out = String::new();
    let Some(obj) = value.as_object() else {
        let _ = writeln!(
            out,
            "{}",
            scalar("", value).unwrap_or_else(|| value.to_string())
        );
        return out;
    };
    let v2 = obj.contains_key("response_code") && !obj.contains_key("type");
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or(if v2 {
        "v2 file report"
    } else {
        "object"
    });
    let id = obj
        .get("id")
        .or_else(|| if v2 { obj.get("resource") } else { None })
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| v.to_string())
        });
    let header = match &id {
        Some(id) => format!("{kind} {id}"),
        None => kind.to_owned(),
    };
    let _ = writeln!(out, "{}", style.bold(&header));
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
    let Some(attrs) = obj.get("attributes").and_then(Value::as_object) else {
        // Plain dicts (v2 reports, ...).
        if let (Some(p), Some(t)) = (obj.get("positives"), obj.get("total")) {
            let word = if p.as_u64().unwrap_or(0) > 0 {
                "malicious"
            } else {
                "undetected"
            };
            line(
                &mut out,
                "verdict",
                &format!("{} ({p}/{t} engines)", style.verdict(word)),
            );
        }
        generic(
            &mut out,
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
        return out;
    };
    let stats = attrs
        .get("last_analysis_stats")
        .or_else(|| attrs.get("stats"))
        .and_then(Value::as_object);
    if let Some(stats) = stats {
        let (word, ratio) = verdict(stats);
        line(
            &mut out,
            "verdict",
            &format!("{} ({ratio})", style.verdict(&word)),
        );
    }
    if kind == "overall_quotas" {
        for (name, q) in attrs {
            let part = |who: &str| {
                let u = q.get(who)?;
                Some(format!("{}/{} ({who})", u.get("used")?, u.get("allowed")?))
            };
            let parts: Vec<String> = ["user", "group"].iter().filter_map(|w| part(w)).collect();
            if !parts.is_empty() {
                let name = name.strip_prefix("api_requests_").unwrap_or(name);
                line(&mut out, name, &parts.join(", "));
            }
        }
        return out;
    }
    let keys = key_attributes(kind);
    if keys.is_empty() {
        generic(
            &mut out,
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
            line(&mut out, &label(k), &s);
        }
    }
    if let Some(ctx) = obj.get("context_attributes").and_then(Value::as_object) {
        for (k, v) in ctx {
            if let Some(s) = scalar(k, v) {
                line(&mut out, &label(k), &s);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let text = render(&v, Style { color: false });
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
        assert!(render(&v, Style { color: true }).contains("\x1b[1;31mmalicious"));
    }

    #[test]
    fn quotas_show_used_over_allowed() {
        let v = json!({"type": "overall_quotas", "attributes": {
            "api_requests_daily": {"user": {"allowed": 500, "used": 26}, "group": {"allowed": 9, "used": 1}}}});
        let text = render(&v, Style { color: false });
        assert!(
            text.contains("daily         26/500 (user), 1/9 (group)"),
            "{text}"
        );
    }

    #[test]
    fn errors_and_plain_values_render() {
        let e = json!({"type": "file", "id": "x", "error": {"code": "NotFoundError", "message": "nope"}});
        assert!(render(&e, Style { color: false }).contains("NotFoundError: nope"));
        assert_eq!(render(&json!("s"), Style { color: false }), "s\n");
    }
}
