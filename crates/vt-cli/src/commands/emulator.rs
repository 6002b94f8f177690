//! `vt emulator serve`: the local VirusTotal emulator, until Ctrl-C.

use std::io::Write;

use vt_emulator::{
    AnalysisTiming, Emulator, EmulatorConfig, FaultRule, KeySpec, QuotaWindows, parse_duration,
};

use crate::cli::{EmulatorCommand, EmulatorServeArgs};
use crate::exit::{CliError, CliResult, Exit};

/// Runs a `vt emulator` command.
pub async fn run(cmd: EmulatorCommand) -> CliResult<Exit> {
    match cmd {
        EmulatorCommand::Serve(args) => serve(args).await,
    }
}

/// Builds the emulator's configuration from the flags.
pub fn config_of(args: &EmulatorServeArgs) -> CliResult<EmulatorConfig> {
    let mut cfg = EmulatorConfig {
        port: args.port,
        seed: args.seed,
        ..EmulatorConfig::default()
    };
    if !args.keys.is_empty() {
        cfg.keys = args
            .keys
            .iter()
            .map(|k| {
                k.parse::<KeySpec>()
                    .map_err(|e| CliError::usage(format!("--key: {e}")))
            })
            .collect::<CliResult<Vec<_>>>()?;
    }
    for rule in &args.faults {
        let rule = rule
            .parse::<FaultRule>()
            .map_err(|e| CliError::usage(format!("--fault: {e}")))?;
        cfg.faults.rules.push(rule);
    }
    if let Some(factor) = args.quota_scale {
        if factor == 0 {
            return Err(CliError::usage("--quota-scale must be at least 1"));
        }
        cfg.quotas.windows = QuotaWindows::scaled(factor);
    }
    if let Some(latency) = &args.latency {
        cfg.latency =
            parse_duration(latency).map_err(|e| CliError::usage(format!("--latency: {e}")))?;
    }
    if let Some(polls) = args.analysis_polls {
        cfg.analysis = if polls == 0 {
            AnalysisTiming::IMMEDIATE
        } else {
            AnalysisTiming {
                polls_to_complete: polls,
                time_to_complete: None,
            }
        };
    }
    cfg.feeds.lag_minutes = args.feed_lag;
    if let Some(dir) = &args.data_dir {
        if !dir.is_dir() {
            return Err(CliError::usage(format!(
                "--data-dir {}: not a directory",
                dir.display()
            )));
        }
        cfg.dataset.load_dir = Some(dir.clone());
    }
    Ok(cfg)
}

async fn serve(args: EmulatorServeArgs) -> CliResult<Exit> {
    let cfg = config_of(&args)?;
    let first_key = cfg.keys.first().map(|k| k.key.clone()).unwrap_or_default();
    let keys: Vec<String> = cfg
        .keys
        .iter()
        .map(|k| format!("{} ({})", k.key, k.tier.as_str()))
        .collect();
    let emu = Emulator::from_config(cfg)
        .start()
        .await
        .map_err(|e| CliError::new(Exit::Transport, format!("emulator: {e}")))?;
    let mut out = std::io::stdout();
    let _ = writeln!(out, "vt emulator listening on {}", emu.base_url());
    let _ = writeln!(
        out,
        "base URL: {}  (VT_BASE_URL={})",
        emu.base_url(),
        emu.base_url()
    );
    // These are the emulator's own test keys, not VirusTotal keys: printing them is the point.
    for k in keys {
        let _ = writeln!(out, "accepted key: {k}");
    }
    let _ = writeln!(
        out,
        "try: export VT_BASE_URL={} VT_API_KEY={first_key} VT_RATE_LIMIT=none",
        emu.base_url()
    );
    let _ = writeln!(
        out,
        "stats: {}/_emulator/stats; Ctrl-C to stop",
        emu.base_url()
    );
    let _ = out.flush();
    let _ = tokio::signal::ctrl_c().await;
    emu.shutdown().await;
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parse(args: &[&str]) -> CliResult<EmulatorConfig> {
        let cli = crate::command_line::Cli::try_parse_from(args).unwrap();
        match cli.command {
            crate::command_line::Command::Emulator(EmulatorCommand::Serve(a)) => config_of(&a),
            _ => unreachable!(),
        }
    }

    #[test]
    fn flags_become_the_emulator_config() {
        let cfg = parse(&[
            "vt",
            "emulator",
            "serve",
            "--port",
            "0",
            "--seed",
            "7",
            "--key",
            "k1:public",
            "--key",
            "k2",
            "--fault",
            "transient=0.5",
            "--quota-scale",
            "43200",
            "--analysis-polls",
            "0",
            "--latency",
            "150ms",
        ])
        .unwrap();
        assert_eq!((cfg.port, cfg.seed), (0, 7));
        assert_eq!(cfg.keys.len(), 2);
        assert_eq!(cfg.keys[0].key, "k1");
        assert_eq!(cfg.faults.rules.len(), 1);
        assert_eq!(cfg.quotas.windows, QuotaWindows::scaled(43_200));
        assert_eq!(cfg.analysis, AnalysisTiming::IMMEDIATE);
        assert_eq!(cfg.latency, std::time::Duration::from_millis(150));
    }

    #[test]
    fn bad_flags_are_usage_errors() {
        for bad in [
            ["--fault", "nonsense"],
            ["--key", ":public"],
            ["--quota-scale", "0"],
            ["--latency", "soon"],
        ] {
            let mut args = vec!["vt", "emulator", "serve"];
            args.extend(bad);
            assert_eq!(parse(&args).unwrap_err().exit, Exit::Usage, "{bad:?}");
        }
    }
}
