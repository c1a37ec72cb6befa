"""Runs each tool RUNS times on generated projects and prints median, spread and ratios
(see benches/peers.sh, which installs the tools and starts the AWS stub).

Usage: peers.py RUNS STUB_PORT COMPOSE2CFN ECS_COMPOSE_X DOCKER_COMPOSE"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

import projects

runs, port = int(sys.argv[1]), sys.argv[2]
compose2cfn, composex, docker_compose = (os.path.abspath(p) for p in sys.argv[3:6])

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
        projects.write(n, folder)
        tools = [
            ("compose2cfn", [compose2cfn, "compose.yaml", "-p", "scale", "-o", "out/stack.yaml"]),
            ("ecs-compose-x render", [composex, "render", "-n", "scale", "-f", "compose.yaml", "-d", "composex"]),
            ("docker-compose config", [docker_compose, "-p", "scale", "-f", "compose.yaml", "config", "-q"]),
        ]
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
