//! Sandbox behaviour reports (`file_behaviour`, id `<sha256>_<sandbox name>`), the merged
//! `behaviour_summary`, the `behaviour_mitre_trees` and the raw artefacts (PCAP, HTML report,
//! EVTX, memory dump) behind `has_pcap`, `has_html_report`, `has_evtx` and `has_memdump`.
//!
//! A report is built from what the dataset already says about the file (its name, verdict,
//! contacted domains with their resolutions, contacted IPs and URLs, dropped files), so the
//! sandbox tells the same story as the file's report and relationships.

use serde_json::{Map, Value, json};

use super::vocabulary::fake_hex;
use crate::rng::SeededRng;

/// The operating system a sandbox emulates, which decides paths and artefacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Platform {
    Windows,
    Linux,
    MacOs,
    Android,
}

/// The sandboxes that run files of type `type_tag` (empty: no behaviour reports).
pub(crate) fn sandboxes_for(type_tag: &str) -> (Platform, &'static [&'static str]) {
    match type_tag {
        "peexe" | "pedll" => (
            Platform::Windows,
            &[
                "VirusTotal Jujubox",
                "Zenbox",
                "CAPE Sandbox",
                "Microsoft Sysinternals",
            ],
        ),
        "doc" | "javascript" | "powershell" => {
            (Platform::Windows, &["VirusTotal Jujubox", "Zenbox"])
        }
        "elf" => (
            Platform::Linux,
            &["Zenbox Linux", "VirusTotal Box of Apples"],
        ),
        "macho" => (Platform::MacOs, &["OS X Sandbox"]),
        "android" => (Platform::Android, &["VirusTotal Droidy", "Tencent HABO"]),
        _ => (Platform::Windows, &[]),
    }
}

/// What a sandbox saw, taken from the dataset.
pub(crate) struct BehaviourFacts<'a> {
    pub(crate) sha256: &'a str,
    pub(crate) sandbox: &'a str,
    pub(crate) platform: Platform,
    /// The file's meaningful name.
    pub(crate) name: &'a str,
    /// When the sandbox ran.
    pub(crate) date: u64,
    /// Whether the file is detected, and the threat label if so.
    pub(crate) malicious: bool,
    pub(crate) label: Option<&'a str>,
    /// Contacted domains with the addresses they resolve to.
    pub(crate) domains: &'a [(String, Vec<String>)],
    pub(crate) ips: &'a [String],
    pub(crate) urls: &'a [String],
    /// SHA-256 of the dropped files.
    pub(crate) dropped: &'a [String],
}

/// An ATT&CK technique a sandbox may see, with the tactic it serves.
struct Technique {
    id: &'static str,
    name: &'static str,
    tactic_id: &'static str,
    tactic: &'static str,
    /// The sandbox signature that shows it.
    signature: &'static str,
}

const fn technique(
    id: &'static str,
    name: &'static str,
    tactic_id: &'static str,
    tactic: &'static str,
    signature: &'static str,
) -> Technique {
    Technique {
        id,
        name,
        tactic_id,
        tactic,
        signature,
    }
}

const TECHNIQUES: &[Technique] = &[
    technique(
        "T1055",
        "Process Injection",
        "TA0004",
        "Privilege Escalation",
        "Creates a process in suspended mode (likely to inject code)",
    ),
    technique(
        "T1057",
        "Process Discovery",
        "TA0007",
        "Discovery",
        "Queries a list of all running processes",
    ),
    technique(
        "T1082",
        "System Information Discovery",
        "TA0007",
        "Discovery",
        "Queries the cryptographic machine GUID",
    ),
    technique(
        "T1083",
        "File and Directory Discovery",
        "TA0007",
        "Discovery",
        "Reads ini files",
    ),
    technique(
        "T1497",
        "Virtualization/Sandbox Evasion",
        "TA0005",
        "Defense Evasion",
        "May sleep (evasive loops) to hinder dynamic analysis",
    ),
    technique(
        "T1027",
        "Obfuscated Files or Information",
        "TA0005",
        "Defense Evasion",
        "Binary may include packed or crypted data",
    ),
    technique(
        "T1053",
        "Scheduled Task/Job",
        "TA0003",
        "Persistence",
        "Uses schtasks.exe or at.exe to add and modify task schedules",
    ),
    technique(
        "T1059",
        "Command and Scripting Interpreter",
        "TA0002",
        "Execution",
        "Very long cmdline option found, this is very uncommon (may be encrypted or packed)",
    ),
    technique(
        "T1071",
        "Application Layer Protocol",
        "TA0011",
        "Command and Control",
        "Uses HTTP to talk to a remote server",
    ),
    technique(
        "T1547.001",
        "Registry Run Keys / Startup Folder",
        "TA0003",
        "Persistence",
        "Creates an autostart registry key",
    ),
];

