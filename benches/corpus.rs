//! Corpus benchmark: analysis of every bundle of the shared corpus against
//! merely reading and parsing the same YAML files. Prints bundles per second
//! and the ratio (aim: analysis at most 2x the parse time).
//!
//! Run with `cargo bench --bench corpus`. Set CAPLEVEL_CORPUS to another
//! folder of bundles to measure it instead. Single-threaded by default so the
//! ratio compares like with like; CAPLEVEL_BENCH_JOBS=N runs analysis on N threads.
//! Each side is timed CAPLEVEL_BENCH_RUNS times (default 5), the two in turn,
//! and the best time of each is kept. CAPLEVEL_BENCH_TIMINGS=N also prints
//! the N rules that took longest, per analysis run (regex caches warm, as in
//! a long run), to show where evaluation time goes.

use caplevel::discover::{Layout, discover};
use caplevel::yaml::{Limits, parse_bytes};
use caplevel::{Options, assess_target, rules};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            yaml_files(&p, out);
        } else if p
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| x == "yaml" || x == "yml")
        {
            out.push(p);
        }
    }
}

/// The best of `runs` timings of each of two tasks, run in turn (a, b, a,
/// b, ...) so that a change of load on the machine weighs on both alike.
fn best_of_each<A: FnMut(), B: FnMut()>(runs: usize, mut a: A, mut b: B) -> (Duration, Duration) {
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        t.elapsed()
    };
    let (mut best_a, mut best_b) = (Duration::MAX, Duration::MAX);
    for _ in 0..runs {
        best_a = best_a.min(time(&mut a));
        best_b = best_b.min(time(&mut b));
    }
    (best_a, best_b)
}

fn main() {
    let root = std::env::var_os("CAPLEVEL_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/bundles"));
    let targets = discover(std::slice::from_ref(&root)).expect("corpus has targets");
    // The files analysis reads: every YAML file of every target folder.
    let mut files = Vec::new();
    for t in &targets {
        match &t.layout {
            Layout::Manifests { files: f } => files.extend(f.iter().cloned()),
            _ => yaml_files(&t.path, &mut files),
        }
    }
    files.sort();
    files.dedup();
    let limits = Limits::default();
    let runs: usize = std::env::var("CAPLEVEL_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5)
        .max(1);
    // Rules are compiled once per run, as `caplevel analyze` does, so
    // compiling them is not part of the time per target.
    let rules = rules::load(&[]).expect("rules load");
    let options = Options::default();
    let jobs: usize = std::env::var("CAPLEVEL_BENCH_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .unwrap_or(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .expect("pool");
    let slowest: usize = std::env::var("CAPLEVEL_BENCH_TIMINGS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    if slowest > 0 {
        rules::timings::enable();
    }
    let (parse, analyze) = best_of_each(
        runs,
        || {
            for f in &files {
                let bytes = std::fs::read(f).expect("readable");
                std::hint::black_box(parse_bytes(&bytes, &limits));
            }
        },
        || {
            pool.install(|| {
                use rayon::prelude::*;
                let reports: Vec<_> = targets
                    .par_iter()
                    .map(|t| assess_target(t, &rules, &options))
                    .collect();
                std::hint::black_box(reports);
            })
        },
    );
    let n = targets.len() as f64;
    println!(
        "corpus: {} ({} targets, {} YAML files, {} rules)",
        root.display(),
        targets.len(),
        files.len(),
        rules.len()
    );
    println!(
        "parse only:   {:>8.1} ms  ({:.0} bundles/s)",
        parse.as_secs_f64() * 1e3,
        n / parse.as_secs_f64()
    );
    println!(
        "analyze ({jobs}j): {:>8.1} ms  ({:.0} bundles/s)",
        analyze.as_secs_f64() * 1e3,
        n / analyze.as_secs_f64()
    );
    println!(
        "ratio analyze/parse: {:.2}x (aim: <= 2x)",
        analyze.as_secs_f64() / parse.as_secs_f64()
    );
    if slowest > 0 {
        let rows = rules::timings::report();
        let total: f64 = rows.iter().map(|r| r.1.as_secs_f64()).sum();
        println!(
            "rule evaluation: {:.1} ms per run; slowest rules:",
            total * 1e3 / runs as f64
        );
        for (rule, time, _) in rows.iter().take(slowest) {
            println!(
                "  {:>7.2} ms  {rule}",
                time.as_secs_f64() * 1e3 / runs as f64
            );
        }
    }
}

// The same allocator as the caplevel binary, so the figures match what users run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
