//! Agreement with expert judgment: caplevel's evidenced level and per-phase
//! status on the labelled calibration set (calibration/labels, listed in
//! calibration/list.tsv with its split), against the labels blind labellers
//! wrote from the bundle files by the rubric
//! (../shared/docs/level-rubric.md).
//!
//! Operators live under three roots: `shared` = ../shared, `wide` =
//! $CAPLEVEL_WIDE or ~/.cache/caplevel-wide, `fetched` = $CAPLEVEL_FETCHED
//! or ~/.cache/caplevel-fetched (bundles fetched from public catalog
//! repositories, calibration/fetched.tsv). Missing ones are skipped with a
//! note, so CI (which has only ../shared) still checks the shared-corpus
//! ones. Print the figures with
//! `cargo test --release --test calibration -- --nocapture`.
//!
//! The model is tuned on `tune`; `seen` was held back once and has been read
//! while tuning since, so it is reported apart but no longer measures
//! generalization; `holdout` was never used to tune. The floors below are what the model reached when they
//! were set (docs/scoring.md records the figures): they fail when a change
//! makes agreement worse.

use caplevel::phase::Phase;
use caplevel::score::PhaseStatus;
use caplevel::{Options, assess_target, discover, load_rules};
use rayon::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One label file, the fields this test reads.
#[derive(Debug, Deserialize)]
struct Label {
    id: String,
    level: u8,
    phases: BTreeMap<String, PhaseLabel>,
}

#[derive(Debug, Deserialize)]
struct PhaseLabel {
    judgement: String,
}

/// One labelled operator and what caplevel says of it.
struct Outcome {
    id: String,
    split: String,
    label: u8,
    label_phases: Vec<String>,
    evidenced: u8,
    phases: Vec<PhaseStatus>,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A corpus root: the environment variable, else the folder under ~/.cache.
fn cache_root(var: &str, folder: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache").join(folder)))
        .unwrap_or_default()
}

/// (id, root, path, split) rows of the list.
fn list() -> Vec<(String, String, String, String)> {
    let text = std::fs::read_to_string(repo().join("calibration/list.tsv")).expect("list.tsv");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert!(c.len() >= 5, "calibration/list.tsv: short row {l:?}");
            (c[0].into(), c[1].into(), c[2].into(), c[4].into())
        })
        .collect()
}

fn outcomes() -> Vec<Outcome> {
    let options = Options::default();
    let rules = load_rules(&options).expect("built-in rules");
    let mut found = Vec::new();
    for (id, root, path, split) in list() {
        let label_file = repo().join(format!("calibration/labels/{id}.yaml"));
        let Ok(text) = std::fs::read_to_string(&label_file) else {
            eprintln!("note: {id}: no label yet");
            continue;
        };
        let label: Label = serde_saphyr::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", label_file.display()));
        assert_eq!(label.id, id, "{}", label_file.display());
        let base = match root.as_str() {
            "shared" => repo().join("../shared"),
            "wide" => cache_root("CAPLEVEL_WIDE", "caplevel-wide"),
            "fetched" => cache_root("CAPLEVEL_FETCHED", "caplevel-fetched"),
            other => panic!("{id}: unknown root {other}"),
        };
        let dir = base.join(&path);
        if !dir.is_dir() {
            eprintln!("note: {id}: {} not found, skipped", dir.display());
            continue;
        }
        found.push((label, split, dir));
    }
    found
        .into_par_iter()
        .map(|(label, split, dir)| {
            // A package-manifest folder holds version folders: the last is
            // the labelled one (each labelled folder holds one version).
            let targets = discover::discover(std::slice::from_ref(&dir)).expect("discover");
            let target = targets.last().expect("a target");
            let t = assess_target(target, &rules, &options);
            let label_phases = Phase::ALL
                .iter()
                .map(|p| {
                    label
                        .phases
                        .get(p.id())
                        .map(|j| j.judgement.clone())
                        .unwrap_or_default()
                })
                .collect();
            Outcome {
                id: label.id,
                split,
                label: label.level,
                label_phases,
                evidenced: t.evidenced.map_or(0, |p| p.level()),
                phases: Phase::ALL.iter().map(|p| t.phases[p].status).collect(),
            }
        })
        .collect()
}

