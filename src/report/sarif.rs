//! SARIF 2.1.0: one run, every rule in `tool.driver.rules` with its help and
//! phase, every failed finding a result located at the real file and line of
//! its evidence (URIs relative to the working directory), exempt findings as
//! suppressed results with their reason. Histories add a result per breaking
//! CRD change between versions (`upgrade/<kind>`, an error when it breaks
//! the upgrade into the latest version) and per upgrade-graph problem
//! (`upgrade-graph/<kind>`). Code-scanning uploads take it as is.

use super::{Report, ReportHead, ReportTail, RuleInfo, TargetReport, nested};
use crate::finding::{Evidence, Finding, Status};
use crate::history::HistoryReport;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;

/// The SARIF schema this writer follows.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Writes the report as SARIF.
pub fn write_sarif(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut stream = SarifStream::start(out, &report.head())?;
    for t in &report.targets {
        stream.target(t)?;
    }
    stream.finish(&report.tail())
}

/// Writes SARIF one target at a time: the rules first, then each target's
/// results as it comes, so a run over a catalog holds no target's report.
pub struct SarifStream<W: Write> {
    out: W,
    index: BTreeMap<String, usize>,
    results: usize,
    /// Results left out past `limit`.
    dropped: usize,
    limit: usize,
}

/// Most results in one run: GitHub code scanning rejects uploads with more
/// than 25,000 results per run. Past it, results are left out and the run
/// says so (`invocations[0].toolExecutionNotifications`, `properties`).
pub const MAX_RESULTS: usize = 25_000;

impl<W: Write> SarifStream<W> {
    /// Writes everything up to the first result: the tool and every rule.
    pub fn start(mut out: W, head: &ReportHead) -> std::io::Result<Self> {
        let rules: Vec<Value> = head.rules.iter().map(rule).collect();
        let driver = json!({
            "name": "caplevel",
            "version": head.tool.version,
            "semanticVersion": head.tool.version,
            "informationUri": "https://sdk.operatorframework.io/docs/overview/operator-capabilities/",
            "rules": rules,
        });
        // Keys are written in a fixed order, results last so they can stream.
        write!(
            out,
            "{{\n  \"$schema\": {},\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {{\n      \"tool\": {{\n        \"driver\": {}\n      }},\n      \"columnKind\": \"unicodeCodePoints\",\n      \"results\": [",
            nested(&SARIF_SCHEMA, 1)?,
            nested(&driver, 4)?
        )?;
        let index = head
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        Ok(SarifStream {
            out,
            index,
            results: 0,
            dropped: 0,
            limit: MAX_RESULTS,
        })
    }

    /// Writes one target's results: the input errors that fail the run
    /// (rule id `input/<code>`), then its failed, erroring and exempt findings.
    pub fn target(&mut self, t: &TargetReport) -> std::io::Result<()> {
        let errors = t
            .diagnostics
            .iter()
            .filter(|d| d.fails_run(false))
            .map(diagnostic_result);
        let findings = t
            .findings
            .iter()
            .filter(|f| matches!(f.status, Status::Fail | Status::Error | Status::Exempt))
            .map(|f| result(t, f, self.index.get(f.rule.as_str()).copied()));
        let all: Vec<Value> = errors.chain(findings).collect();
        self.results(all.into_iter())
    }

    fn results(&mut self, results: impl Iterator<Item = Value>) -> std::io::Result<()> {
        for r in results {
            if self.results >= self.limit {
                self.dropped += 1;
                continue;
            }
            let sep = if self.results == 0 { "" } else { "," };
            write!(self.out, "{sep}\n        {}", nested(&r, 4)?)?;
            self.results += 1;
        }
        Ok(())
    }

