//! Issue 7, item 3: the catalogue of bad local input. Every row runs the real `vt` binary
//! against its own in-process emulator and checks: exit code 2 (3 for a missing key), one
//! line on stderr naming the input, and **zero requests** in the emulator's request log.
//!
//! Rows that fail today are `#[ignore = "finding RN: ..."]` with the finding's number of
//! `docs/reliability.md`.

mod common;

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::{Emu, run};

/// Local files the rows point at.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir(p.join("a-directory")).unwrap();
        std::fs::write(p.join("sample.bin"), b"sample bytes").unwrap();
        // 650 MB + 1 byte, sparse: no disk used.
        let big = std::fs::File::create(p.join("big.bin")).unwrap();
        big.set_len(650 * 1024 * 1024 + 1).unwrap();
        std::fs::write(p.join("unreadable.bin"), b"secret").unwrap();
        std::fs::set_permissions(
            p.join("unreadable.bin"),
            std::fs::Permissions::from_mode(0o000),
        )
        .unwrap();
        std::fs::write(p.join("broken.toml"), "api_key = \"unterminated\n").unwrap();
        std::fs::write(
            p.join("corrupt-state.json"),
            "{\"format\": \"vt-monitor-watch/1\", \"items\": [",
        )
        .unwrap();
        std::fs::write(p.join("bad-format.toml"), "format = \"xml\"\n").unwrap();
        std::fs::write(p.join("bad-rate.toml"), "rate_limit = \"4/fortnight\"\n").unwrap();
        std::fs::write(p.join("zero-concurrency.toml"), "concurrency = 0\n").unwrap();
        std::fs::write(
            p.join("open.toml"),
            format!("api_key = \"{}\"\n", common::KEY),
        )
        .unwrap();
        std::fs::set_permissions(p.join("open.toml"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        std::fs::write(p.join("open.key"), common::KEY).unwrap();
        std::fs::set_permissions(p.join("open.key"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        std::fs::create_dir(p.join("upload-dir")).unwrap();
        std::fs::write(p.join("upload-dir/big.bin"), b"").unwrap();
        std::fs::File::options()
            .write(true)
            .open(p.join("upload-dir/big.bin"))
            .unwrap()
            .set_len(650 * 1024 * 1024 + 1)
            .unwrap();
        // Retrohunt rule files (empty.yar, latin1.yar, huge.yar, broken.yar below serve too).
        std::fs::write(
            p.join("rules.yar"),
            "rule eicar { strings: $a = \"EICAR\" condition: $a }\n",
        )
        .unwrap();
        let many: String = (0..301)
            .map(|i| format!("rule r{i} {{ strings: $a = \"needle {i}\" condition: $a }}\n"))
            .collect();
        std::fs::write(p.join("many.yar"), many).unwrap();
        // YARA rule files: empty, not UTF-8, over the 1 MiB limit (sparse), not compiling.
        std::fs::write(p.join("empty.yar"), b"  \n").unwrap();
        std::fs::write(p.join("latin1.yar"), b"rule caf\xe9 { condition: true }").unwrap();
        std::fs::File::create(p.join("huge.yar"))
            .unwrap()
            .set_len(1024 * 1024 + 1)
            .unwrap();
        std::fs::write(p.join("broken.yar"), b"rule a {\n  condition: nope\n}\n").unwrap();
        // Report cache locations: a directory anyone may write, one nobody may.
        std::fs::create_dir(p.join("open-dir")).unwrap();
        std::fs::set_permissions(p.join("open-dir"), std::fs::Permissions::from_mode(0o777))
            .unwrap();
        std::fs::create_dir(p.join("unwritable-dir")).unwrap();
        std::fs::set_permissions(
            p.join("unwritable-dir"),
            std::fs::Permissions::from_mode(0o500),
        )
        .unwrap();
        Fixture { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// `@NAME` in an argument stands for the fixture path NAME; `@@` for the fixture directory.
fn expand(arg: &str, fx: &Fixture) -> String {
    if arg == "@@" {
        return fx.dir.path().display().to_string();
    }
    match arg.strip_prefix('@') {
        Some(name) => fx.path(name).display().to_string(),
        None => arg.to_owned(),
    }
}

fn running_as_root() -> bool {
    // Root reads a mode-000 file anyway: the unreadable-file rows cannot fail there.
    Path::new("/proc/self/status").exists()
        && std::fs::read_to_string("/proc/self/status")
            .unwrap_or_default()
            .lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
}

/// One row: `vt ARGS` (stdin optional) must exit `code`, say `names` on a single stderr line,
/// and send nothing.
fn check(args: &[&str], stdin: Option<&str>, code: i32, names: &str, with_key: bool) {
    let fx = Fixture::new();
    if args
        .iter()
        .any(|a| a.contains("unreadable") || a.contains("unwritable"))
        && running_as_root()
    {
        eprintln!("skipped: running as root, file modes do not bind root");
        return;
    }
    let emu = Emu::start(|_| {});
    let mut cmd = if with_key {
        emu.vt()
    } else {
        emu.vt_without_key()
    };
    cmd.args(args.iter().map(|a| expand(a, &fx)));
    if let Some(s) = stdin {
        cmd.write_stdin(s.to_owned());
    } else {
        cmd.write_stdin("");
    }
    let r = run(&mut cmd);
    let names = expand(names, &fx);
    assert_eq!(
        r.code, code,
        "vt {args:?}: exit {} (want {code})\nstdout: {}\nstderr: {}",
        r.code, r.stdout, r.stderr
    );
    let lines: Vec<&str> = r.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        1,
        "vt {args:?}: stderr should be one line:\n{}",
        r.stderr
    );
    assert!(
        lines[0].contains(&names),
        "vt {args:?}: stderr does not name {names:?}: {}",
        lines[0]
    );
    let sent = emu.api_requests();
    assert!(
        sent.is_empty(),
        "vt {args:?}: {} request(s) sent before refusing: {:?}",
        sent.len(),
        sent.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
}

macro_rules! bad {
    ($(#[$m:meta])* $name:ident: [$($arg:expr),*] => $code:expr, names $names:expr) => {
        $(#[$m])*
        #[test]
        fn $name() {
            check(&[$($arg),*], None, $code, $names, true);
        }
    };
    ($(#[$m:meta])* $name:ident: [$($arg:expr),*] stdin $stdin:expr => $code:expr, names $names:expr) => {
        $(#[$m])*
        #[test]
        fn $name() {
            check(&[$($arg),*], Some($stdin), $code, $names, true);
        }
    };
}

/// `vtmonitor-v1://emulator/releases/v1.0/app.dll` and `vtmonitor-v1://emulator/new-folder/`.
const MONITOR_FILE: &str = "dnRtb25pdG9yLXYxOi8vZW11bGF0b3IvcmVsZWFzZXMvdjEuMC9hcHAuZGxs";
const MONITOR_FOLDER: &str = "dnRtb25pdG9yLXYxOi8vZW11bGF0b3IvbmV3LWZvbGRlci8=";

const EICAR: &str = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";

// vt file
bad!(file_word_that_is_neither_hash_nor_path: ["file", "zzz-not-a-hash"] => 2, names "zzz-not-a-hash");
bad!(file_md5_one_digit_short: ["file", "44d88612fea8a8f36de82e1278abb02"] => 2, names "44d88612fea8a8f36de82e1278abb02");
bad!(file_sha256_with_a_non_hex_digit: ["file", "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0g"] => 2, names "fd0g");
bad!(file_path_that_does_not_exist: ["file", "/nonexistent/sample.exe"] => 2, names "/nonexistent/sample.exe");
bad!(file_relative_path_that_does_not_exist: ["file", "./nope.exe"] => 2, names "./nope.exe: No such file");
bad!(file_directory_where_a_file_is_expected: ["file", "@a-directory"] => 2, names "@a-directory");
bad!(file_unreadable_path: ["file", "@unreadable.bin"] => 2, names "@unreadable.bin");
bad!(file_good_hashes_then_one_bad_sends_nothing: ["file", EICAR, "44d88612fea8a8f36de82e1278abb02f", "bad!"] => 2, names "bad!");
bad!(file_stdin_with_a_bad_line: ["file", "-"] stdin "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f\nnot-a-hash\n" => 2, names "not-a-hash");
bad!(file_empty_stdin: ["file", "-"] stdin "" => 2, names "stdin");
bad!(file_stdin_of_blank_lines: ["file", "-"] stdin "\n  \n\n" => 2, names "stdin");
bad!(
    file_resume_without_output: ["file", EICAR, "--resume"] => 2, names "--output");
bad!(file_output_in_a_missing_directory: ["file", EICAR, "--output", "/nonexistent/dir/out.ndjson"] => 2, names "/nonexistent/dir/out.ndjson");

// vt quota plan, --plan (issue 13 section 3)
bad!(quota_plan_count_not_a_number: ["quota", "plan", "ten"] => 2, names "\"ten\"");
bad!(quota_plan_count_zero: ["quota", "plan", "0"] => 2, names "\"0\"");
bad!(quota_plan_count_negative: ["quota", "plan", "-5"] => 2, names "-5");
bad!(quota_plan_count_and_input: ["quota", "plan", "5", "--input", "@sample.bin"] => 2, names "--input");
bad!(quota_plan_missing_input_file: ["quota", "plan", "--input", "/nonexistent/inputs.txt"] => 2, names "/nonexistent/inputs.txt");
bad!(quota_plan_input_is_a_directory: ["quota", "plan", "--input", "@a-directory"] => 2, names "@a-directory");
bad!(quota_plan_input_with_a_bad_line: ["quota", "plan", "--input", "-"] stdin "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f\nnot-a-hash\n" => 2, names "not-a-hash");
bad!(quota_plan_input_of_the_wrong_kind: ["quota", "plan", "--kind", "ip", "--input", "-"] stdin "example.com\n" => 2, names "example.com");
bad!(file_plan_with_a_bad_hash: ["file", "--plan", EICAR, "bad!"] => 2, names "bad!");

// vt monitor watch (issue 13 section 4)
bad!(monitor_watch_interval_not_a_duration: ["monitor", "watch", "--interval", "soon"] => 2, names "soon");
bad!(monitor_watch_interval_zero: ["monitor", "watch", "--interval", "0s"] => 2, names "0s");
bad!(monitor_watch_interval_negative: ["monitor", "watch", "--interval=-5m"] => 2, names "-5m");
bad!(monitor_watch_once_and_interval: ["monitor", "watch", "--once", "--interval", "1m"] => 2, names "--interval");
bad!(monitor_watch_state_below_a_file: ["monitor", "watch", "--once", "--state", "@sample.bin/watch.json"] => 2, names "@sample.bin/watch.json");
bad!(monitor_watch_state_in_an_unwritable_directory: ["monitor", "watch", "--once", "--state", "@unwritable-dir/watch.json"] => 2, names "@unwritable-dir/watch.json");
bad!(monitor_watch_state_is_a_directory: ["monitor", "watch", "--once", "--state", "@a-directory"] => 2, names "@a-directory");
bad!(monitor_watch_corrupt_state_file: ["monitor", "watch", "--once", "--state", "@corrupt-state.json"] => 2, names "@corrupt-state.json");
bad!(monitor_watch_tag_with_a_colon: ["monitor", "watch", "--once", "--tag", "a:b"] => 2, names "a:b");

// vt hash (local only)
bad!(hash_missing_path: ["hash", "/nonexistent/x.bin"] => 2, names "/nonexistent/x.bin");
bad!(hash_directory: ["hash", "@a-directory"] => 2, names "@a-directory");

// vt scan
bad!(scan_file_missing_path: ["scan", "file", "/nonexistent/up.bin"] => 2, names "/nonexistent/up.bin");
bad!(scan_file_directory: ["scan", "file", "@a-directory"] => 2, names "@a-directory");
bad!(scan_file_over_650_mb_sparse: ["scan", "file", "@big.bin"] => 2, names "@big.bin");
bad!(scan_file_unreadable: ["scan", "file", "@unreadable.bin"] => 2, names "@unreadable.bin");
bad!(scan_file_good_then_over_650_mb_sends_nothing: ["scan", "file", "@sample.bin", "@big.bin"] => 2, names "@big.bin");
bad!(scan_url_not_a_url: ["scan", "url", "not a url"] => 2, names "not a url");
bad!(scan_url_scheme_without_host: ["scan", "url", "http://"] => 2, names "http://");

// URLs, domains, IPs
bad!(url_scheme_without_host: ["url", "http://"] => 2, names "http://");
bad!(url_empty: ["url", ""] => 2, names "no input");
bad!(url_id_empty: ["url-id", ""] => 2, names "no input");
bad!(network_location_of_garbage: ["network-location", "::::"] => 2, names "::::");
bad!(domain_with_a_space: ["domain", "exa mple.com"] => 2, names "exa mple.com");
bad!(domain_with_an_empty_label: ["domain", "example..com"] => 2, names "example..com");
bad!(ip_octet_over_255: ["ip", "999.1.1.1"] => 2, names "999.1.1.1");
bad!(ip_three_octets: ["ip", "1.2.3"] => 2, names "1.2.3");
bad!(ip_stdin_with_a_bad_line: ["ip", "-"] stdin "8.8.8.8\n8.8.8.888\n" => 2, names "8.8.8.888");

// analyses, rescans, comments, votes, relationships
bad!(analysis_id_with_spaces: ["analysis", "not an id"] => 2, names "not an id");
bad!(rescan_file_bad_hash: ["rescan", "file", "zzz"] => 2, names "zzz");
bad!(
    rescan_unknown_kind: ["rescan", "planet", "earth"] => 2, names "planet");
bad!(comments_file_bad_hash: ["comments", "file", "zzz"] => 2, names "zzz");
bad!(comment_on_a_bad_domain: ["comment", "domain", "bad domain", "#tag text"] => 2, names "bad domain");
bad!(comment_empty_text: ["comment", "file", EICAR, ""] => 2, names "comment");
bad!(votes_bad_ip: ["votes", "ip", "1.2.3.4.5"] => 2, names "1.2.3.4.5");
bad!(
    vote_unknown_verdict: ["vote", "file", EICAR, "evil"] => 2, names "evil");
bad!(
    related_malformed_relationship: ["related", "file", EICAR, "Contacted-IPs"] => 2, names "Contacted-IPs");
bad!(related_bad_hash: ["related", "file", "zzz", "contacted_domains"] => 2, names "zzz");
bad!(
    comments_limit_zero: ["comments", "file", EICAR, "--limit", "0"] => 2, names "limit");

// downloads, behaviours, pcaps
bad!(download_bad_hash: ["download", "zzz"] => 2, names "zzz");
bad!(
    download_into_a_missing_directory: ["download", EICAR, "-o", "/nonexistent/dir/"] => 2, names "/nonexistent/dir");
bad!(download_url_bad_hash: ["download-url", "abc"] => 2, names "abc");
bad!(behaviours_bad_hash: ["behaviours", "abc"] => 2, names "abc");
bad!(pcap_empty_sandbox_id: ["pcap", "", "-o", "@out.pcap"] => 2, names "sandbox");
bad!(pcap_sandbox_id_without_its_sha256: ["pcap", "abc", "-o", "@out.pcap"] => 2, names "abc");
bad!(pcap_sandbox_id_without_a_sha256: ["pcap", "abc_Zenbox", "-o", "@out.pcap"] => 2, names "abc_Zenbox");
bad!(html_sandbox_id_without_a_name: ["html", "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f", "-o", "@out.html"] => 2, names "sandbox report id");
bad!(evtx_sandbox_name_with_a_slash: ["evtx", "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f_a/b", "-o", "@out.evtx"] => 2, names "a/b");
bad!(memdump_into_a_missing_directory: ["memdump", "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f_Zenbox", "-o", "/nonexistent/dir/m.dmp"] => 2, names "/nonexistent/dir/m.dmp");
bad!(pcap_output_is_a_directory: ["pcap", "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f_Zenbox", "-o", "@a-directory"] => 2, names "@a-directory");
bad!(behaviours_empty_sandbox_name: ["behaviours", EICAR, "--sandbox", ""] => 2, names "sandbox");
bad!(behaviour_summary_bad_hash: ["behaviour-summary", "abc"] => 2, names "abc");
bad!(mitre_bad_hash: ["mitre", "abc"] => 2, names "abc");

// private scanning
bad!(scan_url_private_with_a_password: ["scan", "url", "--private", "--password", "x", "http://example.com/"] => 2, names "--password");
bad!(private_analysis_with_a_password: ["private", "analysis", "--password", "x", "abc"] => 2, names "--password");
bad!(scan_file_private_retention_over_28_days: ["scan", "file", "--private", "--retention-days", "29", "@sample.bin"] => 2, names "29");
bad!(scan_file_private_lowercase_region: ["scan", "file", "--private", "--storage-region", "eu", "@sample.bin"] => 2, names "eu");
bad!(scan_file_private_bad_locale: ["scan", "file", "--private", "--locale", "en-us", "@sample.bin"] => 2, names "en-us");
bad!(scan_file_private_over_650_mb: ["scan", "file", "--private", "@big.bin"] => 2, names "@big.bin");
bad!(scan_file_private_option_without_private: ["scan", "file", "--retention-days", "3", "@sample.bin"] => 2, names "--private");
bad!(scan_file_private_with_skip_known: ["scan", "file", "--private", "--skip-known", "@sample.bin"] => 2, names "--skip-known");
bad!(scan_url_private_bad_sandbox_name: ["scan", "url", "--private", "--sandboxes", "cape win", "http://example.com/"] => 2, names "cape win");
bad!(scan_url_private_not_a_url: ["scan", "url", "--private", "not a url"] => 2, names "not a url");
bad!(private_file_bad_hash: ["private", "file", "zzz"] => 2, names "zzz");
bad!(private_analysis_id_with_spaces: ["private", "analysis", "not an id"] => 2, names "not an id");
bad!(private_url_garbage: ["private", "url", "http://"] => 2, names "http://");
bad!(private_files_limit_zero: ["private", "files", "--limit", "0"] => 2, names "limit");

// VT Monitor
bad!(monitor_get_not_base64: ["monitor", "get", "not base64!"] => 2, names "not base64!");
bad!(monitor_delete_decoded_form: ["monitor", "delete", "vtmonitor-v1://emulator/x"] => 2, names "vtmonitor-v1://emulator/x");
bad!(monitor_download_not_an_id: ["monitor", "download", "%%%"] => 2, names "%%%");
bad!(monitor_upload_missing_local_path: ["monitor", "upload", "/nonexistent/app.exe", "/releases/"] => 2, names "/nonexistent/app.exe");
bad!(monitor_upload_remote_path_without_slash: ["monitor", "upload", "@sample.bin", "releases"] => 2, names "releases");
bad!(monitor_upload_tree_with_a_file_over_650_mb: ["monitor", "upload", "@upload-dir", "/big/"] => 2, names "big.bin");
bad!(monitor_analyses_bad_id: ["monitor", "analyses", "***"] => 2, names "***");
bad!(monitor_upload_over_650_mb: ["monitor", "upload", "@big.bin", "/releases/big.bin"] => 2, names "@big.bin");
bad!(monitor_sync_missing_local_dir: ["monitor", "sync", "/nonexistent/dir", "/releases/"] => 2, names "/nonexistent/dir");
bad!(monitor_items_unknown_filter_modifier: ["monitor", "items", "--filter", "tags:detected"] => 2, names "tags:detected");
bad!(monitor_items_two_filter_modifiers: ["monitor", "items", "--filter", "path:/a/ tag:detected"] => 2, names "path:/a/ tag:detected");
bad!(monitor_items_relative_filter_path: ["monitor", "items", "--filter", "path:releases/"] => 2, names "path:releases/");
bad!(monitor_items_item_that_is_a_file: ["monitor", "items", "--item", MONITOR_FILE] => 2, names "is a file");
bad!(monitor_upload_two_files_to_a_file_path: ["monitor", "upload", "@sample.bin", "@sample.bin", "/releases/app.exe"] => 2, names "/releases/app.exe");
bad!(monitor_replace_a_folder: ["monitor", "replace", MONITOR_FOLDER, "@sample.bin"] => 2, names "is a folder");
bad!(monitor_replace_missing_local_file: ["monitor", "replace", MONITOR_FILE, "/nonexistent/new.bin"] => 2, names "/nonexistent/new.bin");
bad!(monitor_mkdir_relative_path: ["monitor", "mkdir", "releases/"] => 2, names "releases/");
bad!(monitor_download_url_of_a_folder: ["monitor", "download-url", MONITOR_FOLDER] => 2, names "is a folder");
bad!(monitor_items_path_and_tag_together: ["monitor", "items", "--path", "/a/", "--tag", "detected"] => 2, names "--tag");

// v2, search, raw calls
bad!(v2_file_report_bad_resource: ["v2", "file-report", "zzz"] => 2, names "zzz");
bad!(search_empty_query: ["search", ""] => 2, names "query");
bad!(search_blank_query: ["search", "   "] => 2, names "query");
bad!(search_query_with_a_newline: ["search", "type:peexe\np:5+"] => 2, names "control character");
bad!(search_malformed_cursor: ["search", "p:1+", "--cursor", "not a cursor"] => 2, names "--cursor");
bad!(search_malformed_order: ["search", "p:1+", "--order", "positives--"] => 2, names "positives--");
bad!(search_basic_with_an_order: ["search", "--basic", "x", "--order", "size-"] => 2, names "--order");
bad!(search_page_size_over_300: ["search", "p:1+", "--page-size", "301"] => 2, names "301");
bad!(search_resume_without_output: ["search", "p:1+", "--resume"] => 2, names "--output");
bad!(download_password_without_zip: ["download", "--password", "infected", EICAR] => 2, names "--zip");
bad!(download_zip_empty_password: ["download", "--zip", "@out.zip", "--password", "", EICAR] => 2, names "password");
bad!(download_zip_in_a_missing_directory: ["download", "--zip", "/nonexistent/dir/b.zip", EICAR] => 2, names "/nonexistent/dir/b.zip");
bad!(download_zip_to_a_directory: ["download", "--zip", "@a-directory", EICAR] => 2, names "@a-directory");
bad!(download_zip_bad_hash_sends_nothing: ["download", "--zip", "@out.zip", EICAR, "zzz"] => 2, names "zzz");
bad!(download_zip_with_output: ["download", "--zip", "@out.zip", "--output", "@@", EICAR] => 2, names "--output");

// Retrohunt
bad!(retrohunt_start_missing_rules_file: ["retrohunt", "start", "/nonexistent/rules.yar"] => 2, names "/nonexistent/rules.yar");
bad!(retrohunt_start_rules_file_is_a_directory: ["retrohunt", "start", "@a-directory"] => 2, names "@a-directory");
bad!(retrohunt_start_empty_rules: ["retrohunt", "start", "@empty.yar"] => 2, names "@empty.yar: the ruleset is empty");
bad!(retrohunt_start_rules_not_utf8: ["retrohunt", "start", "@latin1.yar"] => 2, names "@latin1.yar:");
bad!(retrohunt_start_rules_over_the_size_limit: ["retrohunt", "start", "@huge.yar"] => 2, names "@huge.yar: the ruleset is 1048577 bytes, over the limit of 1048576");
bad!(retrohunt_start_empty_stdin: ["retrohunt", "start", "-"] stdin "" => 2, names "<stdin>: the ruleset is empty");
bad!(retrohunt_start_rules_that_do_not_compile: ["retrohunt", "start", "@broken.yar"] => 2, names "@broken.yar:2:14: error");
bad!(retrohunt_start_more_than_300_rules: ["retrohunt", "start", "@many.yar"] => 2, names "@many.yar: 301 rules; a Retrohunt job takes at most 300");
bad!(retrohunt_start_unknown_corpus: ["retrohunt", "start", "@rules.yar", "--corpus", "all"] => 2, names "all");
bad!(retrohunt_start_bad_from_date: ["retrohunt", "start", "@rules.yar", "--from", "31/01/2024"] => 2, names "31/01/2024");
bad!(retrohunt_start_range_backwards: ["retrohunt", "start", "@rules.yar", "--from", "2024-02-01", "--to", "2024-01-01"] => 2, names "starts after it ends");
bad!(retrohunt_start_bad_email: ["retrohunt", "start", "@rules.yar", "--email", "nobody"] => 2, names "nobody");
bad!(retrohunt_get_bad_job_id: ["retrohunt", "get", "not-a-job"] => 2, names "not-a-job");
bad!(retrohunt_abort_bad_job_id: ["retrohunt", "abort", "1700000000"] => 2, names "1700000000");
bad!(retrohunt_delete_good_then_bad_id_sends_nothing: ["retrohunt", "delete", "alice-1700000000", "alice"] => 2, names "\"alice\"");
bad!(retrohunt_matches_bad_cursor: ["retrohunt", "matches", "alice-1700000000", "--cursor", "not a cursor"] => 2, names "--cursor");
bad!(retrohunt_matches_download_into_a_file: ["retrohunt", "matches", "alice-1700000000", "--download", "@sample.bin"] => 2, names "@sample.bin");
bad!(retrohunt_list_bad_status: ["retrohunt", "list", "--status", "Running!"] => 2, names "Running!");
// collections and the IoC stream (issue 12)
bad!(collection_create_a_word_that_is_no_indicator: ["collection", "create", "-n", "x", "example.com", "word"] => 2, names "\"word\"");
bad!(collection_create_md5_one_digit_short: ["collection", "create", "-n", "x", "44d88612fea8a8f36de82e1278abb02"] => 2, names "44d88612fea8a8f36de82e1278abb02");
bad!(collection_create_ip_octet_over_255: ["collection", "create", "-n", "x", "8.8.8.888"] => 2, names "8.8.8.888");
bad!(collection_create_url_without_host: ["collection", "create", "-n", "x", "http://"] => 2, names "http://");
bad!(collection_create_blank_name: ["collection", "create", "-n", " ", "example.com"] => 2, names "name");
bad!(collection_create_no_indicator: ["collection", "create", "-n", "x"] => 2, names "no indicator");
bad!(collection_create_stdin_with_a_bad_line: ["collection", "create", "-n", "x", "-"] stdin "example.com\n# a comment line\n8.8.8.8 bad_token!\n" => 2, names "bad_token!");
bad!(collection_create_file_that_does_not_exist: ["collection", "create", "-n", "x", "--file", "/nonexistent/iocs.txt"] => 2, names "/nonexistent/iocs.txt");
bad!(collection_add_bad_collection_id: ["collection", "add", "a/b", "example.com"] => 2, names "a/b");
bad!(collection_remove_bad_indicator: ["collection", "remove", "c1", "1.2.3"] => 2, names "1.2.3");
bad!(collection_get_id_with_a_space: ["collection", "get", "a b"] => 2, names "a b");
bad!(collection_update_without_a_change: ["collection", "update", "c1"] => 2, names "--name");
bad!(collection_rename_to_a_blank_name: ["collection", "rename", "c1", "  "] => 2, names "name");
bad!(collection_list_bad_order: ["collection", "list", "--order", "size-"] => 2, names "size-");
bad!(collection_related_malformed_relationship: ["collection", "related", "c1", "Files!"] => 2, names "Files!");
bad!(iocstream_list_filter_with_a_control_character: ["iocstream", "list", "--filter", "origin:hunting\u{7}"] => 2, names "--filter");
bad!(iocstream_list_blank_filter: ["iocstream", "list", "--filter", "  "] => 2, names "--filter");
bad!(iocstream_list_bad_order: ["is", "list", "--order", "newest"] => 2, names "newest");
bad!(iocstream_get_id_with_a_slash: ["iocstream", "get", "1/2"] => 2, names "1/2");
bad!(iocstream_delete_ids_and_a_filter: ["iocstream", "delete", "1", "--filter", "origin:hunting"] => 2, names "--filter");
bad!(iocstream_delete_without_ids_filter_or_all: ["iocstream", "delete"] => 2, names "--all");

#[test]
fn search_over_long_query() {
    let long = "a".repeat(4097);
    check(&["search", &long], None, 2, "4096", true);
}

#[test]
fn search_resume_from_a_file_of_another_search() {
    let fx = Fixture::new();
    let file = fx.path("hits.ndjson");
    std::fs::write(
        &file,
        "{\"input\":\"x\",\"data\":{},\"search\":{\"query\":\"tag:other\",\"cursor\":null,\"skip\":1,\"done\":false}}\n",
    )
    .unwrap();
    let file = file.display().to_string();
    check(
        &["search", "p:1+", "--output", &file, "--resume"],
        None,
        2,
        "tag:other",
        true,
    );
}
bad!(
    api_unknown_method: ["api", "FETCH", "/files/x"] => 2, names "FETCH");
bad!(api_data_not_json: ["api", "POST", "/urls", "--data", "{not json"] => 2, names "--data");

// vt feed: times, ranges and cursors are checked before any request
bad!(feed_from_after_to: ["feed", "files", "--from", "202101020304", "--to", "202101010000"] => 2, names "202101020304");
bad!(feed_from_in_the_future: ["feed", "files", "--from", "299912312359"] => 2, names "299912312359");
bad!(feed_to_in_the_future_rfc3339: ["feed", "urls", "--to", "2999-01-01T00:00:00Z"] => 2, names "2999-01-01T00:00:00Z");
bad!(feed_time_with_month_13: ["feed", "files", "--from", "2026-13-01T00:00:00Z"] => 2, names "2026-13-01T00:00:00Z");
bad!(feed_time_in_words: ["feed", "files", "--from", "yesterday"] => 2, names "yesterday");
bad!(feed_cursor_without_a_count: ["feed", "files", "--cursor", "202612010000-"] => 2, names "202612010000-");
bad!(feed_cursor_with_a_short_time: ["feed", "files", "--cursor", "2026120100-3"] => 2, names "2026120100-3");
bad!(feed_unknown_type: ["feed", "gifs"] => 2, names "gifs");
bad!(feed_download_of_a_feed_without_files: ["feed", "urls", "--download", "@a-directory"] => 2, names "--download");
bad!(feed_download_into_a_missing_directory: ["feed", "files", "--download", "/nonexistent/dir"] => 2, names "/nonexistent/dir");
bad!(feed_resume_without_output: ["feed", "files", "--resume"] => 2, names "--output");
bad!(feed_follow_with_an_end: ["feed", "files", "--follow", "--to", "202101010000"] => 2, names "--to");
bad!(feed_output_that_exists_without_resume: ["feed", "files", "--output", "@sample.bin"] => 2, names "@sample.bin");

// global options and configuration
bad!(rate_limit_unknown_window: ["--rate-limit", "4/fortnight", "file", EICAR] => 2, names "4/fortnight");
bad!(rate_limit_garbage: ["--rate-limit", "fast", "file", EICAR] => 2, names "fast");
bad!(
    format_unknown: ["--format", "xml", "file", EICAR] => 2, names "xml");
bad!(
    concurrency_zero: ["--concurrency", "0", "file", EICAR] => 2, names "--concurrency <N>': must be at least 1");
bad!(
    timeout_negative: ["--timeout", "-1", "file", EICAR] => 2, names "-1");
bad!(timeout_zero: ["--timeout", "0", "file", EICAR] => 2, names "--timeout must be at least 1 second");
bad!(config_file_concurrency_zero: ["--config", "@zero-concurrency.toml", "file", EICAR] => 2, names "concurrency must be at least 1");
bad!(include_glob_with_an_empty_field_name: ["-i", "attributes..names", "file", EICAR] => 2, names "attributes..names");
bad!(base_url_not_a_url: ["--base-url", "not a url", "file", EICAR] => 2, names "not a url");
bad!(config_file_missing: ["--config", "/nonexistent/vt.toml", "file", EICAR] => 2, names "/nonexistent/vt.toml");
bad!(config_file_not_toml: ["--config", "@broken.toml", "file", EICAR] => 2, names "@broken.toml");
bad!(config_file_unknown_format: ["--config", "@bad-format.toml", "file", EICAR] => 2, names "xml");
bad!(max_age_negative: ["--max-age", "-1h", "file", EICAR] => 2, names "-1h");
bad!(max_age_without_unit: ["--max-age", "12", "file", EICAR] => 2, names "--max-age");
bad!(max_age_unknown_unit: ["--max-age", "3 fortnights", "file", EICAR] => 2, names "3 fortnights");
bad!(cache_path_in_a_world_writable_directory: ["--cache-path", "@open-dir/c.sqlite3", "file", EICAR] => 2, names "@open-dir");
bad!(cache_path_in_an_unwritable_directory: ["--cache-path", "@unwritable-dir/c.sqlite3", "file", EICAR] => 2, names "@unwritable-dir");
bad!(cache_path_is_a_directory: ["--cache-path", "@a-directory", "file", EICAR] => 2, names "@a-directory");
bad!(fleet_url_not_redis: ["--fleet", "http://127.0.0.1:6379/0", "file", EICAR] => 2, names "http://127.0.0.1:6379/0");
bad!(fleet_url_bad_database: ["--fleet", "redis://127.0.0.1:6379/zero", "file", EICAR] => 2, names "redis://127.0.0.1:6379/zero");
bad!(fleet_url_bad_port: ["--fleet", "redis://127.0.0.1:99999/0", "file", EICAR] => 2, names "redis://127.0.0.1:99999/0");
bad!(fleet_url_without_host: ["--fleet", "redis://", "file", EICAR] => 2, names "redis://");
bad!(cache_url_not_redis: ["--cache", "http://127.0.0.1:6379/0", "file", EICAR] => 2, names "http://127.0.0.1:6379/0");
bad!(cache_url_bad_database: ["--cache", "redis://127.0.0.1:6379/zero", "file", EICAR] => 2, names "redis://127.0.0.1:6379/zero");
bad!(cache_url_bad_port: ["--cache", "redis://127.0.0.1:99999/0", "file", EICAR] => 2, names "redis://127.0.0.1:99999/0");
bad!(cache_url_without_host: ["--cache", "redis://", "file", EICAR] => 2, names "redis://");
bad!(cache_url_a_path_not_a_url: ["--cache", "/tmp/cache.sqlite3", "file", EICAR] => 2, names "/tmp/cache.sqlite3");
bad!(key_file_missing: ["--api-key-file", "/nonexistent/vt.key", "file", EICAR] => 2, names "/nonexistent/vt.key");

bad!(wait_timeout_without_a_unit_it_knows: ["--wait-timeout", "10 fortnights", "analysis", "x"] => 2, names "10 fortnights");
bad!(tier_unknown: ["--tier", "gold", "file", EICAR] => 2, names "gold");

// Open world: well-formed input this version does not know is sent, never refused.

#[test]
fn an_unknown_but_well_formed_relationship_is_sent_with_a_did_you_mean_warning() {
    let emu = Emu::start(|_| {});
    let r = run(emu
        .vt()
        .args(["related", "file", EICAR, "contacted_domain"]));
    let sent = emu.api_requests();
    assert_eq!(sent.len(), 1, "sent as given: {}", r.stderr);
    assert!(
        sent[0].path.contains("/contacted_domain?"),
        "{}",
        sent[0].path
    );
    assert!(
        r.stderr.contains("did you mean `contacted_domains`"),
        "{}",
        r.stderr
    );
    // A name with no near miss: no warning without -v.
    let r = run(emu
        .vt()
        .args(["related", "file", EICAR, "a_relationship_added_later"]));
    assert_eq!(emu.api_requests().len(), 2, "{}", r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
}

#[test]
fn a_monitor_item_id_of_another_form_is_sent() {
    let emu = Emu::start(|_| {});
    // base64 of "vtmonitor-v2://acme/x": well formed, not today's form.
    let r = run(emu
        .vt()
        .args(["monitor", "get", "dnRtb25pdG9yLXYyOi8vYWNtZS94"]));
    assert_eq!(r.code, 1, "the server's answer decides: {}", r.stderr);
    let sent = emu.api_requests();
    assert_eq!(sent.len(), 1, "{}", r.stderr);
    assert!(sent[0].path.contains("dnRtb25pdG9yLXYyOi8vYWNtZS94"));
}

#[test]
fn the_tier_sets_the_v2_batch_size() {
    let hashes: Vec<String> = (0..6).map(|i| format!("{i:032x}")).collect();
    for (tier, requests) in [("public", 2), ("premium", 1)] {
        let emu = Emu::start(|_| {});
        let r = run(emu
            .vt()
            .args(["--tier", tier, "--format", "json", "v2", "file-report"])
            .args(&hashes));
        assert_eq!(r.code, 1, "unknown hashes: {}", r.stderr);
        assert_eq!(
            emu.api_requests().len(),
            requests,
            "--tier {tier}: {}",
            r.stderr
        );
    }
}

#[test]
fn config_file_with_a_key_readable_by_others() {
    // The key comes from the config file only (no VT_API_KEY).
    let fx = Fixture::new();
    let emu = Emu::start(|_| {});
    let r = run(emu
        .vt_without_key()
        .args(["--config", &expand("@open.toml", &fx), "file", EICAR]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&expand("@open.toml", &fx)),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("chmod 600"), "says the fix: {}", r.stderr);
    assert!(emu.api_requests().is_empty());
}

#[test]
fn config_file_bad_rate_limit() {
    // Without VT_RATE_LIMIT (the harness sets it, and the environment beats the file).
    let fx = Fixture::new();
    let emu = Emu::start(|_| {});
    let r = run(emu.vt().env_remove("VT_RATE_LIMIT").args([
        "--config",
        &expand("@bad-rate.toml", &fx),
        "file",
        EICAR,
    ]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("4/fortnight"), "{}", r.stderr);
    assert!(emu.api_requests().is_empty());
}

#[test]
fn key_file_readable_by_others() {
    let fx = Fixture::new();
    let emu = Emu::start(|_| {});
    let r = run(emu.vt_without_key().args([
        "--api-key-file",
        &expand("@open.key", &fx),
        "file",
        EICAR,
    ]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains(&expand("@open.key", &fx)), "{}", r.stderr);
    assert!(emu.api_requests().is_empty());
}

#[test]
fn missing_key_is_exit_3_and_sends_nothing() {
    for args in [
        vec!["file", EICAR],
        vec!["domain", "example.com"],
        vec!["monitor", "items"],
        vec!["v2", "file-report", EICAR],
        vec!["quota"],
    ] {
        let emu = Emu::start(|_| {});
        let r = run(emu.vt_without_key().args(&args));
        assert_eq!(r.code, 3, "vt {args:?}: {}", r.stderr);
        assert_eq!(
            r.stderr.trim().lines().count(),
            1,
            "vt {args:?}: {}",
            r.stderr
        );
        assert!(
            r.stderr.contains("VT_API_KEY") || r.stderr.contains("config init"),
            "vt {args:?}: says how to set a key: {}",
            r.stderr
        );
        assert!(emu.api_requests().is_empty(), "vt {args:?}");
    }
}

#[test]
fn non_utf8_argument_is_refused_without_requests() {
    let emu = Emu::start(|_| {});
    let arg = std::ffi::OsStr::from_bytes(b"bad-\xff-arg");
    let r = run(emu.vt().arg("file").arg(arg));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("bad-"), "{}", r.stderr);
    assert!(emu.api_requests().is_empty());
}

#[test]
fn non_utf8_stdin_line_is_refused_without_requests() {
    let emu = Emu::start(|_| {});
    let r = run(emu.vt().args(["file", "-"]).write_stdin(
        b"275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f\n\xff\xfe\n".to_vec(),
    ));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(emu.api_requests().is_empty());
}

// vt yara and vt hunting: rules are compiled locally before anything is sent.
bad!(yara_check_empty_rules: ["yara", "check", "@empty.yar"] => 2, names "@empty.yar");
bad!(yara_check_rules_not_utf8: ["yara", "check", "@latin1.yar"] => 2, names "@latin1.yar");
bad!(yara_check_rules_over_the_size_limit: ["yara", "check", "@huge.yar"] => 2, names "@huge.yar");
bad!(yara_check_rules_that_do_not_compile: ["yara", "check", "@broken.yar"] => 2, names "broken.yar:2:14: error[E009]");
bad!(yara_check_a_directory: ["yara", "check", "@a-directory"] => 2, names "@a-directory");
bad!(yara_check_an_unknown_target: ["yara", "check", "@broken.yar", "--target", "files"] => 2, names "files");
bad!(yara_scan_a_path_that_does_not_exist: ["yara", "scan", "@broken.yar", "/nonexistent/dir"] => 2, names "/nonexistent/dir");
bad!(hunting_create_rules_that_do_not_compile: ["hunting", "ruleset", "create", "x", "@broken.yar"] => 2, names "broken.yar:2:14");
bad!(hunting_create_empty_rules: ["hunting", "ruleset", "add", "x", "@empty.yar"] => 2, names "@empty.yar");
bad!(hunting_update_rules_not_utf8: ["hunting", "ruleset", "update", "123", "@latin1.yar"] => 2, names "@latin1.yar");
bad!(hunting_update_nothing_to_change: ["hunting", "ruleset", "update", "123"] => 2, names "123");
bad!(hunting_ruleset_id_with_a_slash: ["hunting", "ruleset", "get", "12/3"] => 2, names "12/3");
bad!(hunting_notification_delete_without_ids: ["hunting", "notifications", "delete"] => 2, names "<ID>");
bad!(hunting_ruleset_delete_all_without_confirm: ["hunting", "ruleset", "delete", "--all"] => 2, names "--confirm");
bad!(hunting_ruleset_delete_all_with_a_blank_confirm: ["hunting", "ruleset", "delete", "--all", "--confirm", " "] => 2, names "--confirm");
bad!(hunting_ruleset_delete_ids_and_all: ["hunting", "ruleset", "delete", "123", "--all", "--confirm", "alice"] => 2, names "--all");
