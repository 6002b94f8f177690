//! CSV writer: nested objects flattened into dotted columns (`attributes.last_analysis_stats.malicious`).
//!
//! Columns are the union over all rows, in first-seen order; arrays go into one cell as compact
//! JSON (so nothing is lost); `null` and missing cells are empty.

use std::io::{self, Write};

use serde_json::{Map, Value};

/// Flattens a value into (dotted column, cell text) pairs.
pub fn flatten(value: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match value {
        Value::Object(map) => flatten_into(map, "", &mut out),
        other => out.push(("value".to_owned(), cell(other))),
    }
    out
}

fn flatten_into(map: &Map<String, Value>, prefix: &str, out: &mut Vec<(String, String)>) {
    for (k, v) in map {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(inner) if !inner.is_empty() => flatten_into(inner, &key, out),
            other => out.push((key, cell(other))),
        }
    }
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// Writes rows with a header line.
pub fn write_table(out: &mut dyn Write, rows: &[Value]) -> io::Result<()> {
    let flat: Vec<Vec<(String, String)>> = rows.iter().map(flatten).collect();
    let mut columns: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for row in &flat {
        for (k, _) in row {
            if seen.insert(k.clone()) {
                columns.push(k.clone());
            }
        }
    }
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(&columns).map_err(io::Error::other)?;
    for row in &flat {
        let map: std::collections::HashMap<&str, &str> =
            row.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let record: Vec<&str> = columns
            .iter()
            .map(|c| map.get(c.as_str()).copied().unwrap_or(""))
            .collect();
        writer.write_record(&record).map_err(io::Error::other)?;
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_are_flattened_with_the_union_of_columns() {
        let rows = [
            json!({"type": "file", "id": "a", "attributes": {"stats": {"malicious": 1}, "names": ["x", "y"]}}),
            json!({"type": "file", "id": "b", "error": {"code": "NotFoundError", "message": "m, n"}}),
        ];
        let mut buf = Vec::new();
        write_table(&mut buf, &rows).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "type,id,attributes.stats.malicious,attributes.names,error.code,error.message"
        );
        assert_eq!(lines.next().unwrap(), r#"file,a,1,"[""x"",""y""]",,"#);
        assert_eq!(lines.next().unwrap(), r#"file,b,,,NotFoundError,"m, n""#);
    }
}
