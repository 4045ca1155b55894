//! The table as a terminal shows it: fitted to the width, coloured only for
//! a terminal without NO_COLOR, and the same bytes on every run.

use assert_cmd::Command;
use std::path::PathBuf;

/// Targets with long paths, a history and charts: the widest table the
/// repository's own fixtures give.
const TARGETS: [&str; 3] = ["fixtures/examples", "fixtures/charts", "fixtures/upgrade"];

fn table(env: &[(&str, &str)]) -> String {
    let mut cmd = Command::cargo_bin("caplevel").unwrap();
    cmd.current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .env_remove("COLUMNS")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .args(["analyze", "--format", "table"])
        .args(TARGETS);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn the_table_fits_the_columns_it_is_given() {
    let whole = table(&[]);
    assert!(widest(&whole) > 200, "the whole table is wide:\n{whole}");
    for columns in [80, 100, 132] {
        let text = table(&[("COLUMNS", &columns.to_string())]);
        assert!(
            widest(&text) <= columns,
            "COLUMNS={columns}: a line of {} columns:\n{text}",
            widest(&text)
        );
        // Package and version stay; what was left out is said.
        let header = text.lines().nth(1).unwrap();
        assert!(
            header.contains("package") && header.contains("version"),
            "{header}"
        );
        assert!(text.contains("left out to fit"), "{text}");
    }
    // Long paths are cut in the middle, not dropped, when there is room.
    let text = table(&[("COLUMNS", "150")]);
    assert!(text.lines().nth(1).unwrap().contains("target"), "{text}");
    assert!(text.contains('…'), "{text}");
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let escape = '\u{1b}';
    // A pipe gets no colour.
    assert!(!table(&[]).contains(escape));
    // CLICOLOR_FORCE stands for a terminal here; NO_COLOR wins over it.
    assert!(table(&[("CLICOLOR_FORCE", "1")]).contains(escape));
    assert!(!table(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains(escape));
}

#[test]
fn the_fitted_table_is_deterministic() {
    let a = table(&[("COLUMNS", "90")]);
    let b = table(&[("COLUMNS", "90")]);
    assert_eq!(a, b);
}

#[test]
fn diagnostics_on_stderr_are_coloured_only_when_asked() {
    let stderr = |env: &[(&str, &str)]| {
        let mut cmd = Command::cargo_bin("caplevel").unwrap();
        cmd.current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("CLICOLOR")
            .args([
                "analyze",
                "fixtures/charts/helm-rejects",
                "--format",
                "json",
            ]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        String::from_utf8(cmd.output().unwrap().stderr).unwrap()
    };
    let plain = stderr(&[]);
    assert!(
        plain.contains("error[") && !plain.contains('\u{1b}'),
        "{plain}"
    );
    assert!(stderr(&[("CLICOLOR_FORCE", "1")]).contains("\u{1b}["));
    assert!(!stderr(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains('\u{1b}'));
}
