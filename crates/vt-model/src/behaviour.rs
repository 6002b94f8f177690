//! Sandbox reports: [`FileBehaviourAttributes`] (`type: "file_behaviour"`, id
//! `<sha256>_<sandbox name>`), also the shape of `GET /files/{id}/behaviour_summary`.

use serde_json::{Map, Value};

use crate::Timestamp;
use crate::lossless::lossless_struct;

lossless_struct! {
    /// The main attributes of a `file_behaviour` object. Structured lists whose items vary
    /// (process trees, network traffic, dropped files, ...) are kept as JSON objects.
    pub struct FileBehaviourAttributes {
        /// The sandbox's name.
        sandbox_name: String = "sandbox_name",
        /// When the sandbox ran.
        analysis_date: Timestamp = "analysis_date",
        /// Behaviour hash.
        behash: String = "behash",
        /// Sandbox verdicts.
        verdicts: Vec<String> = "verdicts",
        /// Verdict labels (behaviour summary).
        verdict_labels: Vec<String> = "verdict_labels",
        /// Whether an HTML report exists.
        has_html_report: bool = "has_html_report",
        /// Whether a PCAP exists.
        has_pcap: bool = "has_pcap",
        /// Whether an EVTX log exists.
        has_evtx: bool = "has_evtx",
        /// Whether a memory dump exists.
        has_memdump: bool = "has_memdump",
        /// Latest change of the object.
        last_modification_date: Timestamp = "last_modification_date",
        /// Tags.
        tags: Vec<String> = "tags",
        /// Command lines run.
        command_executions: Vec<String> = "command_executions",
        /// Processes created.
        processes_created: Vec<String> = "processes_created",
        /// Processes terminated.
        processes_terminated: Vec<String> = "processes_terminated",
        /// Processes injected into.
        processes_injected: Vec<String> = "processes_injected",
        /// The process tree.
        processes_tree: Vec<Map<String, Value>> = "processes_tree",
        /// Files opened.
        files_opened: Vec<String> = "files_opened",
        /// Files written.
        files_written: Vec<String> = "files_written",
        /// Files deleted.
        files_deleted: Vec<String> = "files_deleted",
        /// Files dropped (with hashes).
        files_dropped: Vec<Map<String, Value>> = "files_dropped",
        /// Modules loaded.
        modules_loaded: Vec<String> = "modules_loaded",
        /// Mutexes created.
        mutexes_created: Vec<String> = "mutexes_created",
        /// Mutexes opened.
        mutexes_opened: Vec<String> = "mutexes_opened",
        /// Registry keys opened.
        registry_keys_opened: Vec<String> = "registry_keys_opened",
        /// Registry keys set (key and value).
        registry_keys_set: Vec<Map<String, Value>> = "registry_keys_set",
        /// Registry keys deleted.
        registry_keys_deleted: Vec<String> = "registry_keys_deleted",
        /// DNS lookups.
        dns_lookups: Vec<Map<String, Value>> = "dns_lookups",
        /// IP traffic.
        ip_traffic: Vec<Map<String, Value>> = "ip_traffic",
        /// HTTP conversations.
        http_conversations: Vec<Map<String, Value>> = "http_conversations",
        /// TLS sessions.
        tls: Vec<Map<String, Value>> = "tls",
        /// JA3 digests.
        ja3_digests: Vec<String> = "ja3_digests",
        /// IDS alerts.
        ids_alerts: Vec<Map<String, Value>> = "ids_alerts",
        /// MITRE ATT&CK techniques.
        mitre_attack_techniques: Vec<Map<String, Value>> = "mitre_attack_techniques",
        /// Sigma rule matches.
        sigma_analysis_results: Vec<Map<String, Value>> = "sigma_analysis_results",
    }
}

/// The `data` of `GET /files/{id}/behaviour_summary`: the merged sandbox reports, with the same
/// members as one [`FileBehaviourAttributes`].
pub type BehaviourSummary = FileBehaviourAttributes;

/// The `data` of `GET /files/{id}/behaviour_mitre_trees`: one [`MitreTree`] per sandbox
/// name, in the order received.
pub type BehaviourMitreTrees = indexmap::IndexMap<String, MitreTree>;

lossless_struct! {
    /// The MITRE ATT&CK tree of one sandbox run: tactics, their techniques, and the sandbox
    /// signatures that point at each technique.
    ///
    /// ```
    /// use vt_model::BehaviourMitreTrees;
    /// let trees: BehaviourMitreTrees = serde_json::from_str(r#"{"Zenbox": {"tactics": [
    ///   {"id": "TA0002", "name": "Execution", "techniques": [{"id": "T1059", "name": "Command and Scripting Interpreter",
    ///    "signatures": [{"severity": "HIGH", "description": "Runs cmd.exe"}]}]}]}}"#).unwrap();
    /// let tactic = &trees["Zenbox"].tactics.as_ref().unwrap()[0];
    /// assert_eq!(tactic.techniques.as_ref().unwrap()[0].id.as_deref(), Some("T1059"));
    /// ```
    pub struct MitreTree {
        /// The tactics seen.
        tactics: Vec<MitreTactic> = "tactics",
    }
}

lossless_struct! {
    /// A MITRE ATT&CK tactic (`TA0002`, ...) and its techniques.
    pub struct MitreTactic {
        /// The tactic id, e.g. `TA0002`.
        id: String = "id",
        /// The tactic name, e.g. `Execution`.
        name: String = "name",
        /// A description.
        description: String = "description",
        /// The tactic's page on attack.mitre.org.
        link: String = "link",
        /// The techniques seen under this tactic.
        techniques: Vec<MitreTechnique> = "techniques",
    }
}

lossless_struct! {
    /// A MITRE ATT&CK technique (`T1059`, `T1059.001`, ...).
    pub struct MitreTechnique {
        /// The technique id.
        id: String = "id",
        /// The technique name.
        name: String = "name",
        /// A description.
        description: String = "description",
        /// The technique's page on attack.mitre.org.
        link: String = "link",
        /// The sandbox signatures behind it.
        signatures: Vec<MitreSignature> = "signatures",
    }
}

lossless_struct! {
    /// A sandbox signature pointing at a technique.
    pub struct MitreSignature {
        /// `INFO`, `LOW`, `MEDIUM`, `HIGH`, ...
        severity: String = "severity",
        /// What the sandbox saw.
        description: String = "description",
    }
}
