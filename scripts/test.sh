#!/usr/bin/env bash
# Runs every test: the cargo tests (unit, CLI, testdata cases, corpus; through cargo-insta,
# which fails on a snapshot that no test reads), then cfn-lint over every template the
# tests emitted (testdata and corpus), in one call, expecting zero errors, a YAML 1.1 read
# of each template against its JSON twin, and the loader oracle (scripts/oracle.py:
# `compose2cfn config` against docker-compose 1.29's `config`), and checkov with zero
# failures outside four skipped checks, each with its reason (scripts/checkov_gate.py).
# cfn-lint, checkov and docker-compose are installed from PyPI into virtualenvs under
# target/ when missing, and cargo-insta (the insta crate's version) into target/tools.
set -euo pipefail
cd "$(dirname "$0")/.."

CFN_LINT_VERSION="1.58.0"
venv="target/venv"
if [ ! -x "$venv/bin/cfn-lint" ] || ! "$venv/bin/cfn-lint" --version 2>/dev/null | grep -q "$CFN_LINT_VERSION"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION"
fi

tools="target/tools"
insta_version=$(sed -n '/^name = "insta"$/{n;s/^version = "\(.*\)"$/\1/p}' Cargo.lock)
if [ ! -x "$tools/bin/cargo-insta" ] || ! "$tools/bin/cargo-insta" --version | grep -qx "cargo-insta $insta_version"; then
  # Unoptimised (--debug): 46 s of CPU to build instead of 127 s, and it only walks files.
  cargo install --quiet --debug --locked --root "$tools" cargo-insta --version "$insta_version"
fi

rm -rf target/cfn-lint target/cfn-lint-scale
# Built here, where `--locked` can be said: cargo-insta passes what follows its `--` to
# the tests, not to cargo.
cargo test --all-targets --locked --no-run
# A snapshot that differs fails its test (`--check`); one that no test read fails the run
# (`--unreferenced reject`). `--no-quiet`: the benchmarks' harness (criterion) takes no -q.
"$tools/bin/cargo-insta" test --all-targets --check --unreferenced reject --no-quiet
# The hostile inputs again against the optimised binary, where each must be answered
# within a second. The tests stay unoptimised: the whole test binary built optimised
# would take minutes (`cargo test --release --test it -- hostile::` runs them so).
cargo build --release --locked
OPTIMISED_BINARY=target/release/compose2cfn cargo test --locked --test it -- hostile::

shopt -s nullglob
# Root templates, and the nested templates of split projects where their TemplateURLs
# point (cfn-lint checks the parameters each root passes against them).
templates=(target/cfn-lint/*.yaml target/cfn-lint/*.stacks/*.yaml)
if [ ${#templates[@]} -eq 0 ]; then
  echo "no templates were emitted for cfn-lint" >&2
  exit 1
fi
echo "cfn-lint $CFN_LINT_VERSION on ${#templates[@]} templates"
# Exit status is a bit mask: 2 = errors, 4 = warnings, 8 = informational. Errors fail.
status=0
"$venv/bin/cfn-lint" --format parseable -- "${templates[@]}" || status=$?
if [ $((status & 3)) -ne 0 ]; then
  echo "cfn-lint found errors (exit $status)" >&2
  exit 1
fi
"$venv/bin/python" scripts/yaml11_roundtrip.py target/cfn-lint
echo "cfn-lint: ${#templates[@]} passed, 0 failed"

# The run-time rules (src/audit/) on the same files as written, each root with the nested
# templates its TemplateURLs name (the compiler ran them in process too).
roots=(target/cfn-lint/*.yaml)
cargo build --locked --quiet
target/debug/compose2cfn audit -- "${roots[@]}"
echo "run-time rules: ${#roots[@]} passed, 0 failed"

# The 5,000-service project of tests/it/scale.rs (a root and its groups' nested templates,
# 22 MB): cfn-lint on both cores, errors failing the run.
scale=(target/cfn-lint-scale/*.yaml target/cfn-lint-scale/*.stacks/*.yaml)
if [ ${#scale[@]} -lt 2 ]; then
  echo "tests/it/scale.rs emitted no templates for cfn-lint" >&2
  exit 1
fi
echo "cfn-lint $CFN_LINT_VERSION on the 5,000-service project: ${#scale[@]} templates"
printf '%s\0' "${scale[@]}" | xargs -0 -P 2 -n $(((${#scale[@]} + 1) / 2)) \
  bash -c '"$0" --format parseable -- "$@"; status=$?; [ $((status & 3)) -eq 0 ]' "$venv/bin/cfn-lint" \
  || { echo "cfn-lint found errors in the 5,000-service project" >&2; exit 1; }
echo "cfn-lint: ${#scale[@]} passed, 0 failed"
scale_roots=(target/cfn-lint-scale/*.yaml)
target/debug/compose2cfn audit -- "${scale_roots[@]}"
echo "run-time rules on the 5,000-service project: ${#scale[@]} templates passed"

# checkov: zero failures outside the skipped checks (the JSON lists the passed ones too).
CHECKOV_VERSION="3.3.30"
checkov_venv="target/checkov-venv"
if [ ! -x "$checkov_venv/bin/checkov" ] || ! "$checkov_venv/bin/checkov" --version 2>/dev/null | grep -q "$CHECKOV_VERSION"; then
  python3 -m venv "$checkov_venv"
  "$checkov_venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi
"$checkov_venv/bin/checkov" -d target/cfn-lint --framework cloudformation --compact --skip-download \
  --output json > target/checkov.json || true
"$venv/bin/python" scripts/checkov_gate.py target/checkov.json

# The loader oracle: docker-compose 1.29.
bash scripts/oracle-venv.sh
oracle="target/oracle-venv"
cargo build --locked --quiet
"$oracle/bin/python" scripts/oracle.py target/debug/compose2cfn "$oracle/bin/docker-compose"
