//! What a ruleset runs on: the `vt` module's fields each target allows (as VirusTotal
//! compiles Livehunt rulesets by `match_object_type`, and Retrohunt rules), and url, domain
//! and ip_address rules run over `vt.net` ([`Ruleset::scan_network_object`]).

use vt_yara::{NetworkObject, RulesSource, RulesTarget, Ruleset, compile};

fn compiles(text: &str, target: RulesTarget) -> bool {
    compile(RulesSource::new(text.as_bytes()).with_target(target)).is_ok()
}

fn rules(text: &str, target: RulesTarget) -> Ruleset {
    compile(RulesSource::new(text.as_bytes()).with_target(target)).unwrap()
}

fn hits(rules_text: &str, target: RulesTarget, object: NetworkObject) -> Vec<String> {
    rules(rules_text, target)
        .scan_network_object(&object)
        .unwrap()
        .into_iter()
        .map(|m| m.rule)
        .collect()
}

#[test]
fn each_target_allows_the_vt_fields_virustotal_allows_it() {
    let metadata = "import \"vt\"\nrule m { condition: vt.metadata.new_file }";
    let submitter = "import \"vt\"\nrule s { condition: vt.metadata.submitter.country == \"ES\" }";
    let url = "import \"vt\"\nrule u { condition: vt.net.url.raw contains \"evil\" }";
    let domain = "import \"vt\"\nrule d { condition: vt.net.domain.raw == \"evil.example\" }";
    let ip = "import \"vt\"\nrule i { condition: vt.net.ip.raw == \"192.0.2.1\" }";
    assert!(compiles(metadata, RulesTarget::File));
    assert!(compiles(submitter, RulesTarget::File));
    assert!(!compiles(url, RulesTarget::File));
    assert!(compiles(metadata, RulesTarget::Retrohunt));
    assert!(!compiles(submitter, RulesTarget::Retrohunt));
    assert!(compiles(url, RulesTarget::Url));
    assert!(compiles(domain, RulesTarget::Url));
    assert!(!compiles(metadata, RulesTarget::Url));
    assert!(compiles(domain, RulesTarget::Domain));
    assert!(!compiles(url, RulesTarget::Domain));
    assert!(compiles(ip, RulesTarget::IpAddress));
    assert!(!compiles(domain, RulesTarget::IpAddress));
    // Rules without the vt module compile for every target.
    for t in RulesTarget::ALL {
        assert!(compiles("rule a { condition: true }", t), "{t}");
    }
}

#[test]
fn url_rules_match_the_url_and_its_host() {
    let text = "import \"vt\"\n\
        rule raw { condition: vt.net.url.raw contains \"/login\" }\n\
        rule host { condition: vt.net.url.hostname == \"evil.example\" and vt.net.domain.raw == \"evil.example\" }\n\
        rule port { condition: vt.net.url.port == 8443 and vt.net.url.query == \"x=1\" }\n\
        rule never { condition: vt.net.url.raw contains \"nothing-like-this\" }";
    let got = hits(
        text,
        RulesTarget::Url,
        NetworkObject::Url("https://evil.example:8443/login?x=1".into()),
    );
    assert_eq!(got, ["raw", "host", "port"]);
    let by_ip = hits(
        "import \"vt\"\nrule ip { condition: vt.net.ip.raw == \"192.0.2.7\" }",
        RulesTarget::Url,
        NetworkObject::Url("http://192.0.2.7/x".into()),
    );
    assert_eq!(by_ip, ["ip"]);
}

#[test]
fn domain_and_ip_rules_match_their_object() {
    let domain = "import \"vt\"\nrule d { condition: vt.net.domain.raw endswith \".example\" }";
    assert_eq!(
        hits(
            domain,
            RulesTarget::Domain,
            NetworkObject::Domain("evil.example".into())
        ),
        ["d"]
    );
    assert!(
        hits(
            domain,
            RulesTarget::Domain,
            NetworkObject::Domain("good.test".into())
        )
        .is_empty()
    );
    let ip = "import \"vt\"\nrule i { condition: vt.net.ip.in_range(\"192.0.2.0/24\") }";
    assert_eq!(
        hits(
            ip,
            RulesTarget::IpAddress,
            NetworkObject::IpAddress("192.0.2.7".into())
        ),
        ["i"]
    );
    assert!(
        hits(
            ip,
            RulesTarget::IpAddress,
            NetworkObject::IpAddress("8.8.8.8".into())
        )
        .is_empty()
    );
}
