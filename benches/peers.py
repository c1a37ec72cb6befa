"""Runs each tool RUNS times on generated projects and prints median, spread and ratios
(see benches/peers.sh, which installs the tools and starts the AWS stub).

Usage: peers.py RUNS STUB_PORT COMPOSE2CFN ECS_COMPOSE_X DOCKER_COMPOSE"""
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

runs, port = int(sys.argv[1]), sys.argv[2]
compose2cfn, composex, docker_compose = (os.path.abspath(p) for p in sys.argv[3:6])

def mixed(n):
    """The projects of tests/support/generate.rs's `mixed` (the scale test and the
    benchmarks use it; keep the two in step), without the top-level `name:`, which
    docker-compose 1.29 does not know (the tools get the name from `-p`/`-n`), and with
    file secrets."""
    text = "services:\n"
    for i in range(n):
        text += (
            f"  svc{i:04}:\n    image: ghcr.io/example/svc:1.0\n    environment: {{INDEX: \"{i}\"}}\n"
            f"    networks: [net{i % 5}]\n    healthcheck: {{test: [\"CMD\", \"true\"], interval: 30s}}\n"
        )
        if i % 100 == 0:
            text += f"    ports: [\"{8000 + i // 100}:8080\"]\n"
        if i % 7 == 0:
            text += f"    volumes: [\"data{i % 4}:/data\"]\n"
        if i % 5 == 0:
            text += f"    secrets: [key{i % 3}]\n"
        if i % 11 == 1:
            text += f"    depends_on: [svc{i - 1:04}]\n"
    text += "networks: {net0: {}, net1: {}, net2: {}, net3: {}, net4: {}}\n"
    text += "volumes: {data0: {}, data1: {}, data2: {}, data3: {}}\n"
    # File secrets (docker-compose 1.29 predates `environment:` secrets).
    text += "secrets: {key0: {file: ./k0.txt}, key1: {file: ./k1.txt}, key2: {file: ./k2.txt}}\n"
    return text


env = dict(
    os.environ,
    K0="a", K1="b", K2="c",
    AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
    AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="eu-west-1",
)


def timed(command, cwd):
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, done.returncode


print(f"{'services':>8}  {'tool':<24} {'median':>9} {'min':>9} {'max':>9} {'ratio':>7}")
for n in (10, 30, 100):
    with tempfile.TemporaryDirectory() as folder:
        pathlib.Path(folder, "compose.yaml").write_text(mixed(n))
        for i in range(3):
            pathlib.Path(folder, f"k{i}.txt").write_text("not a real secret\n")
        tools = [
            ("compose2cfn", [compose2cfn, "compose.yaml", "-p", "scale", "-o", "out/stack.yaml"]),
            ("ecs-compose-x render", [composex, "render", "-n", "scale", "-f", "compose.yaml", "-d", "composex"]),
            ("docker-compose config", [docker_compose, "-p", "scale", "-f", "compose.yaml", "config", "-q"]),
        ]
        os.makedirs(os.path.join(folder, "out"), exist_ok=True)
        base = None
        for name, command in tools:
            times, failed = [], False
            for _ in range(runs):
                seconds, code = timed(command, folder)
                failed |= code != 0
                times.append(seconds)
            median = statistics.median(times)
            if base is None:
                base = median
            note = "  (failed)" if failed else ""
            print(f"{n:>8}  {name:<24} {median * 1000:>7.1f}ms {min(times) * 1000:>7.1f}ms {max(times) * 1000:>7.1f}ms {median / base:>6.0f}x{note}")
