#!/usr/bin/env python3
"""Compares compose2cfn's loader with Docker Compose's own (docker-compose 1.29, Python).

For every case in testdata/ok, testdata/err and ../shared/corpus that docker-compose can
load, runs `docker-compose config` and `compose2cfn config --format json` on the same files
with the same environment, and compares each service's image, command, entrypoint,
environment, ports, volumes, networks, depends_on and deploy after the normalisation below.

Normalisation (both sides), chosen so that only spelling differs, never meaning:
- command, entrypoint: a string is split into words as a POSIX shell does (Compose v2
  prints the list; 1.29 keeps the string).
- environment: a mapping of name to string (null for a variable without a value).
- ports: a set of (host_ip, published, target, protocol), short syntax parsed, ranges
  expanded, `0.0.0.0`/empty host the same, protocol default tcp.
- volumes: a set of (target, source, read_only); a bind source as an absolute path (`~`
  expanded), a target without a trailing `/`, a `:rw` mode the same as none.
- networks: the set of network names; none means `default` (v2 attaches services to the
  default network explicitly, 1.29 leaves it implicit).
- depends_on: a mapping of service to condition (`service_started` by default); v2's
  `required: true` default is dropped.
- deploy: the mapping with scalars as strings, `cpus` as a number, memory sizes in bytes.

Services of every profile are compared (compose2cfn runs with `--profile '*'`): 1.29's
`config` ignores profiles, and which services a profile leaves out is covered by the
snapshot cases. Strings compare as printed: both escape `$` as `$$`.

Where the two differ because Compose v2 (the current Compose specification) behaves
differently from 1.29, compose2cfn follows v2; those cases are listed in V2_DIFFERENCES
with the reason. Any other difference fails the run.

Usage: oracle.py COMPOSE2CFN_BINARY DOCKER_COMPOSE_BINARY
"""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ["image", "command", "entrypoint", "environment", "ports", "volumes", "networks",
          "depends_on", "deploy"]

# (case, service, field) -> why Compose v2, which compose2cfn follows, differs from 1.29.
# None today: every difference found so far is one of spelling, handled above.
V2_DIFFERENCES = {}


def words(value):
    return shlex.split(value) if isinstance(value, str) else value


def text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def environment(value):
    if value is None:
        return {}
    if isinstance(value, list):
        out = {}
        for item in value:
            key, sep, val = str(item).partition("=")
            out[key] = val if sep else None
        return out
    return {k: text(v) for k, v in value.items()}


def port_range(spec):
    if spec in (None, ""):
        return [""]
    spec = str(spec)
    if "-" in spec:
        a, b = spec.split("-", 1)
        return [str(p) for p in range(int(a), int(b) + 1)]
    return [spec]


def ports(value):
    out = set()
    for item in value or []:
        if isinstance(item, dict):
            host = item.get("host_ip") or ""
            published = port_range(item.get("published"))
            targets = port_range(item.get("target"))
            protocol = item.get("protocol") or "tcp"
        else:
            body, _, protocol = str(item).partition("/")
            protocol = protocol or "tcp"
            host, published_text, target_text = "", "", body
            ipv6 = re.match(r"^\[([^\]]*)\]:(.*)$", body)
            if ipv6:
                host, body = ipv6.group(1), ipv6.group(2)
            parts = body.split(":")
            if len(parts) == 1:
                target_text = parts[0]
            elif len(parts) == 2:
                published_text, target_text = parts
            else:
                host, published_text, target_text = parts[0], parts[1], parts[2]
            published = port_range(published_text)
            targets = port_range(target_text)
        if host == "0.0.0.0":
            host = ""
        if len(published) == 1 and len(targets) > 1:
            published = published * len(targets)
        for p, t in zip(published, targets):
            out.add((host, p, t, protocol))
    return sorted(out)


def volumes(value, project_dir):
    out = set()
    for item in value or []:
        if isinstance(item, dict):
            source = item.get("source")
            if item.get("type") == "bind" and source:
                source = str((project_dir / os.path.expanduser(source)).resolve())
            target = str(item.get("target")).rstrip("/") or "/"
            out.add((target, source, bool(item.get("read_only"))))
            continue
        parts = str(item).split(":")
        if len(parts) == 1:
            out.add((parts[0].rstrip("/") or "/", None, False))
            continue
        source, target = parts[0], parts[1].rstrip("/") or "/"
        mode = parts[2] if len(parts) > 2 else ""
        if source.startswith((".", "/", "~")):
            source = str((project_dir / os.path.expanduser(source)).resolve())
        out.add((target, source, "ro" in mode.split(",")))
    return sorted(out, key=str)


def networks(value):
    if not value:
        return ["default"]
    return sorted(value if isinstance(value, list) else value.keys())


def depends_on(value):
    if not value:
        return {}
    if isinstance(value, list):
        return {name: "service_started" for name in value}
    return {k: (v or {}).get("condition", "service_started") for k, v in value.items()}


UNITS = {"b": 1, "k": 1024, "kb": 1024, "m": 1024 ** 2, "mb": 1024 ** 2, "g": 1024 ** 3,
         "gb": 1024 ** 3}


