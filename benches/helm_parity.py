#!/usr/bin/env python3
"""Parity of `caplevel render` with real `helm template`.

For every corpus chart helm renders offline (charts whose remote
dependencies are not vendored fail in helm too and are skipped; the bitnami
charts get bitnami-common vendored into a temporary copy), compare the set
of objects (apiVersion/kind/namespace/name) and each object (parsed YAML
equality) between `helm template release-name CHART --namespace default
--include-crds` and `caplevel render CHART`, under the chart's defaults and
each `ci/*-values.yaml`. A second helm run tells which objects helm itself
renders randomly (passwords, certificates); those are counted apart.

Needs the real helm (never needed by CI or the tests): installed by
../shared/tools/install-helm.sh into .tools/bin, or HELM=/path/to/helm; and PyYAML.
Usage: python3 benches/helm_parity.py [CHART...] [-v]
"""
import os
import shutil
import subprocess
import sys
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HELM = os.environ.get("HELM") or os.path.join(ROOT, ".tools/bin/helm")
CAPLEVEL = os.path.join(ROOT, "target/release/caplevel")
CORPUS = os.path.abspath(os.path.join(ROOT, "../shared/corpus/charts"))


def docs(text):
    out = {}
    try:
        for d in yaml.safe_load_all(text):
            if not isinstance(d, dict):
                continue
            md = d.get("metadata") or {}
            key = (d.get("apiVersion"), d.get("kind"), md.get("namespace"), md.get("name"))
            out.setdefault(key, []).append(d)
    except yaml.YAMLError as e:
        out[("<yaml error>", str(e)[:80], None, None)] = [None]
    return out


def vendored(c):
    """A copy of a bitnami chart with bitnami-common vendored as charts/common
    (its only remote dependency is that library), so helm can render it."""
    src = os.path.join(CORPUS, c)
    deps = yaml.safe_load(open(os.path.join(src, "Chart.yaml"))).get("dependencies") or []
    if [d["name"] for d in deps] != ["common"]:
        return None
    dst = os.path.join("/tmp/caplevel-parity", c)
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst)
    shutil.copytree(os.path.join(CORPUS, "bitnami-common"), os.path.join(dst, "charts", "common"))
    return dst


def cases(charts):
    """(label, chart path, extra args): defaults, and each ci/*-values.yaml."""
    out = []
    for c in charts:
        path = os.path.join(CORPUS, c)
        if c.startswith("bitnami-") and c != "bitnami-common":
            path = vendored(c) or path
        out.append((c, path, []))
        ci = os.path.join(path, "ci")
        if os.path.isdir(ci):
            for f in sorted(os.listdir(ci)):
                if f.endswith("-values.yaml"):
                    out.append((f"{c} +ci/{f}", path, ["-f", os.path.join(ci, f)]))
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "-v" in sys.argv
    charts = args or sorted(c for c in os.listdir(CORPUS) if os.path.isdir(os.path.join(CORPUS, c)))
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    if not os.access(HELM, os.X_OK):
        sys.exit(f"no helm at {HELM}: run ../shared/tools/install-helm.sh .tools/bin (or set HELM)")
    rendered = same_set = 0
    objs_total = objs_same = objs_random = 0
    t_helm = t_ours = 0.0
    for c, path, extra in cases(charts):
        t0 = time.time()
        h = subprocess.run([HELM, "template", "release-name", path, "--namespace", "default", "--include-crds"]
                           + extra, capture_output=True, text=True)
        t1 = time.time()
        o = subprocess.run([CAPLEVEL, "render", path] + extra, capture_output=True, text=True)
        t2 = time.time()
        if h.returncode != 0:
            print(f"{c:60s} helm fails: {h.stderr.strip().splitlines()[0][:90] if h.stderr.strip() else '?'}")
            continue
        # A second helm run tells which objects are random (passwords, certs).
        h2 = subprocess.run([HELM, "template", "release-name", path, "--namespace", "default", "--include-crds"]
                            + extra, capture_output=True, text=True)
        t_helm += t1 - t0
        t_ours += t2 - t1
        rendered += 1
        hd, od, hd2 = docs(h.stdout), docs(o.stdout), docs(h2.stdout)
        keys_same = set(hd) == set(od)
        same_set += keys_same
        n = sum(len(v) for v in hd.values())
        same = sum(1 for k, v in hd.items() for i, d in enumerate(v) if k in od and i < len(od[k]) and od[k][i] == d)
        rand = sum(1 for k, v in hd.items() for i, d in enumerate(v)
                   if not (k in hd2 and i < len(hd2[k]) and hd2[k][i] == d)
                   and not (k in od and i < len(od[k]) and od[k][i] == d))
        objs_total += n
        objs_same += same
        objs_random += rand
        print(f"{c:60s} set {'MATCH' if keys_same else 'DIFF '} objects {same}/{n}"
              + (f" ({rand} random in helm)" if rand else ""))
        if verbose or not keys_same:
            for k in sorted(set(hd) - set(od), key=str):
                print("    only helm:", k)
            for k in sorted(set(od) - set(hd), key=str):
                print("    only ours:", k)
        if verbose:
            for k, v in hd.items():
                for i, d in enumerate(v):
                    if k in od and i < len(od[k]) and od[k][i] != d:
                        print("    differs:", k)
            if o.stderr.strip():
                print("   ", o.stderr.strip().replace("\n", "\n    ")[:2000])
    print(f"\ncases (chart x values file) helm renders: {rendered}; object sets matching: {same_set}; "
          f"objects identical: {objs_same}/{objs_total}; differing but random in helm itself: {objs_random}; "
          f"other differences: {objs_total - objs_same - objs_random}")
    print(f"time: helm {t_helm:.2f}s, ours {t_ours:.2f}s (wall, per-process, release build)")


if __name__ == "__main__":
    main()
