#!/usr/bin/env python3
"""Agreement of caplevel's evidenced level with the calibration labels.

Runs a caplevel binary once over every labelled operator found on disk and
prints, separately per split: exact and within-one
agreement of the level, per-phase agreement (caplevel's met/partial/not-met
against the labellers' strong/partial/none) and the confusion matrix.

    scripts/calibration.py [--bin target/release/caplevel] [--wide DIR] [--shared DIR] [--fetched DIR]
                           [--labels calibration/labels] [--list calibration/list.tsv]
                           [--json REPORT.json] [--detail]

`--json` reads an existing report instead of running the binary (a report of
the baseline binary, for example). Operators whose folder is missing are
skipped with a note. The Rust test tests/calibration.rs computes the same
figures and asserts their floors; this script is for quick looks with any
binary, including ones that predate the per-phase status.

Splits (calibration/README.md): `tune` was used to tune the rules and the
level model; `seen` was held back once and has been read while tuning since,
so it no longer measures generalization; `holdout` never was tuned on.
"""

import argparse
import json
import os
import subprocess
import sys

import yaml

SPLITS = ("tune", "seen", "holdout")
PHASES = ["basic-install", "seamless-upgrades", "full-lifecycle", "deep-insights", "auto-pilot"]
LEVEL = {p: i + 1 for i, p in enumerate(PHASES)}


def read_list(path):
    rows = []
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            if line.strip():
                rows.append(dict(zip(head, line.rstrip("\n").split("\t"))))
    return rows


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(here, "target/release/caplevel"))
    ap.add_argument("--shared", default=os.path.join(here, "../shared"))
    ap.add_argument("--wide", default=os.environ.get("CAPLEVEL_WIDE", os.path.expanduser("~/.cache/caplevel-wide")))
    ap.add_argument("--fetched", default=os.environ.get("CAPLEVEL_FETCHED", os.path.expanduser("~/.cache/caplevel-fetched")))
    ap.add_argument("--labels", default=os.path.join(here, "calibration/labels"))
    ap.add_argument("--list", default=os.path.join(here, "calibration/list.tsv"))
    ap.add_argument("--json", help="read this report instead of running --bin")
    ap.add_argument("--save", help="write the report the binary produced here")
    ap.add_argument("--detail", action="store_true", help="one line per tune and seen operator (never tune on holdout)")
    ap.add_argument("--detail-holdout", action="store_true", help="one line per holdout operator too (for the final report only)")
    ap.add_argument("-j", "--jobs", default="2")
    args = ap.parse_args()

    ops = []
    for row in read_list(args.list):
        label_file = os.path.join(args.labels, row["id"] + ".yaml")
        if not os.path.exists(label_file):
            continue
        with open(label_file) as f:
            label = yaml.safe_load(f)
        roots = {"shared": args.shared, "wide": args.wide, "fetched": args.fetched}
        if row["root"] not in roots:
            sys.exit(f"{args.list}: {row['id']}: unknown root {row['root']!r} (one of {', '.join(roots)})")
        root = roots[row["root"]]
        path = os.path.normpath(os.path.join(root, row["path"]))
        if not os.path.isdir(path):
            print(f"note: {row['id']}: {path} not found, skipped", file=sys.stderr)
            continue
        ops.append((row, label, path))
    if not ops:
        sys.exit("no labelled operator found")

    if args.json:
        with open(args.json) as f:
            report = json.load(f)
    else:
        cmd = [args.bin, "analyze", "--format", "json", "-j", args.jobs] + [p for _, _, p in ops]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode not in (0, 1):
            sys.exit(out.stderr)
        report = json.loads(out.stdout)
        if args.save:
            with open(args.save, "w") as f:
                f.write(out.stdout)
    by_path = {}
    for t in report["targets"]:
        by_path[os.path.normpath(os.path.abspath(t["path"]))] = t

    results = {s: [] for s in SPLITS}
    for row, label, path in ops:
        t = by_path.get(os.path.normpath(os.path.abspath(path)))
        if t is None:
            # a package-manifest folder: the target is its version folder
            root = os.path.normpath(os.path.abspath(path)) + os.sep
            cands = sorted(k for k in by_path if k.startswith(root))
            t = by_path[cands[-1]] if cands else None
        if t is None:
            print(f"note: {row['id']}: not in the report", file=sys.stderr)
            continue
        ev = LEVEL.get(t.get("evidenced") or "", 0)
        phases = {}
        for p in PHASES:
            ph = t["phases"].get(p, {})
            status = ph.get("status")
            if status is None:  # reports before the per-phase status
                status = "met" if ph.get("reached") else "not-met"
            phases[p] = status
        if row["split"] not in results:
            sys.exit(f"{args.list}: {row['id']}: unknown split {row['split']!r} (one of {', '.join(SPLITS)})")
        results[row["split"]].append((row["id"], int(label["level"]), ev, label, phases))

    for split in SPLITS:
        rs = results[split]
        if not rs:
            continue
        n = len(rs)
        exact = sum(1 for _, l, e, _, _ in rs if l == e)
        within = sum(1 for _, l, e, _, _ in rs if abs(l - e) <= 1)
        bias = sum(e - l for _, l, e, _, _ in rs) / n
        print(f"== {split}: {n} operators")
        print(f"exact {exact}/{n} = {100*exact/n:.0f}%   within one {within}/{n} = {100*within/n:.0f}%   mean(evidenced-label) {bias:+.2f}")
        by = {}
        for _, l, e, label, _ in rs:
            k = by.setdefault(label.get("labeller", "?"), [0, 0, 0])
            k[0] += 1
            k[1] += l == e
            k[2] += abs(l - e) <= 1
        print("by labeller: " + ", ".join(f"{k} {x}/{m}, {w}/{m}" for k, (m, x, w) in sorted(by.items())))
        print("per phase (label strong|partial|none vs caplevel met|partial|not-met):")
        for p in PHASES:
            agree = 0
            accept = 0
            for _, _, _, label, phases in rs:
                j = label["phases"][p]["judgement"]
                s = phases[p]
                want = {"strong": "met", "partial": "partial", "none": "not-met"}[j]
                agree += want == s
                # accepted = a reviewer would count the phase (strong), caplevel met
                accept += (j == "strong") == (s == "met")
            print(f"  {p:18} exact {agree}/{n}   accepted-agree {accept}/{n}")
        print("confusion (rows: label level, columns: evidenced level)")
        print("      " + " ".join(f"{c:>3}" for c in range(6)))
        for r in range(6):
            cells = [sum(1 for _, l, e, _, _ in rs if l == r and e == c) for c in range(6)]
            print(f"  {r:>2}  " + " ".join(f"{c:>3}" for c in cells))
        if args.detail and (split != "holdout" or args.detail_holdout):
            for i, l, e, label, phases in sorted(rs):
                marks = "".join({"met": "M", "partial": "p", "not-met": "."}[phases[p]] for p in PHASES)
                lab = "".join({"strong": "S", "partial": "p", "none": "."}[label["phases"][p]["judgement"]] for p in PHASES)
                flag = "" if l == e else ("  <-- off by %+d" % (e - l))
                print(f"  {i:48} label {l} [{lab}]  caplevel {e} [{marks}]{flag}")
        print()


if __name__ == "__main__":
    main()
