#!/usr/bin/env bash
# Times the whole command line of compose2cfn against its peers on the same generated
# projects (tests/support/generate.rs's `mixed`), side by side: ECS Compose-X `render`
# (Python; it asks AWS for the account, the zones and a template validation, which a
# loopback stub answers: benches/aws_stub.py) and docker-compose 1.29 `config` (which only
# loads). Prints the median and the spread of each, and the ratios to compose2cfn.
#
# Usage: benches/peers.sh [RUNS]      (from the repository root; needs python3 and cargo)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
cargo build --release --locked --quiet
bash scripts/oracle-venv.sh
peers="target/peers-venv"
if [ ! -x "$peers/bin/ecs-compose-x" ]; then
  python3 -m venv "$peers"
  "$peers/bin/pip" install --quiet --disable-pip-version-check "ecs-composex==1.1.9"
fi
port=18799
python3 benches/aws_stub.py "$port" 2>target/aws-stub.log &
stub=$!
trap 'kill "$stub" 2>/dev/null || true' EXIT
sleep 1
python3 benches/peers.py "$runs" "$port" target/release/compose2cfn \
  "$peers/bin/ecs-compose-x" target/oracle-venv/bin/docker-compose
