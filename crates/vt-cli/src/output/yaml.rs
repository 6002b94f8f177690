//! YAML writer: one item as a mapping, several as a sequence streamed item by item.

use std::io::{self, Write};

use serde_json::Value;

fn to_yaml(value: &Value) -> io::Result<String> {
    serde_norway::to_string(value).map_err(io::Error::other)
}

/// One value as a YAML document.
pub fn write_document(out: &mut dyn Write, value: &Value) -> io::Result<()> {
    out.write_all(to_yaml(value)?.as_bytes())
}

/// One element of a YAML sequence (`- ...`), so that elements concatenate into one sequence.
pub fn write_sequence_element(out: &mut dyn Write, value: &Value) -> io::Result<()> {
    let text = to_yaml(&Value::Array(vec![value.clone()]))?;
    out.write_all(text.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn concatenated_elements_are_one_sequence() {
        let mut buf = Vec::new();
        write_sequence_element(&mut buf, &json!({"type": "file", "id": "a", "n": [1]})).unwrap();
        write_sequence_element(&mut buf, &json!({"type": "url", "id": "b"})).unwrap();
        let back: Value = serde_norway::from_slice(&buf).unwrap();
        assert_eq!(
            back,
            json!([{"type": "file", "id": "a", "n": [1]}, {"type": "url", "id": "b"}])
        );
    }
}