    /// Writes the histories' results and closes the document, saying how
    /// many results were left out.
    pub fn finish(mut self, tail: &ReportTail) -> std::io::Result<()> {
        for h in &tail.histories {
            self.results(history_results(h).into_iter())?;
        }
        let pad = if self.results == 0 { "" } else { "\n      " };
        write!(self.out, "{pad}]")?;
        if self.dropped > 0 {
            let total = self.results + self.dropped;
            let text = format!(
                "{} of {total} results written: code scanning accepts at most {} per run; \
                 the JSON or JSONL report has them all",
                self.results, self.limit
            );
            let invocations = json!([{
                "executionSuccessful": true,
                "toolExecutionNotifications": [{"level": "warning", "message": {"text": text}}],
            }]);
            let properties = json!({"caplevel": {"results_total": total, "results_written": self.results, "truncated": true}});
            write!(
                self.out,
                ",\n      \"invocations\": {},\n      \"properties\": {}",
                nested(&invocations, 3)?,
                nested(&properties, 3)?
            )?;
        }
        write!(self.out, "\n    }}\n  ]\n}}\n")?;
        self.out.flush()
    }
}

/// An input error that fails the run, as a result of its own rule id.
fn diagnostic_result(d: &crate::diag::Diagnostic) -> Value {
    let mut result = json!({
        "ruleId": format!("input/{}", d.code.id()),
        "level": "error",
        "message": {"text": d.message},
    });
    if let Some(file) = &d.file {
        let mut region = json!({"startLine": d.line.unwrap_or(1).max(1)});
        if let Some(c) = d.column {
            region["startColumn"] = json!(c.max(1));
        }
        result["locations"] = json!([{
            "physicalLocation": {"artifactLocation": {"uri": uri(file)}, "region": region}
        }]);
    }
    result
}

/// A history's breaking changes and graph problems as results.
fn history_results(h: &HistoryReport) -> Vec<Value> {
    let located = |file: &str, line: u32| {
        json!([{"physicalLocation": {
            "artifactLocation": {"uri": uri(file)},
            "region": {"startLine": line.max(1)},
        }}])
    };
    let mut out = Vec::new();
    for c in &h.changes {
        let Some(at) = c.change.new.as_ref().or(c.change.old.as_ref()) else {
            continue;
        };
        let latest = c.to == h.latest.version;
        let mut text = format!(
            "{} {} → {}: {} {}",
            h.package, c.from, c.to, c.change.subject, c.change.message
        );
        if latest {
            text.push_str(" (breaks the upgrade into the latest version)");
        }
        out.push(json!({
            "ruleId": format!("upgrade/{}", c.change.kind.id()),
            "level": if latest { "error" } else { "warning" },
            "message": {"text": text},
            "locations": located(&at.file, at.line),
        }));
    }
    for g in &h.graph {
        out.push(json!({
            "ruleId": format!("upgrade-graph/{}", g.kind.id()),
            "level": "warning",
            "message": {"text": format!("{}: {}", h.package, g.message)},
            "locations": located(&g.at.file, g.at.line),
        }));
    }
    out
}

/// One rule as a SARIF `reportingDescriptor`.
fn rule(r: &RuleInfo) -> Value {
    let mut rule = json!({
        "id": r.id,
        "name": camel(&r.id),
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": r.rationale},
        "help": {
            "text": format!("{}\n\nHow to fix: {}", r.rationale, r.remediation),
            "markdown": format!("**{}** (phase {} {}, weight {})\n\n{}\n\n**How to fix:** {}{}",
                r.title, r.phase.roman(), r.phase.id(), r.weight, r.rationale, r.remediation,
                references_md(&r.references)),
        },
        "defaultConfiguration": {"level": level_for_weight(r.weight)},
        "properties": {
            "phase": r.phase.id(),
            "weight": r.weight,
            "tags": ["capability-level", r.phase.id()],
            "applies-to": r.applies_to,
        },
    });
    if let Some(first) = r.references.first() {
        rule["helpUri"] = json!(first);
    }
    rule
}