/// The figures of one split.
struct Figures {
    n: usize,
    exact: usize,
    within_one: usize,
}

fn figures(split: &str, all: &[Outcome]) -> Figures {
    let rs: Vec<&Outcome> = all.iter().filter(|o| o.split == split).collect();
    let n = rs.len();
    let exact = rs.iter().filter(|o| o.label == o.evidenced).count();
    let within_one = rs
        .iter()
        .filter(|o| o.label.abs_diff(o.evidenced) <= 1)
        .count();
    if n == 0 {
        println!("== {split}: no labelled operator found");
        return Figures {
            n,
            exact,
            within_one,
        };
    }
    let pct = |k: usize| 100.0 * k as f64 / n as f64;
    println!("== {split}: {n} operators");
    println!(
        "level: exact {exact}/{n} ({:.0}%), within one {within_one}/{n} ({:.0}%)",
        pct(exact),
        pct(within_one)
    );
    println!("per phase: caplevel met|partial|not-met vs label strong|partial|none");
    for (i, p) in Phase::ALL.iter().enumerate() {
        let same = rs
            .iter()
            .filter(|o| {
                let want = match o.label_phases[i].as_str() {
                    "strong" => PhaseStatus::Met,
                    "partial" => PhaseStatus::Partial,
                    _ => PhaseStatus::NotMet,
                };
                o.phases[i] == want
            })
            .count();
        let accepted = rs
            .iter()
            .filter(|o| (o.label_phases[i] == "strong") == (o.phases[i] == PhaseStatus::Met))
            .count();
        println!(
            "  {:3} {:18} same status {same}/{n}, strong = met {accepted}/{n}",
            p.roman(),
            p.id()
        );
    }
    println!("confusion (rows: label level 0-5, columns: evidenced level 0-5)");
    for row in 0..=5u8 {
        let cells: Vec<String> = (0..=5u8)
            .map(|col| {
                let k = rs
                    .iter()
                    .filter(|o| o.label == row && o.evidenced == col)
                    .count();
                format!("{k:3}")
            })
            .collect();
        println!("  {row}: {}", cells.join(""));
    }
    if split != "holdout" {
        for o in rs.iter().filter(|o| o.label != o.evidenced) {
            println!(
                "  off: {} label {} evidenced {}",
                o.id, o.label, o.evidenced
            );
        }
    }
    Figures {
        n,
        exact,
        within_one,
    }
}

#[test]
fn evidenced_level_agrees_with_the_labels() {
    let all = outcomes();
    if std::env::var_os("CI").is_some() {
        assert!(!all.is_empty(), "CI=true but no labelled operator found");
    }
    if all.is_empty() {
        eprintln!("skipping: no labelled operator found");
        return;
    }
    let splits: Vec<&str> = all.iter().map(|o| o.split.as_str()).collect();
    for s in &splits {
        assert!(
            ["tune", "seen", "holdout"].contains(s),
            "calibration/list.tsv: unknown split {s:?}"
        );
    }
    let tune = figures("tune", &all);
    let seen = figures("seen", &all);
    let holdout = figures("holdout", &all);
    // Floors (fractions of the operators found), set at what the model
    // reaches with ../shared only and with the wide corpus too, less a
    // margin of one operator: they catch a regression, not noise.
    for (name, f, exact, within) in [
        ("tune", &tune, TUNE_EXACT, TUNE_WITHIN_ONE),
        ("seen", &seen, SEEN_EXACT, SEEN_WITHIN_ONE),
        ("holdout", &holdout, HOLDOUT_EXACT, HOLDOUT_WITHIN_ONE),
    ] {
        if f.n == 0 {
            continue;
        }
        let slack = 1.0 / f.n as f64;
        let e = f.exact as f64 / f.n as f64;
        let w = f.within_one as f64 / f.n as f64;
        assert!(
            e + slack >= exact,
            "{name}: exact agreement {e:.2} is below the floor {exact}"
        );
        assert!(
            w + slack >= within,
            "{name}: within-one agreement {w:.2} is below the floor {within}"
        );
    }
}

