#!/usr/bin/env bash
# Fuzzes the whole pipeline (fuzz/fuzz_targets/compile.rs) with libFuzzer for SECONDS
# (default 60), seeded with every Compose file of testdata/ and ../shared/corpus/, with
# a dictionary of Compose tokens (fuzz/compose.dict). cargo-fuzz needs nightly's `-Z`
# flags: RUSTC_BOOTSTRAP=1 lets the stable toolchain take them. Findings are written to
# fuzz/artifacts/compile/; each, minimised into testdata/fuzz/, becomes a test of
# tests/it/fuzz_regressions.rs.
#
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
tools="target/tools"
if [ ! -x "$tools/bin/cargo-fuzz" ]; then
  cargo install --quiet --locked --root "$tools" cargo-fuzz --version 0.13.2
fi
seeds="target/fuzz/seeds"
corpus="target/fuzz/corpus"
rm -rf "$seeds"
mkdir -p "$seeds" "$corpus"
n=0
while IFS= read -r -d '' file; do
  n=$((n + 1))
  cp "$file" "$seeds/$n.yaml"
done < <(find testdata ../shared/corpus -type f \( -name '*.yaml' -o -name '*.yml' \) \
  ! -name '*.snap.yaml' -print0 2>/dev/null | sort -z)
echo "fuzz: $n seed files, ${seconds}s"
export RUSTC_BOOTSTRAP=1
"$tools/bin/cargo-fuzz" run --fuzz-dir fuzz compile "$corpus" "$seeds" -- \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
  -dict=fuzz/compose.dict -print_final_stats=1