const TAGS: &[&str] = &[
    "DETECT_DEBUG_ENVIRONMENT",
    "LONG_SLEEPS",
    "DIRECT_CPU_CLOCK_ACCESS",
    "RUNTIME_MODULES",
    "PERSISTENCE",
    "CHECKS_HOSTNAME",
];

fn sample_path(platform: Platform, name: &str) -> String {
    match platform {
        Platform::Windows => format!("%SAMPLEPATH%\\{name}"),
        Platform::Linux => format!("/tmp/{name}"),
        Platform::MacOs => format!("/Users/user/Downloads/{name}"),
        Platform::Android => "com.example.app".to_owned(),
    }
}

fn dropped_path(platform: Platform, n: usize) -> String {
    match platform {
        Platform::Windows => format!("%USERPROFILE%\\AppData\\Local\\Temp\\tmp{n:04x}.exe"),
        Platform::Linux => format!("/var/tmp/.cache{n}"),
        Platform::MacOs => format!("/Users/user/Library/Caches/tmp{n}"),
        Platform::Android => format!("/data/data/com.example.app/files/payload{n}.dex"),
    }
}

/// The techniques a malicious sample shows (none for a clean one).
fn techniques(rng: &mut SeededRng, malicious: bool) -> Vec<&'static Technique> {
    if !malicious {
        return Vec::new();
    }
    let mut idx: Vec<usize> = (0..TECHNIQUES.len()).collect();
    rng.shuffle(&mut idx);
    let n = rng.range(3, 6) as usize;
    let mut chosen: Vec<usize> = idx.into_iter().take(n).collect();
    chosen.sort_unstable();
    chosen.into_iter().map(|i| &TECHNIQUES[i]).collect()
}

/// The id of a sandbox's report on a file.
pub(crate) fn behaviour_id(sha256: &str, sandbox: &str) -> String {
    format!("{sha256}_{sandbox}")
}

/// A complete `file_behaviour` object.
pub(crate) fn behaviour_object(base: &str, rng: &mut SeededRng, f: &BehaviourFacts<'_>) -> Value {
    let id = behaviour_id(f.sha256, f.sandbox);
    let windows = f.platform == Platform::Windows;
    let mut a = Map::new();
    a.insert("sandbox_name".into(), json!(f.sandbox));
    a.insert("analysis_date".into(), json!(f.date));
    a.insert("last_modification_date".into(), json!(f.date));
    a.insert("behash".into(), json!(fake_hex(rng, 32)));
    a.insert("has_html_report".into(), json!(true));
    a.insert("has_evtx".into(), json!(windows));
    a.insert("has_memdump".into(), json!(f.malicious && windows));
    add_verdict(&mut a, rng, f);
    add_processes(&mut a, rng, f);
    add_host_activity(&mut a, rng, f);
    add_network(&mut a, rng, f);
    // VirusTotal writes the id into the link as it is, space included.
    json!({
        "type": "file_behaviour",
        "id": id,
        "links": {"self": format!("{base}/api/v3/file_behaviours/{id}")},
        "attributes": a,
    })
}

