//! `vt config init|show`.

use std::io::Write;

use crate::cli::ConfigInitArgs;
use crate::commands::context::Context;
use crate::commands::printing::print_one;
use crate::config::prompt_key;
use crate::config_file::{ConfigFile, load_config_file, write_config_file};
use crate::exit::{CliError, CliResult, Exit};

/// `vt config init`: asks for the key (hidden) and writes the config file with mode 0600,
/// keeping the other settings of an existing file when `--force` replaces it.
pub fn init(ctx: &Context, args: &ConfigInitArgs) -> CliResult<Exit> {
    let path = ctx.settings.config_path.clone().ok_or_else(|| {
        CliError::usage(
            "no config file location: set XDG_CONFIG_HOME or HOME, or pass --config PATH",
        )
    })?;
    let existing = if path.exists() {
        if !args.force {
            return Err(CliError::usage(format!(
                "config file {} already exists; use `vt config init --force` to replace its key",
                path.display()
            )));
        }
        load_config_file(&path)?.unwrap_or_default()
    } else {
        ConfigFile::default()
    };
    let key = prompt_key()?;
    let file = ConfigFile {
        api_key: Some(key.expose().to_owned()),
        api_key_file: None,
        ..existing
    };
    write_config_file(&path, &file)?;
    if !ctx.settings.quiet {
        let _ = writeln!(
            std::io::stderr(),
            "vt: wrote {} (mode 0600)",
            path.display()
        );
    }
    Ok(Exit::Ok)
}

/// `vt config show`: the effective settings and their sources, the key redacted.
pub fn show(ctx: &Context) -> CliResult<Exit> {
    print_one(ctx, &ctx.settings.describe())
}
