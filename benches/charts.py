#!/usr/bin/env python3
"""Chart benchmark: `caplevel analyze` of every corpus chart (rendering each
under all its profiles and evaluating every rule) against real `helm template`
of the same charts (defaults only, one process per chart, as CI runs it).

Needs the real helm binary, which CI never needs: it is installed by
../shared/tools/install-helm.sh into .tools/bin (or set HELM=/path/to/helm).
Usage: python3 benches/charts.py [CHARTS_DIR]   (default ../shared/corpus/charts)
Prints both times (best of 3) and the ratio.
"""
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHARTS = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "../shared/corpus/charts"))


def helm_binary():
    helm = os.environ.get("HELM") or os.path.join(ROOT, ".tools/bin/helm")
    if not os.access(helm, os.X_OK):
        script = os.path.join(ROOT, "../shared/tools/install-helm.sh")
        helm = subprocess.run(["bash", script, os.path.join(ROOT, ".tools/bin")], check=True,
                              capture_output=True, text=True).stdout.strip().splitlines()[-1]
    return helm


def best_of(n, fn):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    caplevel = os.path.join(ROOT, "target/release/caplevel")
    helm = helm_binary()
    charts = sorted(os.path.join(CHARTS, c) for c in os.listdir(CHARTS) if os.path.isdir(os.path.join(CHARTS, c)))
    rendered = [c for c in charts
                if subprocess.run([helm, "template", "release-name", c, "--namespace", "default"],
                                  capture_output=True).returncode == 0]

    def run_helm():
        for c in charts:
            subprocess.run([helm, "template", "release-name", c, "--namespace", "default"], capture_output=True)

    def run_caplevel():
        subprocess.run([caplevel, "analyze", CHARTS, "--format", "json"], capture_output=True)

    out = subprocess.run([caplevel, "analyze", CHARTS, "--format", "json"], capture_output=True, text=True).stdout
    import json
    report = json.loads(out)
    profiles = sum(len({e.get("profile") for f in t["findings"] for e in f["evidence"] if e.get("profile")}) or 1
                   for t in report["targets"])
    h = best_of(3, run_helm)
    c = best_of(3, run_caplevel)
    print(f"charts: {len(charts)} ({len(rendered)} that helm renders offline)")
    print(f"helm template, defaults only, one process per chart: {h * 1e3:8.1f} ms")
    print(f"caplevel analyze, all profiles + {len(report['rules'])} rules:  {c * 1e3:8.1f} ms "
          f"(profiles seen in evidence: {profiles})")
    print(f"ratio caplevel/helm: {c / h:.2f}x (aim: < 1)")


if __name__ == "__main__":
    main()
