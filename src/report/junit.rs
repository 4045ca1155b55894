//! JUnit XML: a testsuite per target, a testcase per rule; failed rules and
//! rules that could not run are failures, rules that do not apply are
//! skipped, exempt ones pass with their reason in system-out.

use super::Report;
use crate::finding::Status;
use quick_junit::{NonSuccessKind, Report as JUnit, TestCase, TestCaseStatus, TestSuite};
use std::io::Write;

/// Writes the report as JUnit XML.
pub fn write_junit(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut junit = JUnit::new("caplevel");
    let remediation = report.remediations();
    for t in &report.targets {
        let mut suite = TestSuite::new(t.path.clone());
        suite.add_property(("declared", t.declared.map(|p| p.id()).unwrap_or("none")));
        suite.add_property(("evidenced", t.evidenced.map(|p| p.id()).unwrap_or("none")));
        suite.add_property(("verdict", super::verdict_id(t.verdict)));
        suite.add_property(("grade", t.grade.as_str()));
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
                Status::NotApplicable => {
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
                    let fix = remediation.get(f.rule.as_str()).copied().unwrap_or("");
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
        junit.add_test_suite(suite);
    }
    junit.serialize(&mut *out).map_err(std::io::Error::other)?;
    writeln!(out)
}
