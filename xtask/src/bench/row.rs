//! One row of the benchmark table and its verdict.

/// Whether a row meets its goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    Pass,
    Miss,
    /// The row could not run; the reason.
    NotRun(String),
}

/// One line of the table.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub id: String,
    pub what: String,
    pub value: String,
    pub reference: String,
    pub ratio: String,
    pub goal: String,
    pub verdict: Verdict,
}

impl Row {
    pub fn not_run(id: &str, what: &str, goal: &str, why: String) -> Row {
        Row {
            id: id.into(),
            what: what.into(),
            value: "—".into(),
            reference: "—".into(),
            ratio: "—".into(),
            goal: goal.into(),
            verdict: Verdict::NotRun(why),
        }
    }
}
