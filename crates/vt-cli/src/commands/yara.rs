//! Local YARA rules: `vt yara check RULES.yar...` and `vt yara scan RULES.yar PATH...`
//! (offline, no key), and the local compile every command that uploads rules runs first
//! ([`read_and_check`]).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::commands::context::Context;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::Shape;

/// `vt yara`.
#[derive(Debug, Subcommand)]
pub enum YaraCommand {
    /// Compile rules locally, as VirusTotal would (errors: exit 2 with file:line:column;
    /// warnings printed on stderr, not fatal). No request is sent.
    Check(YaraCheckArgs),
    /// Scan local files or directories (recursively) with rules; one result per file.
    Scan(YaraScanArgs),
}

/// `vt yara check`.
#[derive(Debug, Args)]
pub struct YaraCheckArgs {
    /// Rule files (`-` reads stdin).
    #[arg(required = true, value_name = "RULES.yar")]
    pub rules: Vec<PathBuf>,
    /// What the rules run on, which decides what of the `vt` module they may use: file,
    /// url, domain, ip_address (a Livehunt ruleset's match object type) or retrohunt.
    #[arg(long, value_name = "TARGET", default_value = "file")]
    pub target: vt_api::yara::RulesTarget,
}

/// `vt yara scan`.
#[derive(Debug, Args)]
pub struct YaraScanArgs {
    /// The rule file (`-` reads stdin).
    #[arg(value_name = "RULES.yar")]
    pub rules: PathBuf,
    /// Files or directories to scan (directories recursively, in name order).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Print only the files that some rule matched.
    #[arg(long)]
    pub matches_only: bool,
}

/// Runs a `vt yara` command.
pub async fn run(ctx: &Context, cmd: YaraCommand) -> CliResult<Exit> {
    match cmd {
        YaraCommand::Check(a) => check(ctx, a),
        YaraCommand::Scan(a) => scan(ctx, a),
    }
}

/// A rule file's text after a successful local compile, and the compiled rules.
pub struct CheckedRules {
    /// The source text, to send as is.
    pub text: String,
    /// The compiled rules.
    pub rules: vt_api::yara::Ruleset,
}

/// Reads `path` (`-`: stdin) and compiles it locally for the first of `targets` it
/// compiles for (`vt_api::yara::compile_for_any`: one target when the ruleset's type is
/// known, every Livehunt type when not): a file that cannot be read, is empty, not UTF-8,
/// too large or does not compile is a usage error (exit 2) whose one line is the compiler's
/// first error as `file:line:column: error[code]: message` (`-v` lists the others).
/// Warnings are printed on stderr (unless `--quiet`) and do not fail.
pub fn read_and_check(
    ctx: &Context,
    path: &Path,
    targets: &[vt_api::yara::RulesTarget],
) -> CliResult<CheckedRules> {
    let origin = origin_of(path);
    let bytes = read_rules(path, &origin)?;
    let source = vt_api::yara::RulesSource::new(&bytes).with_origin(&origin);
    let rules = vt_api::yara::compile_for_any(source, targets).map_err(|e| {
        let others: Vec<String> = e
            .diagnostics()
            .iter()
            .skip(1)
            .map(ToString::to_string)
            .collect();
        let err = CliError::usage(e.to_string());
        if others.is_empty() {
            err
        } else {
            err.with_detail(others.join("\nvt:   "))
        }
    })?;
    if !ctx.settings.quiet {
        let mut stderr = std::io::stderr();
        for w in rules.warnings() {
            let _ = writeln!(stderr, "vt: {w}");
        }
    }
    // Checked UTF-8 by the compile above.
    let text = String::from_utf8(bytes).unwrap_or_default();
    Ok(CheckedRules { text, rules })
}

fn origin_of(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

fn read_rules(path: &Path, origin: &str) -> CliResult<Vec<u8>> {
    let read = if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf).map(|_| buf)
    } else {
        // Refuse a directory or a huge file before reading it all.
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                return Err(CliError::usage(format!(
                    "{origin}: is a directory, not a rule file"
                )));
            }
            Ok(m) if m.len() > vt_api::yara::MAX_RULES_SIZE as u64 => {
                return Err(CliError::usage(format!(
                    "{origin}: the ruleset is {} bytes, over the limit of {}",
                    m.len(),
                    vt_api::yara::MAX_RULES_SIZE
                )));
            }
            _ => {}
        }
        std::fs::read(path)
    };
    read.map_err(|e| CliError::usage(format!("{origin}: cannot read: {e}")))
}

fn check(ctx: &Context, args: YaraCheckArgs) -> CliResult<Exit> {
    // Every file is compiled before anything is printed: one bad file is the answer.
    let mut checked = Vec::new();
    for path in &args.rules {
        checked.push((origin_of(path), read_and_check(ctx, path, &[args.target])?));
    }
    let mut printer = ctx.printer(if checked.len() == 1 {
        Shape::One
    } else {
        Shape::Many
    });
    for (origin, c) in &checked {
        let warnings: Vec<Value> = c.rules.warnings().iter().map(diagnostic_json).collect();
        printer.object(&json!({
            "type": "yara_ruleset_check",
            "id": origin,
            "attributes": {
                "number_of_rules": c.rules.len(),
                "rule_names": c.rules.rule_names(),
                "warnings": warnings,
            },
        }))?;
    }
    printer.finish()?;
    Ok(Exit::Ok)
}

fn diagnostic_json(d: &vt_api::yara::Diagnostic) -> Value {
    json!({
        "severity": d.severity.as_str(),
        "code": d.code,
        "line": d.line,
        "column": d.column,
        "message": d.message,
    })
}

fn scan(ctx: &Context, args: YaraScanArgs) -> CliResult<Exit> {
    for p in &args.paths {
        if let Err(e) = std::fs::metadata(p) {
            return Err(CliError::usage(format!("{}: {e}", p.display())));
        }
    }
    let checked = read_and_check(ctx, &args.rules, &[vt_api::yara::RulesTarget::File])?;
    let mut printer = ctx.printer(Shape::Many);
    let mut failed = false;
    for root in &args.paths {
        for result in checked.rules.scan_path(root) {
            match result {
                Ok(file) => {
                    if args.matches_only && file.matches.is_empty() {
                        continue;
                    }
                    let matches: Vec<Value> = file
                        .matches
                        .iter()
                        .map(|m| json!({"rule": m.rule, "namespace": m.namespace, "tags": m.tags}))
                        .collect();
                    let names: Vec<&str> = file.matches.iter().map(|m| m.rule.as_str()).collect();
                    printer.object(&json!({
                        "type": "yara_scan",
                        "id": file.path.display().to_string(),
                        "attributes": {"matched_rules": names, "matches": matches},
                    }))?;
                }
                Err(e) => {
                    failed = true;
                    let path = match &e {
                        vt_api::yara::ScanError::Read { path, .. } => path.display().to_string(),
                        _ => root.display().to_string(),
                    };
                    printer.failure("file", &path, "ScanError", &e.to_string())?;
                }
            }
        }
    }
    printer.finish()?;
    Ok(if failed { Exit::ItemsFailed } else { Exit::Ok })
}
