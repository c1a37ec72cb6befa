#!/usr/bin/env bash
# Times the command line end to end on generated projects of 10, 100 and 1,000 services
# (benches/cli.py): median wall time with its p10-p90 spread, CPU time, peak memory, and
# the README's targets met or not. `--against BINARY` runs another build in turn with this
# one (build it first, e.g. from a worktree of an older commit).
#
# Usage: benches/cli.sh [--runs N] [--large-runs N] [--against BINARY]
#        (from the repository root; needs python3 and cargo)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
python3 benches/cli.py "$@" target/release/compose2cfn
