#!/usr/bin/env python3
"""Render parity with real helm over every chart's ci/*.yaml values files.

usage: helm-parity-values.py [--toggles-on] CAPLEVEL HELM CHARTS_DIR...   (PARITY_JSON=out.json to keep details)

../shared/tools/helm-parity.py compares default renders; CI values files take the template paths
defaults never take (toggles, lists, subchart settings). Each chart+values case is rendered by
helm twice and by caplevel once, with `-f ci/<file>`, and compared as helm-parity.py does
(objects, bytes modulo random and clock-derived documents, broken renders).

--toggles-on: instead of ci/ files, one case per chart with a generated values file that turns on
every boolean switch that is off in the chart's values.yaml (keys named enabled/create/enable*,
at any depth, subcharts' sections included): the optional templates most charts ship."""
import sys, os, re, glob, json, tempfile, importlib.util
import yaml
spec = importlib.util.spec_from_file_location("hp", os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../shared/tools/helm-parity.py")); hp = importlib.util.module_from_spec(spec); spec.loader.exec_module(hp)
from concurrent.futures import ThreadPoolExecutor
argv = sys.argv[1:]
toggles = '--toggles-on' in argv
argv = [a for a in argv if a != '--toggles-on']
caplevel, helm = argv[0], argv[1]; roots = argv[2:]
SWITCH = re.compile(r'^(enabled|create|enable[A-Z_].*)$')
def switches_on(v):
    """The subset of values v that turns every off switch on (None when there is none)."""
    if not isinstance(v, dict): return None
    out = {}
    for k, x in v.items():
        if x is False and isinstance(k, str) and SWITCH.match(k): out[k] = True
        elif isinstance(x, dict):
            sub = switches_on(x)
            if sub: out[k] = sub
    return out or None
tmp = tempfile.mkdtemp(prefix='parity-toggles-')
cases = []
for r in roots:
    for c in hp.top_charts(r):
        if not toggles:
            for f in sorted(glob.glob(os.path.join(c, 'ci', '*.yaml'))):
                cases.append((c, f))
            continue
        try: v = yaml.safe_load(open(os.path.join(c, 'values.yaml')))
        except Exception: continue
        on = switches_on(v)
        if on:
            f = os.path.join(tmp, f'{len(cases)}-{os.path.basename(c)}.yaml')
            yaml.safe_dump(on, open(f, 'w')); cases.append((c, f))
base_args = hp.ARGS
def one(case):
    c, f = case
    hp.ARGS = base_args + ["-f", f]
    res = hp.one(caplevel, helm, c); res['values'] = f; return res
# hp.one reads module ARGS at call time; run serially per case to keep ARGS coherent
res = [one(x) for x in cases]
rendered = [r for r in res if r["status"] != "helm-fails"]
for r in res:
    tag = r['values'].split('/charts/',1)[-1] if not toggles else os.path.basename(r['values'])
    if r["status"] == "broken": print(f"BROKEN  {tag}: {r['why'][:300]}")
    elif r["status"] == "ok" and not r["objects"]:
        print(f"OBJECTS {tag}: only helm {r['only_helm']} only caplevel {r['only_caplevel']}")
        for d in r["diffs"][:1]: print("   " + d.replace("\n", "\n   "))
    elif r["status"] == "ok" and not r["bytes"]: print(f"BYTES   {tag}")
n=len(rendered); print(f"helm renders {n} of {len(res)} chart+values cases; objects {sum(1 for r in rendered if r.get('objects'))}/{n}, bytes {sum(1 for r in rendered if r.get('bytes'))}/{n}, broken {sum(1 for r in rendered if r['status']=='broken')}")
if os.environ.get('PARITY_JSON'): json.dump(res, open(os.environ['PARITY_JSON'],'w'), indent=1)
