//! Records the git commit caplevel is built from (`CAPLEVEL_GIT_COMMIT` when
//! set, as CI and packagers can do; otherwise `git rev-parse`), for reports'
//! run metadata. No git, no commit: the field is left out.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn main() {
    println!("cargo:rerun-if-env-changed=CAPLEVEL_GIT_COMMIT");
    let commit = std::env::var("CAPLEVEL_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]));
    // Rebuild when HEAD moves: HEAD itself, and the branch it points at.
    for path in [
        git(&["rev-parse", "--git-path", "HEAD"]),
        git(&["symbolic-ref", "-q", "HEAD"]).and_then(|r| git(&["rev-parse", "--git-path", &r])),
    ]
    .into_iter()
    .flatten()
    {
        println!("cargo:rerun-if-changed={path}");
    }
    println!(
        "cargo:rustc-env=CAPLEVEL_COMMIT={}",
        commit.unwrap_or_default()
    );
}
