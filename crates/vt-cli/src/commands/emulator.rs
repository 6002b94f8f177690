//! `vt emulator serve`: the local VirusTotal emulator, until Ctrl-C.

use std::io::Write;

use vt_emulator::{Emulator, EmulatorConfig, KeySpec};

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
        "stats: {}/_emulator/stats; Ctrl-C to stop",
        emu.base_url()
    );
    let _ = out.flush();
    let _ = tokio::signal::ctrl_c().await;
    emu.shutdown().await;
    Ok(Exit::Ok)
}