def size(value):
    match = re.match(r"^\s*([0-9.]+)\s*([a-zA-Z]*)\s*$", str(value))
    if not match or match.group(2).lower() not in UNITS and match.group(2):
        return str(value)
    return int(float(match.group(1)) * UNITS.get(match.group(2).lower(), 1))


def deploy(value, key=None):
    if isinstance(value, dict):
        return {k: deploy(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [deploy(v) for v in value]
    if key == "cpus":
        return float(value)
    if key in ("memory",):
        return size(value)
    return text(value)


def normalise(service, project_dir):
    return {
        "image": service.get("image"),
        "command": words(service.get("command")),
        "entrypoint": words(service.get("entrypoint")),
        "environment": environment(service.get("environment")),
        "ports": ports(service.get("ports")),
        "volumes": volumes(service.get("volumes"), project_dir),
        "networks": networks(service.get("networks")),
        "depends_on": depends_on(service.get("depends_on")),
        "deploy": deploy(service.get("deploy") or {}),
    }


# Corpus projects upstream runs with several files (../shared/corpus/SOURCES.md): the
# same table as INVOCATIONS in tests/it/corpus.rs.
INVOCATIONS = [
    ("otel-demo", ["compose.yaml", "compose.full.yaml", "compose.observability.yaml"],
     [".env", ".env.override"]),
    ("aws-demo-app-multifile", ["compose.yaml", "docker-compose-dev.yml"], []),
    ("aws-demo-app-multifile", ["compose.yaml", "docker-compose-prd.yml"], []),
]


def case_files(directory):
    listed = directory / "files"
    if listed.is_file():
        return [line for line in listed.read_text().splitlines() if line]
    files = ["compose.yaml"]
    overrides = ["compose.override.yml", "compose.override.yaml", "docker-compose.override.yml",
                 "docker-compose.override.yaml"]
    files += [o for o in overrides if (directory / o).is_file()][:1]
    return files


def case_env(directory):
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/root")}
    path = directory / "env"
    if path.is_file():
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep:
                env[key] = value
    return env


def run(command, directory, env):
    return subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True,
                          check=False)


def main():
    ours_bin, theirs_bin = (str(Path(p).resolve()) for p in sys.argv[1:3])
    cases = []
    for kind in ("ok", "err"):
        cases += [(f"{kind}/{d.name}", d, case_files(d), []) for d in
                  sorted((ROOT / "testdata" / kind).iterdir()) if (d / "compose.yaml").is_file()]
    corpus = ROOT.parent / "shared" / "corpus"
    if corpus.is_dir():
        cases += [(f"corpus/{d.name}", d, case_files(d), []) for d in sorted(corpus.iterdir())
                  if (d / "compose.yaml").is_file()]
        cases += [(f"corpus/{name}+" + "+".join(files[1:]), corpus / name, files, env_files)
                  for name, files, env_files in INVOCATIONS]

    tally = {"cases": 0, "compared": 0, "agree": 0, "v2": 0, "theirs_fail": 0, "ours_fail": 0}
    failures = []
    for name, directory, files, env_files in cases:
        env = case_env(directory)
        args = [a for f in files for a in ("-f", f)]
        args += [a for f in env_files for a in ("--env-file", f)]
        theirs = run([theirs_bin, *args, "config"], directory, env)
        if theirs.returncode != 0:
            tally["theirs_fail"] += 1
            if os.environ.get("ORACLE_VERBOSE"):
                reason = (theirs.stderr.strip().splitlines() or ["?"])[-1]
                print(f"  {name}: docker-compose 1.29 cannot load it: {reason[:150]}")
            continue
        ours = run([ours_bin, "config", "--format", "json", "--profile", "*", *args],
                   directory, env)
        if ours.returncode != 0:
            # compose2cfn is stricter where Compose v2 is (and reports it with a code).
            tally["ours_fail"] += 1
            print(f"  {name}: docker-compose 1.29 loads it, compose2cfn rejects it")
            continue
        their_services = (yaml.safe_load(theirs.stdout) or {}).get("services") or {}
        our_services = json.loads(ours.stdout).get("services") or {}
        if sorted(their_services) != sorted(our_services):
            failures.append(f"{name}: services {sorted(their_services)} vs {sorted(our_services)}")
            continue
        tally["cases"] += 1
        for service in sorted(our_services):
            a = normalise(their_services[service], directory)
            b = normalise(our_services[service], directory)
            for field in FIELDS:
                tally["compared"] += 1
                if a[field] == b[field]:
                    tally["agree"] += 1
                elif (name, service, field) in V2_DIFFERENCES:
                    tally["v2"] += 1
                else:
                    failures.append(f"{name}: {service}.{field}\n    docker-compose 1.29: "
                                    f"{a[field]}\n    compose2cfn:         {b[field]}")
    print(f"oracle: {tally['cases']} cases, {tally['compared']} fields compared, {tally['agree']} agree, "
          f"{tally['v2']} differ where compose2cfn follows Compose v2, "
          f"{len(failures)} disagree; {tally['theirs_fail']} cases docker-compose 1.29 "
          f"cannot load, {tally['ours_fail']} it loads and compose2cfn rejects")
    for (case, service, field), why in sorted(V2_DIFFERENCES.items()):
        print(f"  v2: {case} {service}.{field}: {why}")
    for failure in failures:
        print(f"  DISAGREE {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
