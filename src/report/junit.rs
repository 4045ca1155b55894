//! JUnit XML: a testsuite per target, a testcase per rule; failed rules and
//! rules that could not run are failures, rules that do not apply are
//! skipped, exempt ones pass with their reason in system-out. The input
//! errors that fail the run (a file helm or a cluster would reject) are
//! testcases too, `input/<code>` in error, as they are SARIF results: a CI
//! page listing the tests shows why the run failed.
//! Each history adds a testsuite with a testcase per upgrade into a
//! version: a failure when it breaks (CRD changes, upgrade-graph problems
//! at the version).
//!
//! The root element carries totals, which are known only at the end, so
//! [`JunitStream`] writes each target's testsuite to a spool file as it comes
//! and the document at the end: memory stays bounded over a catalog.

use super::spool::Spool;
use super::{Report, ReportTail, TargetReport};
use crate::finding::Status;
use crate::history::HistoryReport;
use quick_junit::{NonSuccessKind, Report as JUnit, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;
use std::io::Write;

/// Writes the report as JUnit XML.
pub fn write_junit(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut stream = JunitStream::start(out, report.remediations())?;
    for t in &report.targets {
        stream.target(t)?;
    }
    stream.finish(&report.tail())
}

/// Writes JUnit XML one target at a time (see the module docs).
pub struct JunitStream<W: Write> {
    out: W,
    remediation: BTreeMap<String, String>,
    suites: Spool,
    totals: JUnit,
}

impl<W: Write> JunitStream<W> {
    /// A stream writing to `out`; `remediation` is each rule's fix, by id.
    pub fn start<K: Into<String>, V: Into<String>>(
        out: W,
        remediation: impl IntoIterator<Item = (K, V)>,
    ) -> std::io::Result<Self> {
        Ok(JunitStream {
            out,
            remediation: remediation
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            suites: Spool::new()?,
            totals: JUnit::new("caplevel"),
        })
    }

    /// Spools one target's testsuite and counts it.
    pub fn target(&mut self, t: &TargetReport) -> std::io::Result<()> {
        self.suite(suite(t, &self.remediation))
    }

    fn suite(&mut self, suite: TestSuite) -> std::io::Result<()> {
        self.totals.tests += suite.tests;
        self.totals.failures += suite.failures;
        self.totals.errors += suite.errors;
        self.totals.skipped += suite.skipped;
        // quick-junit writes suites only inside a report: serialize a report
        // of this one suite and keep the lines between the root's tags.
        let mut one = JUnit::new("caplevel");
        one.add_test_suite(suite);
        let xml = one.to_string().map_err(std::io::Error::other)?;
        let inner = xml
            .split_once('\n')
            .and_then(|(_, rest)| rest.split_once('\n'))
            .map(|(_, rest)| rest)
            .and_then(|rest| rest.rsplit_once("</testsuites>"))
            .map(|(body, _)| body)
            .ok_or_else(|| std::io::Error::other("unexpected JUnit serialization"))?;
        self.suites.write_all(inner.as_bytes())
    }

    /// Writes the document: the root with its totals around the spooled
    /// suites, the histories' last.
    pub fn finish(mut self, tail: &ReportTail) -> std::io::Result<()> {
        for h in &tail.histories {
            self.suite(history_suite(h))?;
        }
        let xml = self.totals.to_string().map_err(std::io::Error::other)?;
        let (open, close) = xml
            .rsplit_once("</testsuites>")
            .ok_or_else(|| std::io::Error::other("unexpected JUnit serialization"))?;
        self.out.write_all(open.as_bytes())?;
        self.suites.copy_to(&mut self.out)?;
        write!(self.out, "</testsuites>{close}")?;
        writeln!(self.out)?;
        self.out.flush()
    }
}

/// One target as a testsuite.
fn suite(t: &TargetReport, remediation: &BTreeMap<String, String>) -> TestSuite {
    let mut suite = TestSuite::new(t.path.clone());
    suite.add_property(("declared", t.declared.map(|p| p.id()).unwrap_or("none")));
    suite.add_property(("evidenced", t.evidenced.map(|p| p.id()).unwrap_or("none")));
    suite.add_property(("verdict", super::verdict_id(t.verdict)));
    suite.add_property(("grade", t.grade.as_str()));
    for d in t.diagnostics.iter().filter(|d| d.fails_run(false)) {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
        s.set_message(d.message.clone());
        s.set_type(d.code.id());
        s.set_description(d.to_string());
        let mut case = TestCase::new(format!("input/{}", d.code.id()), s);
        case.set_classname("input");
        suite.add_test_case(case);
    }
    for f in &t.findings {
        let evidence: Vec<String> = f
            .evidence
            .iter()
            .map(|e| {
                let note = e
                    .note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                format!("{}:{} {} {}{note}", e.file, e.line, e.kind, e.name)
            })
            .collect();
        let status = match f.status {
            Status::Pass | Status::Exempt => TestCaseStatus::success(),
            Status::NotApplicable | Status::Unknown => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(f.message.clone());
                s
            }
            Status::Fail | Status::Error => {
                let kind = if f.status == Status::Fail {
                    NonSuccessKind::Failure
                } else {
                    NonSuccessKind::Error
                };
                let mut s = TestCaseStatus::non_success(kind);
                s.set_message(f.message.clone());
                s.set_type(if f.status == Status::Fail {
                    "fail"
                } else {
                    "error"
                });
                let fix = remediation
                    .get(f.rule.as_str())
                    .map(String::as_str)
                    .unwrap_or("");
                s.set_description(format!("{}\nHow to fix: {fix}", evidence.join("\n")));
                s
            }
        };
        let mut case = TestCase::new(f.rule.clone(), status);
        case.set_classname(format!("{}.{}", f.phase.roman(), f.phase.id()));
        if let Some(ex) = &f.exemption {
            case.set_system_out(format!("exempt: {} ({})", ex.reason, ex.source));
        }
        suite.add_test_case(case);
    }
    suite
}

