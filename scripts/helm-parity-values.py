#!/usr/bin/env python3
"""Render parity with real helm over every chart's ci/*.yaml values files.

usage: helm-parity-values.py CAPLEVEL HELM CHARTS_DIR...   (PARITY_JSON=out.json to keep details)

../shared/tools/helm-parity.py compares default renders; CI values files take the template paths
defaults never take (toggles, lists, subchart settings). Each chart+values case is rendered by
helm twice and by caplevel once, with `-f ci/<file>`, and compared as helm-parity.py does
(objects, bytes modulo random and clock-derived documents, broken renders)."""
import sys, os, glob, json, importlib.util
spec = importlib.util.spec_from_file_location("hp", os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../shared/tools/helm-parity.py")); hp = importlib.util.module_from_spec(spec); spec.loader.exec_module(hp)
from concurrent.futures import ThreadPoolExecutor
caplevel, helm = sys.argv[1], sys.argv[2]; roots = sys.argv[3:]
cases = []
for r in roots:
    for c in hp.top_charts(r):
        for f in sorted(glob.glob(os.path.join(c, 'ci', '*.yaml'))):
            cases.append((c, f))
base_args = hp.ARGS
def one(case):
    c, f = case
    hp.ARGS = base_args + ["-f", f]
    res = hp.one(caplevel, helm, c); res['values'] = f; return res
# hp.one reads module ARGS at call time; run serially per case to keep ARGS coherent
res = [one(x) for x in cases]
rendered = [r for r in res if r["status"] != "helm-fails"]
for r in res:
    tag = r['values'].split('/charts/',1)[-1]
    if r["status"] == "broken": print(f"BROKEN  {tag}: {r['why'][:300]}")
    elif r["status"] == "ok" and not r["objects"]:
        print(f"OBJECTS {tag}: only helm {r['only_helm']} only caplevel {r['only_caplevel']}")
        for d in r["diffs"][:1]: print("   " + d.replace("\n", "\n   "))
    elif r["status"] == "ok" and not r["bytes"]: print(f"BYTES   {tag}")
n=len(rendered); print(f"helm renders {n} of {len(res)} chart+values cases; objects {sum(1 for r in rendered if r.get('objects'))}/{n}, bytes {sum(1 for r in rendered if r.get('bytes'))}/{n}, broken {sum(1 for r in rendered if r['status']=='broken')}")
if os.environ.get('PARITY_JSON'): json.dump(res, open(os.environ['PARITY_JSON'],'w'), indent=1)
