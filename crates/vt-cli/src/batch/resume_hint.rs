//! The command line to suggest for resuming a batch, without the key.

/// The command line to suggest when a batch must be resumed: the arguments as given, without
/// `--api-key` (never printed), `--output` and `--resume`.
pub fn resume_hint(args: impl IntoIterator<Item = String>) -> String {
    let mut out = Vec::new();
    let mut skip_next = false;
    for (i, arg) in args.into_iter().enumerate() {
        if skip_next {
            skip_next = false;
            continue;
        }
        if i == 0 {
            out.push("vt".to_owned());
            continue;
        }
        if arg == "--api-key" || arg == "--output" {
            skip_next = true;
            continue;
        }
        if arg.starts_with("--api-key=") || arg.starts_with("--output=") || arg == "--resume" {
            continue;
        }
        if arg.is_empty()
            || arg.contains(|c: char| c.is_whitespace() || "'\"$`\\|&;<>()*?!".contains(c))
        {
            out.push(format!("'{}'", arg.replace('\'', r"'\''")));
        } else {
            out.push(arg);
        }
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resume_hint_never_contains_the_key() {
        let args = [
            "vt",
            "--api-key",
            "SECRET",
            "file",
            "-",
            "--output",
            "o.ndjson",
            "--resume",
            "--api-key=SECRET2",
            "a b",
        ];
        let hint = resume_hint(args.map(String::from));
        assert_eq!(hint, "vt file - 'a b'");
    }
}