/// One history as a testsuite: a testcase per version that something
/// upgrades into, failing when the upgrade breaks.
fn history_suite(h: &HistoryReport) -> TestSuite {
    let mut suite = TestSuite::new(format!("history {} ({})", h.package, h.path));
    suite.add_property(("latest", h.latest.version.as_str()));
    suite.add_property((
        "evidenced",
        h.latest.evidenced.map(|p| p.id()).unwrap_or("none"),
    ));
    let regressions = h.regressions.to_string();
    suite.add_property(("regressions", regressions.as_str()));
    for v in h
        .versions
        .iter()
        .rev()
        .filter(|v| !v.upgrades_from.is_empty())
    {
        let status = match h.breaks_into(v) {
            None => TestCaseStatus::success(),
            Some(why) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(why);
                s.set_type("breaking-upgrade");
                let lines: Vec<String> = h
                    .changes
                    .iter()
                    .filter(|c| c.to == v.version)
                    .map(|c| {
                        let at = c.change.new.as_ref().or(c.change.old.as_ref());
                        format!(
                            "{}{} from {}: {} {}",
                            at.map(|a| format!("{}:{} ", a.file, a.line))
                                .unwrap_or_default(),
                            c.change.kind.id(),
                            c.from,
                            c.change.subject,
                            c.change.message
                        )
                    })
                    .chain(h.graph.iter().filter(|g| g.bundle == v.bundle).map(|g| {
                        format!("{}:{} {}: {}", g.at.file, g.at.line, g.kind.id(), g.message)
                    }))
                    .collect();
                s.set_description(lines.join("\n"));
                s
            }
        };
        let mut case = TestCase::new(format!("upgrade into {}", v.version), status);
        case.set_classname(format!("history.{}", h.package));
        suite.add_test_case(case);
    }
    suite
}