/// `verdicts`, `verdict_labels`, `verdict_confidence`, `tags`, `mitre_attack_techniques`.
fn add_verdict(a: &mut Map<String, Value>, rng: &mut SeededRng, f: &BehaviourFacts<'_>) {
    let (verdicts, labels, confidence): (Vec<&str>, Vec<&str>, u64) = if f.malicious {
        let labels = f.label.into_iter().collect();
        (vec!["MALWARE", "TROJAN"], labels, rng.range(60, 100))
    } else {
        (vec!["CLEAN"], Vec::new(), rng.range(20, 60))
    };
    let tags: Vec<&str> = TAGS
        .iter()
        .copied()
        .filter(|_| f.malicious && rng.chance(0.4))
        .collect();
    let mitre: Vec<Value> = techniques(rng, f.malicious)
        .iter()
        .map(|t| {
            json!({"id": t.id, "signature_description": t.signature, "severity": "IMPACT_SEVERITY_LOW"})
        })
        .collect();
    a.insert("verdicts".into(), json!(verdicts));
    a.insert("verdict_labels".into(), json!(labels));
    a.insert("verdict_confidence".into(), json!(confidence));
    a.insert("tags".into(), json!(tags));
    a.insert("mitre_attack_techniques".into(), Value::Array(mitre));
}

/// `processes_tree`, `processes_created`, `command_executions`: the sample, and on Windows a
/// detected sample schedules itself.
fn add_processes(a: &mut Map<String, Value>, rng: &mut SeededRng, f: &BehaviourFacts<'_>) {
    let sample = sample_path(f.platform, f.name);
    let pid = rng.range(1000, 9000);
    let mut tree = json!({"process_id": pid.to_string(), "name": sample});
    let mut commands = vec![sample.clone()];
    if f.malicious && f.platform == Platform::Windows {
        let cmd = format!("cmd.exe /c schtasks /create /tn Updater /tr \"{sample}\" /sc minute");
        tree["children"] = json!([{"process_id": (pid + 4).to_string(), "name": cmd}]);
        commands.push(cmd);
    }
    a.insert("processes_tree".into(), json!([tree]));
    a.insert("processes_created".into(), json!(commands));
    a.insert("command_executions".into(), json!(commands));
}

/// Files opened and dropped; on Windows also registry keys (a Run key for a detected
/// sample), modules and a mutex.
fn add_host_activity(a: &mut Map<String, Value>, rng: &mut SeededRng, f: &BehaviourFacts<'_>) {
    let dropped: Vec<Value> = f
        .dropped
        .iter()
        .enumerate()
        .map(|(i, sha)| json!({"path": dropped_path(f.platform, i), "sha256": sha}))
        .collect();
    a.insert("files_dropped".into(), Value::Array(dropped));
    let opened = match f.platform {
        Platform::Windows => &[
            "C:\\Windows\\System32\\kernel32.dll",
            "C:\\Windows\\win.ini",
        ][..],
        Platform::Linux => &["/etc/passwd", "/proc/self/maps"],
        Platform::MacOs => &["/System/Library/CoreServices/SystemVersion.plist"],
        Platform::Android => &["/system/framework/framework.jar"],
    };
    a.insert("files_opened".into(), json!(opened));
    if f.platform != Platform::Windows {
        return;
    }
    let mut keys = vec![json!({
        "key": "HKLM\\System\\CurrentControlSet\\Control\\Session Manager\\Environment\\TEMP",
        "value": "%USERPROFILE%\\AppData\\Local\\Temp",
    })];
    if f.malicious {
        keys.push(json!({
            "key": "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater",
            "value": sample_path(f.platform, f.name),
        }));
    }
    a.insert("registry_keys_set".into(), Value::Array(keys));
    a.insert(
        "modules_loaded".into(),
        json!(["kernel32.dll", "advapi32.dll", "ws2_32.dll"]),
    );
    a.insert(
        "mutexes_created".into(),
        json!([format!("Global\\{}", fake_hex(rng, 16))]),
    );
}

/// `dns_lookups`, `ip_traffic`, `http_conversations` from what the file contacts, and
/// `has_pcap` when there was traffic to capture.
fn add_network(a: &mut Map<String, Value>, rng: &mut SeededRng, f: &BehaviourFacts<'_>) {
    let dns: Vec<Value> = f
        .domains
        .iter()
        .map(|(host, ips)| json!({"hostname": host, "resolved_ips": ips}))
        .collect();
    let ports = [80u64, 443, 8080, 4444];
    let traffic: Vec<Value> = f
        .ips
        .iter()
        .map(|ip| {
            json!({"transport_layer_protocol": "TCP", "destination_ip": ip, "destination_port": *rng.pick(&ports)})
        })
        .collect();
    let http: Vec<Value> = f
        .urls
        .iter()
        .map(|u| json!({"url": u, "request_method": "GET", "response_status_code": 200}))
        .collect();
    a.insert(
        "has_pcap".into(),
        json!(!dns.is_empty() || !traffic.is_empty()),
    );
    a.insert("dns_lookups".into(), Value::Array(dns));
    a.insert("ip_traffic".into(), Value::Array(traffic));
    a.insert("http_conversations".into(), Value::Array(http));
}

