#!/usr/bin/env python3
"""Catalog figures from a caplevel JSON (or JSONL) report: the evidenced level
distribution, per-phase met rates (or coverage-reached rates for reports that
predate the per-phase status), the declared-vs-evidenced confusion matrix and
the Spearman correlation between declared and evidenced level.

    caplevel analyze ~/.cache/caplevel-wide/bundles -j 2 --format json > after.json
    scripts/catalog-stats.py [--latest] after.json [before.json]

`--latest` keeps the newest version of each package only (the report's
per-target `latest` flag), so an operator with forty versions counts once.
"""

import json
import sys

PHASES = ["basic-install", "seamless-upgrades", "full-lifecycle", "deep-insights", "auto-pilot"]
LEVEL = {p: i + 1 for i, p in enumerate(PHASES)}


def targets(path):
    with open(path) as f:
        text = f.read()
    try:
        return json.loads(text)["targets"]
    except (json.JSONDecodeError, KeyError):
        out = []
        for line in text.splitlines():
            if line.strip():
                obj = json.loads(line)
                if "phases" in obj:
                    out.append(obj)
        return out


def ranks(xs):
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    r = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def spearman(xs, ys):
    rx, ry = ranks(xs), ranks(ys)
    n = len(xs)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    vx = sum((a - mx) ** 2 for a in rx) ** 0.5
    vy = sum((b - my) ** 2 for b in ry) ** 0.5
    return cov / (vx * vy) if vx and vy else float("nan")


def stats(path, latest):
    ts = [t for t in targets(path) if t.get("kind", "bundle") == "bundle"]
    if latest:
        ts = [t for t in ts if t.get("latest", True)]
    n = len(ts)
    print(f"== {path}: {n} bundles" + (" (newest of each package)" if latest else ""))
    ev = [LEVEL.get(t.get("evidenced") or "", 0) for t in ts]
    dist = {lv: ev.count(lv) for lv in range(6)}
    print("evidenced level distribution: " + ", ".join(f"{lv}: {c} ({100*c/n:.1f}%)" for lv, c in dist.items()))
    for p in PHASES:
        ph = [t["phases"].get(p, {}) for t in ts]
        if any("status" in x for x in ph):
            met = sum(1 for x in ph if x.get("status") == "met")
            part = sum(1 for x in ph if x.get("status") == "partial")
            print(f"  {p:18} met {100*met/n:5.1f}%  partial {100*part/n:5.1f}%  mean coverage {sum(x.get('coverage', 0) for x in ph)/n:5.1f}")
        else:
            reached = sum(1 for x in ph if x.get("reached"))
            print(f"  {p:18} reached {100*reached/n:5.1f}%  mean coverage {sum(x.get('coverage', 0) for x in ph)/n:5.1f}")
    pairs = [(LEVEL[t["declared"]], e) for t, e in zip(ts, ev) if t.get("declared") in LEVEL]
    print(f"declared (rows 1-5) vs evidenced (columns 0-5), {len(pairs)} bundles with a valid declared level:")
    for d in range(1, 6):
        print(f"  {d}: " + "".join(f"{sum(1 for a, b in pairs if a == d and b == c):6}" for c in range(6)))
    over = sum(1 for a, b in pairs if a >= 3 and b < a)
    high = sum(1 for a, _ in pairs if a >= 3)
    if high:
        print(f"declaring III+ and overclaimed: {over}/{high} ({100*over/high:.0f}%)")
    if pairs:
        print(f"Spearman(declared, evidenced) = {spearman([a for a, _ in pairs], [b for _, b in pairs]):.3f}")
    print()


args = sys.argv[1:]
only_latest = "--latest" in args
for arg in args:
    if arg != "--latest":
        stats(arg, only_latest)