fn result(t: &TargetReport, f: &Finding, rule_index: Option<usize>) -> Value {
    let level = match f.status {
        Status::Error => "error",
        _ => level_for_weight(f.weight),
    };
    // Every result needs a location: the evidence, else the package's main file.
    let fallback = Evidence {
        file: t.main_file.clone().unwrap_or_else(|| t.path.clone()),
        line: 1,
        kind: String::new(),
        name: String::new(),
        embedded: None,
        note: None,
        profile: None,
    };
    let primary = f.evidence.first().unwrap_or(&fallback);
    let mut message = format!(
        "{} [{} {}]: {}",
        t.path,
        f.phase.roman(),
        f.phase.id(),
        f.message
    );
    if let Some(note) = &primary.note {
        message.push_str(&format!(" ({note})"));
    }
    let mut result = json!({
        "ruleId": f.rule,
        "level": level,
        "message": {"text": message},
        "locations": [location(primary)],
        // The same identity baselines use: the target's stable id, the
        // rule and its objects, never lines or how the path was typed.
        "partialFingerprints": {"caplevel/v2": fingerprint(t, f)},
        "properties": {"target": t.path, "phase": f.phase.id(), "weight": f.weight},
    });
    if let Some(i) = rule_index {
        result["ruleIndex"] = json!(i);
    }
    if f.evidence.len() > 1 {
        result["relatedLocations"] = Value::Array(
            f.evidence[1..]
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let mut l = location(e);
                    l["id"] = json!(i + 1);
                    l["message"] = json!({"text": format!("{} {}", e.kind, e.name)});
                    l
                })
                .collect(),
        );
    }
    if let Some(ex) = &f.exemption {
        let kind = if ex.source.starts_with(&t.path) {
            "inSource"
        } else {
            "external"
        };
        result["suppressions"] =
            json!([{"kind": kind, "justification": ex.reason, "status": "accepted"}]);
    }
    result
}

fn location(e: &Evidence) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(&e.file)},
            "region": {"startLine": e.line.max(1)},
        }
    })
}

/// A file path as a SARIF URI: relative paths stay relative (to the working
/// directory, as code scanning expects); absolute ones become `file://` URIs.
pub fn uri(path: &str) -> String {
    let encoded: String = path
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

fn level_for_weight(weight: u32) -> &'static str {
    if weight >= 2 { "warning" } else { "note" }
}

fn camel(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn references_md(refs: &[String]) -> String {
    if refs.is_empty() {
        return String::new();
    }
    let list: Vec<String> = refs.iter().map(|r| format!("- <{r}>")).collect();
    format!("\n\n**References:**\n{}", list.join("\n"))
}

/// A finding's fingerprint: a digest of the target id, the rule and the
/// objects of its evidence.
fn fingerprint(t: &TargetReport, f: &Finding) -> String {
    let text = format!(
        "{}\u{0}{}",
        t.id,
        crate::gate::fingerprints(&f.rule, &f.evidence).join("\u{1}")
    );
    crate::helm::digest::hex(&crate::helm::digest::sha256(text.as_bytes()))[..32].to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_past_the_limit_are_left_out_and_the_run_says_so() {
        let paths = [std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/rules/csv-install-deployment"
        ))];
        let report = crate::analyze(&paths, &crate::Options::default()).unwrap();
        let mut out = Vec::new();
        let mut stream = super::SarifStream::start(&mut out, &report.head()).unwrap();
        stream.limit = 3;
        for t in &report.targets {
            stream.target(t).unwrap();
        }
        stream.finish(&report.tail()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let run = &v["runs"][0];
        assert_eq!(run["results"].as_array().unwrap().len(), 3);
        assert_eq!(run["properties"]["caplevel"]["truncated"], true);
        assert!(
            run["properties"]["caplevel"]["results_total"]
                .as_u64()
                .unwrap()
                > 3
        );
        let note = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .unwrap();
        assert!(note.contains("3 of"), "{note}");
    }

    use super::*;

    #[test]
    fn uris() {
        assert_eq!(uri("bundles/a b/x.yaml"), "bundles/a%20b/x.yaml");
        assert_eq!(uri("/abs/x.yaml"), "file:///abs/x.yaml");
        assert_eq!(camel("csv-install-deployment"), "CsvInstallDeployment");
    }
}
