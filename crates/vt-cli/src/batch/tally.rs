//! How a batch ended: the counts and exit code ([`Tally`]), the end-of-batch summary (the
//! only one: every batch command goes through the runner) and the message of a stopped batch.

use std::path::Path;

use crate::exit::{CliError, Exit};

/// How many items ended which way.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Succeeded.
    pub ok: usize,
    /// Failed with the item's final answer (saved).
    pub failed: usize,
    /// Failed without a final answer (not saved: asked again by a resume).
    pub unanswered: usize,
    /// Of those, transient failures at the server or network (exit 5).
    pub transient: usize,
}

impl Tally {
    /// The end-of-batch summary: `3 succeeded, 1 failed, 2 without an answer`.
    pub fn summary(&self) -> String {
        let mut line = format!("{} succeeded, {} failed", self.ok, self.failed);
        if self.unanswered > 0 {
            line.push_str(&format!(
                ", {} without a final answer (not saved)",
                self.unanswered
            ));
        }
        line
    }

    /// The exit code of a batch that ran to its end.
    pub fn exit(&self) -> Exit {
        if self.transient > 0 {
            Exit::Transport
        } else if self.failed > 0 || self.unanswered > 0 {
            Exit::ItemsFailed
        } else {
            Exit::Ok
        }
    }
}

/// What ended a batch early and where its results are, with how to go on.
pub(super) struct Stop<'a> {
    /// The exit code.
    pub exit: Exit,
    /// What happened (`quota exhausted at file X (...)`, `interrupted`).
    pub what: String,
    /// Inputs finished, and inputs the batch had to do.
    pub finished: usize,
    /// Inputs the batch had to do.
    pub todo: usize,
    /// The `--output` file, if any.
    pub output: Option<&'a Path>,
    /// Whether the command offers `--output/--resume`.
    pub offered: bool,
    /// The command line to resume with.
    pub hint: &'a str,
}

impl Stop<'_> {
    /// The error ending the command: what happened, how far it got, how to go on.
    pub fn into_error(self) -> CliError {
        let remaining = self.todo - self.finished;
        let mut msg = format!(
            "{}; {} of {} inputs done, {remaining} remain",
            self.what, self.finished, self.todo
        );
        match self.output {
            Some(path) => msg.push_str(&format!(
                "; results so far are in {}; to continue: {} --output {} --resume",
                path.display(),
                self.hint,
                path.display()
            )),
            None if self.offered => msg.push_str(&format!(
                "; to keep results across runs use: {} --output FILE --resume",
                self.hint
            )),
            None => {}
        }
        CliError::new(self.exit, msg)
    }
}

impl Tally {
    /// The end-of-batch line on stderr: the counts, where they were written, how to ask
    /// again for the items without a final answer.
    pub fn summary_line(&self, output: Option<&Path>, hint: &str) -> String {
        let mut line = format!("vt: {}", self.summary());
        if let Some(path) = output {
            line.push_str(&format!(", written to {}", path.display()));
        }
        if self.unanswered > 0 {
            match output {
                Some(path) => line.push_str(&format!(
                    "; to ask again for those: {hint} --output {} --resume",
                    path.display()
                )),
                None => line.push_str("; run again to ask for those"),
            }
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transient_failures_make_exit_5() {
        let t = Tally {
            ok: 1,
            failed: 1,
            unanswered: 1,
            transient: 1,
        };
        assert_eq!(t.exit(), Exit::Transport);
        assert!(t.summary().contains("1 without a final answer"));
        let f = Tally {
            ok: 1,
            failed: 1,
            ..Tally::default()
        };
        assert_eq!(f.exit(), Exit::ItemsFailed);
        assert_eq!(Tally::default().exit(), Exit::Ok);
    }

    #[test]
    fn a_stop_says_how_to_go_on_only_where_it_can() {
        let stop = |output: Option<&Path>, offered| {
            Stop {
                exit: Exit::Quota,
                what: "quota exhausted".into(),
                finished: 1,
                todo: 3,
                output,
                offered,
                hint: "vt file -",
            }
            .into_error()
            .message
        };
        let saved = stop(Some(Path::new("o.ndjson")), true);
        assert!(saved.contains("1 of 3 inputs done, 2 remain"), "{saved}");
        assert!(
            saved.contains("vt file - --output o.ndjson --resume"),
            "{saved}"
        );
        assert!(stop(None, true).contains("--output FILE --resume"));
        assert!(!stop(None, false).contains("--resume"));
    }
}