/// Fields that belong to one sandbox run and stay out of the summary.
const PER_SANDBOX: &[&str] = &[
    "analysis_date",
    "behash",
    "has_evtx",
    "has_html_report",
    "has_memdump",
    "has_pcap",
    "last_modification_date",
    "sandbox_name",
    "verdict_confidence",
];

/// `GET /files/{id}/behaviour_summary`: the reports' fields merged (lists joined without
/// repeats, in report order), without the per-sandbox ones. No report: every list empty.
pub(crate) fn summary<'a>(reports: impl IntoIterator<Item = &'a Value>) -> Value {
    let mut out = Map::new();
    for key in [
        "tags",
        "verdicts",
        "processes_tree",
        "files_opened",
        "dns_lookups",
        "ip_traffic",
        "mitre_attack_techniques",
    ] {
        out.insert(key.into(), json!([]));
    }
    for report in reports {
        for (k, v) in report
            .get("attributes")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if PER_SANDBOX.contains(&k.as_str()) {
                continue;
            }
            match (out.get_mut(k), v) {
                (Some(Value::Array(list)), Value::Array(items)) => {
                    for item in items {
                        if !list.contains(item) {
                            list.push(item.clone());
                        }
                    }
                }
                (None, v) => {
                    out.insert(k.clone(), v.clone());
                }
                _ => {}
            }
        }
    }
    Value::Object(out)
}

/// `GET /files/{id}/behaviour_mitre_trees`: for each sandbox, its techniques grouped by
/// tactic.
pub(crate) fn mitre_trees<'a>(reports: impl IntoIterator<Item = &'a Value>) -> Value {
    let mut out = Map::new();
    for report in reports {
        let Some(sandbox) = report
            .pointer("/attributes/sandbox_name")
            .and_then(Value::as_str)
        else {
            continue;
        };
        let mut tactics: Vec<Value> = Vec::new();
        let seen = report
            .pointer("/attributes/mitre_attack_techniques")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for t in &seen {
            let Some(known) = TECHNIQUES.iter().find(|k| Some(k.id) == t["id"].as_str()) else {
                continue;
            };
            let technique = json!({
                "id": known.id, "name": known.name,
                "link": format!("https://attack.mitre.org/techniques/{}/", known.id.replace('.', "/")),
                "signatures": [{"severity": t["severity"], "description": t["signature_description"]}],
            });
            let aid = known.tactic_id;
            match tactics.iter_mut().find(|x| x["id"] == aid) {
                Some(tactic) => {
                    if let Some(list) = tactic["techniques"].as_array_mut() {
                        list.push(technique);
                    }
                }
                None => tactics.push(json!({
                    "id": aid, "name": known.tactic,
                    "link": format!("https://attack.mitre.org/tactics/{aid}/"),
                    "techniques": [technique],
                })),
            }
        }
        out.insert(sandbox.to_owned(), json!({"tactics": tactics}));
    }
    Value::Object(out)
}

/// A sandbox artefact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Artifact {
    Pcap,
    Html,
    Evtx,
    Memdump,
}

impl Artifact {
    /// The artefact named in `/file_behaviours/{id}/{name}`.
    pub(crate) fn parse(name: &str) -> Option<Artifact> {
        Some(match name {
            "pcap" => Artifact::Pcap,
            "html" => Artifact::Html,
            "evtx" => Artifact::Evtx,
            "memdump" => Artifact::Memdump,
            _ => return None,
        })
    }

    /// The report attribute saying whether the sandbox kept it.
    pub(crate) fn flag(self) -> &'static str {
        match self {
            Artifact::Pcap => "has_pcap",
            Artifact::Html => "has_html_report",
            Artifact::Evtx => "has_evtx",
            Artifact::Memdump => "has_memdump",
        }
    }

    /// The `Content-Type` it is served with.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Artifact::Pcap => "application/vnd.tcpdump.pcap",
            Artifact::Html => "text/html; charset=utf-8",
            Artifact::Evtx | Artifact::Memdump => "application/octet-stream",
        }
    }
}