// Reached on 6 Dec 2026 (end of session 7, main 28c395c): tune 40/51 exact,
// 47/51 within one; seen (the 49 operators held back in sessions 4-5 and read
// while tuning in session 6) 30/49, 41/49; holdout 31/48, 42/48 (E and F,
// labelled blind in session 6: 17/24, 21/24; G and H, labelled blind in
// session 7: 12/24, 20/24 before that session's changes, 14/24, 21/24 after).
// Session 8 added I and J (21 operators labelled blind): 13/21, 19/21 at the
// session-8 start (af7ef39), so the holdout is 44/69, 61/69 there; at the
// session-8 end (cafc55f) the same, with tune 39/51, 46/51 and seen 32/49, 42/49.
// Session 9 moved E-H (48) to seen, to be read while tuning: at 0ab0067 seen is
// 63/97, 84/97 and holdout (I, J) 13/21, 19/21.
// K and L (24 operators labelled blind in session 9): 16/24, 21/24 at 0ab0067,
// so the holdout is 29/45, 40/45 there.
// At the session-9 end (072631f): tune 39/51, 46/51; seen 65/97, 86/97;
// holdout 29/45, 39/45.
// Session 10 moved I and J (21) to seen and added M and N (23 holdout, one of
// N's drawn operators, audited before, to seen): at 9bbda1c tune 39/51,
// 46/51; seen 78/119, 106/119; holdout 30/47, 38/47. After phase II asked for a
// safe rollout beside image and edge and phase III stopped bridging a replica
// count alone (8af42f8): tune 40/51, 46/51; seen 81/119, 109/119; holdout
// 30/47, 40/47 (the floors were left where they were).
// Session 11 added O and P (24 operators never labelled, audited or sampled,
// 12 declaring I and 12 II, labelled blind): 15/24, 21/24 at the session-11
// start (ea8bd33) and after its first changes (1dac8bd), so the holdout
// (K-P, 71) is 48/71, 63/71 at 1dac8bd.
// Session 12 added Q and R (24 operators never labelled, audited or sampled,
// drawn at random from the 160 such packages left, all declaring I, labelled
// blind): 17/24, 24/24 at the session-12 start (3b35ce8), so the holdout
// (K-R, 95) is 65/95, 87/95 there.
// Session 13 added S, T, U and V (48 more drawn at random from the 136
// packages never labelled, audited or sampled, all declaring I, labelled
// blind): 32/48, 44/48 at the session-13 start (5fe501d), so the holdout
// (K-V, 143) is 97/143, 131/143 there. W, X, Y and Z (48 more drawn the same
// way from the 88 left, labelled blind the same day): 30/48, 41/48 at 5fe501d.
// S-V then moved to seen, to be read while tuning. AA, AB and AC (the last 35
// such packages, labelled blind after every change of session 13): 28/35, 32/35
// at its end (7d912d4), where the holdout (K-R, W-Z, AA-AC, 178) is 133/178,
// 165/178, tune 39/51, 48/51 and seen 125/167, 156/167.
// Sessions 14-16 added operators copied from public repositories outside the
// wide corpus (root `fetched`, skipped where absent, as in CI): at the
// session-16 end (ffac1c8) tune is 41/51, 48/51, seen 127/172, 160/172 and
// the holdout (234) 174/234, 220/234.
// Session 17 added AP-AS (the last 35 wide packages no one had labelled) and
// AT-AW (23 from Red Hat's certified-operators catalog, root `fetched`): at
// its end (291faf8) tune 41/51, 48/51, seen 127/172, 160/172, holdout (292)
// 215/292, 275/292 (the same at its start, 181b08c).
// Session 18 added AX-AY (6 more from the certified-operators catalog): at
// its end (8341971) tune 41/51, 48/51, seen 128/172, 160/172, holdout (298)
// 220/298, 281/298 (the same at its start, 629885c, but seen 127/172).
// Session 19 added AZ (3 from Red Hat's marketplace catalog): at its end
// (68552bd) tune 41/51, 48/51, seen 128/172, 160/172, holdout (301)
// 221/301, 284/301 (the same at its start, 6f897f9).
// Floors sit about one operator below, and the check adds one operator of
// slack on top.
const TUNE_EXACT: f64 = 0.72;
const TUNE_WITHIN_ONE: f64 = 0.88;
const SEEN_EXACT: f64 = 0.57;
const SEEN_WITHIN_ONE: f64 = 0.82;
const HOLDOUT_EXACT: f64 = 0.58;
const HOLDOUT_WITHIN_ONE: f64 = 0.79;
