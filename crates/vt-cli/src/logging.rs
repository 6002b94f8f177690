//! `-v` logging to stderr, with the API key scrubbed from every line as a last line of defence
//! (the transport already redacts its header; this also catches a key inside a URL path, as in
//! `/users/{key}/overall_quotas`).

use std::io::{self, Write};
use std::sync::OnceLock;

static SECRET: OnceLock<String> = OnceLock::new();

/// Registers the API key so that no log line ever shows it.
pub fn register_secret(key: &str) {
    if !key.is_empty() {
        let _ = SECRET.set(key.to_owned());
    }
}

/// Replaces the registered key in `text`.
pub fn scrub(text: &str) -> std::borrow::Cow<'_, str> {
    match SECRET.get() {
        Some(k) if text.contains(k.as_str()) => text.replace(k.as_str(), "<redacted>").into(),
        _ => text.into(),
    }
}

/// Stderr, scrubbed.
struct ScrubbedStderr;

impl Write for ScrubbedStderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        io::stderr().write_all(scrub(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

/// Sets up tracing for `-v` (info), `-vv` (debug), `-vvv` (trace); `VT_LOG` without `-v`.
pub fn init(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn",
        1 => "warn,vt_api=info,vt_transport=info,vt=info",
        2 => "debug",
        _ => "trace",
    };
    let filter = if verbose == 0 {
        EnvFilter::try_from_env("VT_LOG").unwrap_or_else(|_| EnvFilter::new(default))
    } else {
        EnvFilter::new(default)
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| ScrubbedStderr)
        .with_ansi(false)
        .with_target(verbose > 1)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_scrubbed() {
        register_secret("SECRET123");
        assert_eq!(
            scrub("GET /users/SECRET123/overall_quotas"),
            "GET /users/<redacted>/overall_quotas"
        );
        assert_eq!(scrub("nothing here"), "nothing here");
    }
}