/// The bytes of `artifact` of `report` (deterministic: derived from the report).
pub(crate) fn artifact_bytes(report: &Value, artifact: Artifact) -> Vec<u8> {
    let attrs = &report["attributes"];
    let id = report["id"].as_str().unwrap_or("");
    match artifact {
        Artifact::Pcap => pcap(attrs),
        Artifact::Html => {
            let mut html = format!(
                "<!DOCTYPE html>\n<html><head><title>{id}</title></head><body>\n<h1>{}</h1>\n<ul>\n",
                attrs["sandbox_name"].as_str().unwrap_or("")
            );
            for v in attrs["verdicts"].as_array().into_iter().flatten() {
                html.push_str(&format!("<li>verdict: {}</li>\n", v.as_str().unwrap_or("")));
            }
            for d in attrs["dns_lookups"].as_array().into_iter().flatten() {
                html.push_str(&format!(
                    "<li>dns: {}</li>\n",
                    d["hostname"].as_str().unwrap_or("")
                ));
            }
            html.push_str("</ul>\n</body></html>\n");
            html.into_bytes()
        }
        Artifact::Evtx => {
            let mut b = b"ElfFile\0".to_vec();
            b.extend_from_slice(&seeded_bytes(id, 4088));
            b
        }
        Artifact::Memdump => {
            let mut b = b"MDMP\x93\xa7".to_vec();
            b.extend_from_slice(&seeded_bytes(id, 16_378));
            b
        }
    }
}

fn seeded_bytes(id: &str, len: usize) -> Vec<u8> {
    let mut rng = SeededRng::derive(0, id, 1);
    let mut b = vec![0u8; len];
    rng.fill(&mut b);
    b
}

/// A libpcap capture: one UDP DNS query per lookup and one TCP SYN per contacted address.
fn pcap(attrs: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Global header: magic, version 2.4, zone 0, sigfigs 0, snaplen 65535, Ethernet.
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&65_535u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    let date = attrs["analysis_date"].as_u64().unwrap_or(0) as u32;
    let src = [10u8, 0, 2, 15];
    let mut packet = |n: u32, proto: u8, dst: [u8; 4], payload: &[u8]| {
        let mut ip = vec![0x45, 0];
        let len = 20 + payload.len() as u16;
        ip.extend_from_slice(&len.to_be_bytes());
        ip.extend_from_slice(&[0, 0, 0x40, 0, 64, proto, 0, 0]);
        ip.extend_from_slice(&src);
        ip.extend_from_slice(&dst);
        ip.extend_from_slice(payload);
        let mut frame = vec![
            0x52, 0x54, 0, 0x12, 0x35, 0x02, 0x08, 0, 0x27, 0xaa, 0xbb, 0xcc, 0x08, 0x00,
        ];
        frame.extend_from_slice(&ip);
        out.extend_from_slice(&date.wrapping_add(n).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&frame);
    };
    let mut n = 0;
    for d in attrs["dns_lookups"].as_array().into_iter().flatten() {
        let host = d["hostname"].as_str().unwrap_or("");
        let mut q = vec![0x30, 0x39, 0, 0x35];
        let mut dns = vec![0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        for label in host.split('.') {
            dns.push(label.len().min(63) as u8);
            dns.extend_from_slice(&label.as_bytes()[..label.len().min(63)]);
        }
        dns.extend_from_slice(&[0, 0, 1, 0, 1]);
        q.extend_from_slice(&(8 + dns.len() as u16).to_be_bytes());
        q.extend_from_slice(&[0, 0]);
        q.extend_from_slice(&dns);
        packet(n, 17, [8, 8, 8, 8], &q);
        n += 1;
    }
    for t in attrs["ip_traffic"].as_array().into_iter().flatten() {
        let ip: std::net::Ipv4Addr = t["destination_ip"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED);
        let port = t["destination_port"].as_u64().unwrap_or(80) as u16;
        let mut tcp = vec![0xc0, 0x01];
        tcp.extend_from_slice(&port.to_be_bytes());
        tcp.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0]);
        packet(n, 6, ip.octets(), &tcp);
        n += 1;
    }
    out
}
