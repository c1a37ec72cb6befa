#!/usr/bin/env bash
# Installs docker-compose 1.29 (the Compose v1 loader) into target/oracle-venv when missing.
# Its PyYAML 5.4 pin only builds from source with Cython < 3 and no build isolation on
# current Pythons.
set -euo pipefail
oracle="target/oracle-venv"
if [ ! -x "$oracle/bin/docker-compose" ]; then
  python3 -m venv "$oracle"
  "$oracle/bin/pip" install --quiet --disable-pip-version-check "cython<3" wheel "setuptools<70"
  "$oracle/bin/pip" install --quiet --disable-pip-version-check --no-build-isolation "pyyaml==5.4.1"
  "$oracle/bin/pip" install --quiet --disable-pip-version-check "docker-compose==1.29.2"
fi
