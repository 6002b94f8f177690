//! Man pages from the clap definitions (`clap_mangen`): `vt generate-man DIR` (hidden, used
//! by `cargo xtask dist`) writes `vt.1` and one page per command (`vt-file.1`, ...).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::command_line::Cli;

/// The hidden `generate-man` command, added to the parser beside the real ones.
pub fn command() -> clap::Command {
    clap::Command::new("generate-man")
        .hide(true)
        .about("Write vt's man pages (section 1) into DIR")
        .arg(
            clap::Arg::new("dir")
                .value_name("DIR")
                .required(true)
                .value_parser(clap::value_parser!(PathBuf)),
        )
}

/// Writes the pages; exit 2 when the folder cannot be made or written.
pub fn run(matches: &clap::ArgMatches) -> ExitCode {
    let Some(dir) = matches.get_one::<PathBuf>("dir") else {
        return ExitCode::from(2);
    };
    let cmd = Cli::command().version(crate::version::long());
    match std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(cmd, dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "vt: cannot write man pages to {}: {e}",
                dir.display()
            );
            ExitCode::from(2)
        }
    }
}
