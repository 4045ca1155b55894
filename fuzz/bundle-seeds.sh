#!/bin/sh
# Seeds for the bundle_pipeline fuzz target, derived from the project's own
# bundle fixtures (each one's manifests joined into one multi-document file),
# written into the target's corpus folder. Run from anywhere, before
# `cargo fuzz run bundle_pipeline`.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/fuzz/corpus/bundle_pipeline"
mkdir -p "$out"
for dir in "$root"/fixtures/rules/*/pass "$root"/fixtures/rules/*/fail "$root"/fixtures/examples/*; do
    [ -d "$dir/manifests" ] || continue
    name=$(echo "${dir#"$root"/fixtures/}" | tr / _)
    for file in "$dir"/manifests/*.yaml; do
        echo '---'
        cat "$file"
    done > "$out/$name.yaml"
done
echo "$(ls "$out" | wc -l) inputs in $out"
