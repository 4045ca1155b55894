//! A reader that goes away: stdout or stderr a pipe whose read end is
//! closed before caplevel writes a byte (`caplevel … | head`). caplevel
//! never panics (exit 101) or fails for it (exit 2); each command exits
//! with the code it would have had with both streams open.

mod common;
use common::{ERRING_RULE, copy_dir};

use std::path::Path;
use std::process::{Command, Output, Stdio};

const GOOD: &str = "fixtures/rules/csv-install-deployment/pass";

/// Which streams get a pipe already closed at the read end.
#[derive(Clone, Copy, Debug)]
enum Closed {
    Stdout,
    Stderr,
    Both,
}

fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_caplevel"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args(args);
    cmd
}

/// A pipe whose reader is gone: every write to it fails with EPIPE.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    writer.into()
}

/// Runs `cmd` with the `closed` streams closed; an open stderr is captured.
fn run_closed(mut cmd: Command, closed: Closed) -> Output {
    let (out, err) = match closed {
        Closed::Stdout => (closed_pipe(), Stdio::piped()),
        Closed::Stderr => (Stdio::null(), closed_pipe()),
        Closed::Both => (closed_pipe(), closed_pipe()),
    };
    cmd.stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .output()
        .expect("caplevel runs")
}

/// `args` exits `code` with both streams open, and with each closed in
/// turn, never panicking nor naming the broken pipe.
fn exits_alike(args: &[&str], code: i32) {
    exits_alike_with(args, code, &[Closed::Stdout, Closed::Stderr, Closed::Both]);
}

/// [`exits_alike`] with only the `closed` cases.
fn exits_alike_with(args: &[&str], code: i32, closed: &[Closed]) {
    let open = command(args).output().expect("caplevel runs");
    assert_eq!(open.status.code(), Some(code), "{args:?} open: {open:?}");
    for &closed in closed {
        let out = run_closed(command(args), closed);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?} with {closed:?} closed: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}

#[test]
fn analyze_exits_as_it_would_in_every_format() {
    // What goes to stderr does not depend on the format: one closes it.
    exits_alike(&["analyze", GOOD, "--format", "json"], 0);
    for format in ["table", "jsonl", "sarif", "junit", "markdown"] {
        exits_alike_with(&["analyze", GOOD, "--format", format], 0, &[Closed::Stdout]);
    }
}

#[test]
fn a_failed_gate_still_fails_the_run_when_stdout_is_closed() {
    // Exit 0 would let a failing bundle pass a CI step under pipefail.
    exits_alike(
        &[
            "analyze",
            GOOD,
            "--format",
            "json",
            "--fail-under",
            "auto-pilot",
        ],
        1,
    );
}

#[test]
fn the_output_files_are_written_whole_when_stdout_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.jsonl");
    let spec = format!("jsonl={}", file.display());
    let args = ["analyze", GOOD, "--format", "json", "--output", &spec];
    let open = command(&args).output().unwrap();
    assert_eq!(open.status.code(), Some(0), "{open:?}");
    let whole = std::fs::read_to_string(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    let out = run_closed(command(&args), Closed::Stdout);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let written = std::fs::read_to_string(&file).unwrap();
    // Every line is there (times and durations may differ).
    assert_eq!(written.lines().count(), whole.lines().count());
    assert!(written.ends_with('\n'));
}

#[test]
fn the_rule_error_note_and_the_baseline_note_survive_a_closed_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("r.yaml");
    std::fs::write(&rules, ERRING_RULE).unwrap();
    let rules = rules.display().to_string();
    exits_alike(&["analyze", GOOD, "--format", "json", "--rules", &rules], 0);
    let baseline = dir.path().join("b.json").display().to_string();
    exits_alike(&["baseline", GOOD, "-o", &baseline], 0);
    assert!(Path::new(&baseline).is_file());
}

#[test]
fn an_input_error_exits_1_and_a_usage_error_2_with_the_streams_closed() {
    let dir = tempfile::tempdir().unwrap();
    bad_bundle(dir.path());
    let bad = dir.path().display().to_string();
    exits_alike(&["analyze", &bad, "--format", "json"], 1);
    exits_alike(&["analyze", "no/such/path"], 2);
}

/// A bundle whose metadata does not parse: an input error (exit 1).
fn bad_bundle(dir: &Path) {
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(GOOD), dir);
    std::fs::create_dir_all(dir.join("metadata")).unwrap();
    std::fs::write(dir.join("metadata/annotations.yaml"), "a: b: c\n").unwrap();
}

#[test]
fn the_other_commands_exit_as_they_would() {
    exits_alike(&["rules"], 0);
    exits_alike(&["rules", "--format", "json"], 0);
    exits_alike(&["explain", "csv-install-deployment"], 0);
    exits_alike(&["schema", "report"], 0);
    exits_alike(&["render", "fixtures/helm-golden/hello-world/chart"], 0);
    exits_alike(
        &[
            "diff",
            "fixtures/upgrade/bundle/old",
            "fixtures/upgrade/bundle/unsafe",
        ],
        1,
    );
    exits_alike(&["--help"], 0);
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.json");
    let spec = format!("json={}", report.display());
    exits_alike(&["analyze", GOOD, "--quiet", "--output", &spec], 0);
    exits_alike(&["merge", &report.display().to_string()], 0);
}

/// Only a closed pipe is quiet: stdout on a full disk fails the run (exit
/// 2) and says so.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_stdout_still_fails_the_run() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = command(&["analyze", GOOD, "--format", "json"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write stdout"));
}
