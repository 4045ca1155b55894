//! Output for dashboards and CI at catalog scale: JSON Lines, `--findings`,
//! stable target ids, package facts and run metadata.

use assert_cmd::Command;
use std::path::Path;

fn caplevel() -> Command {
    let mut cmd = Command::cargo_bin("caplevel").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

const GOOD: &str = "fixtures/rules/csv-install-deployment/pass";
const RULES: &str = "fixtures/rules";

fn lines(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

#[test]
fn jsonl_is_one_line_per_target_then_a_summary() {
    let out = caplevel()
        .args(["analyze", RULES, "--format", "jsonl", "--findings", "fail"])
        .output()
        .unwrap();
    let lines = lines(&out.stdout);
    let (summary, targets) = lines.split_last().unwrap();
    assert!(targets.len() > 10);
    assert!(targets.iter().all(|t| t["type"] == "target"));
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["summary"]["targets"], targets.len());
    // The rule catalogue once, in the summary line, with its digest.
    let rules = summary["rules"].as_array().unwrap();
    assert!(rules.len() > 50 && rules.iter().all(|r| r["title"].is_string()));
    assert!(
        summary["run"]["rules_digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    // Only failures, by status then rule, located by an index into the
    // target's files (relative to the target), a line and a count.
    let mut seen = 0;
    for t in targets {
        let files = t["files"].as_array().cloned().unwrap_or_default();
        for f in &files {
            let f = f.as_str().unwrap();
            assert!(!f.starts_with('/') && !f.starts_with("fixtures/"), "{f}");
        }
        let Some(by_status) = t["findings"].as_object() else {
            continue;
        };
        for (status, rules) in by_status {
            assert!(status == "fail" || status == "error", "{status}");
            for (rule, at) in rules.as_object().unwrap() {
                assert!(!rule.is_empty());
                let at = at.as_array().unwrap();
                if let [file, line, count] = &at[..] {
                    assert!(file.as_u64().unwrap() < files.len() as u64);
                    assert!(line.as_u64().unwrap() > 0 && count.as_u64().unwrap() > 0);
                    seen += 1;
                } else {
                    assert!(at.is_empty(), "{at:?}");
                }
            }
        }
        // Nothing empty is written.
        for (k, v) in t.as_object().unwrap() {
            assert!(
                v != &serde_json::json!([]) && v != &serde_json::json!({}),
                "{k}"
            );
        }
        assert!(t["phases"]["basic-install"].get("reached").is_none());
    }
    assert!(seen > 0);
    // Per-rule counts cover every finding, shown or not.
    let rules = summary["summary"]["rules"].as_object().unwrap();
    assert!(rules.values().any(|c| c.get("pass").is_some()));
    assert!(summary["summary"]["phase_means"]["basic-install"].is_number());
}

#[test]
fn findings_none_and_fail_filter_every_format_but_not_the_counts() {
    let all = caplevel()
        .args(["analyze", GOOD, "--format", "json"])
        .output()
        .unwrap();
    let none = caplevel()
        .args(["analyze", GOOD, "--format", "json", "--findings", "none"])
        .output()
        .unwrap();
    let all: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    let none: serde_json::Value = serde_json::from_slice(&none.stdout).unwrap();
    assert!(!all["targets"][0]["findings"].as_array().unwrap().is_empty());
    assert!(
        none["targets"][0]["findings"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(all["summary"]["findings"], none["summary"]["findings"]);
    assert_eq!(all["targets"][0]["score"], none["targets"][0]["score"]);
    let junit = caplevel()
        .args(["analyze", GOOD, "--format", "junit", "--findings", "fail"])
        .output()
        .unwrap();
    let junit = String::from_utf8_lossy(&junit.stdout);
    assert!(
        !junit.contains(r#"testcase name="csv-install-deployment""#),
        "{junit}"
    );
    assert!(junit.contains("<failure"));
}

#[test]
fn target_ids_do_not_depend_on_how_the_path_was_typed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let id = |arg: String| {
        let out = caplevel()
            .args(["analyze", "--format", "jsonl", "--findings", "none"])
            .arg(arg)
            .output()
            .unwrap();
        let lines = lines(&out.stdout);
        lines
            .iter()
            .filter(|l| l["type"] == "target")
            .map(|l| l["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let plain = id("fixtures/rules/csv-install-deployment".into());
    assert_eq!(plain, id("fixtures/rules/csv-install-deployment/".into()));
    assert_eq!(plain, id("./fixtures/rules/csv-install-deployment".into()));
    assert_eq!(
        plain,
        id(root
            .join("fixtures/rules/csv-install-deployment")
            .display()
            .to_string())
    );
    assert!(plain.iter().any(|i| i.ends_with(":pass")), "{plain:?}");
}

#[test]
fn targets_carry_package_facts_and_the_run_its_metadata() {
    let out = caplevel()
        .args([
            "analyze",
            "fixtures/examples",
            "--format",
            "json",
            "--timestamp",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &v["run"];
    assert!(
        run["arguments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "--timestamp")
    );
    assert!(run["started_at"].as_str().unwrap().ends_with('Z'));
    let bundle = v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "bundle")
        .expect("the examples hold a bundle");
    assert!(
        bundle["package"]["csv_name"].is_string(),
        "{}",
        bundle["package"]
    );
    assert!(
        v["summary"]["latest"]
            .as_object()
            .is_some_and(|m| !m.is_empty())
    );
    // Without --timestamp the report has no time in it.
    let again = caplevel()
        .args(["analyze", "fixtures/examples", "--format", "json"])
        .output()
        .unwrap();
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert!(again["run"].get("started_at").is_none());
}

#[test]
fn each_bundle_of_a_catalog_file_is_a_target_with_its_own_id() {
    let out = caplevel()
        .args([
            "analyze",
            "fixtures/upgrade/catalog/objects",
            "--format",
            "jsonl",
            "--findings",
            "none",
        ])
        .output()
        .unwrap();
    let ids: Vec<String> = lines(&out.stdout)
        .iter()
        .filter(|l| l["type"] == "target")
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 4, "{ids:?}");
    let distinct: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), 4, "{ids:?}");
    assert!(ids.iter().all(|i| i.contains("catalog.yaml#")), "{ids:?}");
}

#[test]
fn markdown_fits_a_pull_request_comment_and_says_what_it_left_out() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/bundles");
    if !corpus.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI=true but the corpus is missing"
        );
        return;
    }
    let out = caplevel()
        .args(["analyze", "--format", "markdown"])
        .arg(&corpus)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    // Whole, the details of 46 bundles are well over a megabyte.
    assert!(
        text.chars().count() <= 65_536,
        "{} characters",
        text.chars().count()
    );
    let note = text
        .lines()
        .find(|l| l.contains("**Truncated**"))
        .expect("a note on what was left out");
    assert!(note.contains("targets' details left out"), "{note}");
    // The summary and every row still fit.
    assert!(text.contains("**46 target(s)**") || text.contains("target(s)**"));
    assert_eq!(text.lines().filter(|l| l.starts_with("| `")).count(), 46);
}

/// A JSON Lines phase says what the JSON report's phase says (but
/// `reached`, its coverage against the summary's threshold), compacted.
#[test]
fn jsonl_phases_carry_what_the_json_phases_say() {
    let mut unbridged = 0;
    let mut unknown = 0;
    let mut decisive = 0;
    for dir in [
        RULES,
        "fixtures/upgrade/catalog/objects",
        "fixtures/upgrade/catalog/metadata",
    ] {
        let json = caplevel()
            .args(["analyze", dir, "--format", "json", "--findings", "none"])
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        let jsonl = caplevel()
            .args(["analyze", dir, "--format", "jsonl", "--findings", "none"])
            .output()
            .unwrap();
        let by_id: std::collections::BTreeMap<String, serde_json::Value> = lines(&jsonl.stdout)
            .into_iter()
            .filter(|l| l["type"] == "target")
            .map(|l| (l["id"].as_str().unwrap().to_string(), l))
            .collect();
        for t in json["targets"].as_array().unwrap() {
            let line = &by_id[t["id"].as_str().unwrap()];
            for (phase, p) in t["phases"].as_object().unwrap() {
                let c = &line["phases"][phase];
                let at = format!("{} {phase}", t["id"]);
                for k in ["status", "confidence", "coverage"] {
                    assert_eq!(c[k], p[k], "{at} {k}");
                }
                for k in ["supporting", "against"] {
                    let want = p.get(k).cloned().unwrap_or(serde_json::json!(null));
                    assert_eq!(c.get(k).cloned().unwrap_or_default(), want, "{at} {k}");
                }
                for k in ["grants_alone", "accepted", "unbridged"] {
                    let want = p.get(k).and_then(|v| v.as_bool()).unwrap_or(false);
                    let got = c.get(k).and_then(|v| v.as_bool()).unwrap_or(false);
                    assert_eq!(got, want, "{at} {k}");
                    unbridged += usize::from(k == "unbridged" && got);
                }
                for k in [
                    "weight_passed",
                    "weight_applicable",
                    "passed",
                    "failed",
                    "exempt",
                    "not_applicable",
                    "errors",
                    "unknown",
                ] {
                    let want = p.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
                    let got = c.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
                    assert_eq!(got, want, "{at} {k}");
                }
                for d in p["decisive"].as_array().unwrap() {
                    let id = d["id"].as_str().unwrap();
                    let met = c["decisive_met"]
                        .as_array()
                        .is_some_and(|m| m.iter().any(|x| x == id));
                    assert_eq!(met, d["satisfied"] == true, "{at} {id}");
                    let findings = d.get("findings").cloned().unwrap_or_default();
                    assert_eq!(
                        c["decisive_findings"].get(id).cloned().unwrap_or_default(),
                        findings,
                        "{at} {id} findings"
                    );
                    decisive += usize::from(!findings.is_null());
                    let unsure = c["decisive_unknown"]
                        .as_array()
                        .is_some_and(|m| m.iter().any(|x| x == id));
                    assert_eq!(unsure, d["unknown"] == true, "{at} {id} unknown");
                    unknown += usize::from(unsure);
                }
            }
        }
    }
    assert!(
        unbridged > 0 && unknown > 0 && decisive > 0,
        "{unbridged} {unknown} {decisive}"
    );
}
