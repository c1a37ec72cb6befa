"""Times the command line end to end on generated projects (benches/projects.py) of 10,
100 and 1,000 services: `compose2cfn compose.yaml -o out/stack.yaml` and `compose2cfn
check compose.yaml`, each run a fresh process. Prints the median wall time with its
p10-p90 spread, the median CPU time and the peak resident memory (the largest of the
runs, from the kernel's accounting of each child), then the README's targets and whether
this run met them.

With a second binary (--against), the two run in turn, one after the other, so that
both see the same machine: on a shared VM the speed drifts from hour to hour, and only
numbers measured side by side compare.

Usage: cli.py [--runs N] [--large-runs N] [--against OTHER_BINARY] COMPOSE2CFN
(benches/cli.sh builds the release binary and calls this)."""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

import projects

SIZES = (10, 100, 1000)
# The targets of the README's Speed section (issue: scale and speed).
TARGET_100_MS = 10.0
TARGET_100_MB = 20.0
TARGET_1000_MS = 60.0
TARGET_GROWTH = 12.0


def run_once(command, cwd):
    """Wall seconds, CPU seconds and peak resident KiB of one run of `command`."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(command)} exited with {code} in {cwd}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def machine_speed():
    """Milliseconds of a fixed loop of Python (the median of five): how fast this machine
    runs now. A shared VM's speed drifts by a third from hour to hour; printed before
    and after the runs, it tells which hour a table was measured in."""
    times = []
    for _ in range(5):
        start = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i * i
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def percentile(sorted_values, fraction):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))]


def measure(binaries, n, runs):
    """{(label, mode): [(wall, cpu, rss)]} for every binary and mode, run in turn."""
    modes = {
        "compile": ["compose.yaml", "-p", "scale", "-o", "out/stack.yaml"],
        "check": ["check", "compose.yaml", "-p", "scale"],
    }
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        projects.write(n, folder)
        # Warm the page cache and the binaries' pages before timing.
        for _, binary in binaries:
            for args in modes.values():
                run_once([binary, *args], folder)
        for round in range(runs):
            # Which binary goes first alternates, so that neither always follows the other.
            for label, binary in binaries if round % 2 == 0 else binaries[::-1]:
                for mode, args in modes.items():
                    results.setdefault((label, mode), []).append(run_once([binary, *args], folder))
    return results


def summary(samples):
    walls = sorted(s[0] * 1000 for s in samples)
    cpu = statistics.median(s[1] * 1000 for s in samples)
    peak = max(s[2] for s in samples) / 1024
    return statistics.median(walls), percentile(walls, 0.1), percentile(walls, 0.9), cpu, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--against", help="a second binary, run in turn with the first")
    parser.add_argument("--runs", type=int, default=200, help="runs at 10 and 100 services")
    parser.add_argument("--large-runs", type=int, default=60, help="runs at 1,000 services")
    args = parser.parse_args()
    binaries = [("this", os.path.abspath(args.binary))]
    if args.against:
        binaries.append(("against", os.path.abspath(args.against)))

    before = machine_speed()
    medians = {}
    print(f"{'services':>8}  {'binary':<8} {'mode':<8} {'median':>9} {'p10':>8} {'p90':>8} {'CPU':>8} {'peak':>8}")
    for n in SIZES:
        runs = args.large_runs if n >= 1000 else args.runs
        for (label, mode), samples in measure(binaries, n, runs).items():
            median, p10, p90, cpu, peak = summary(samples)
            medians[(label, mode, n)] = (median, peak)
            print(f"{n:>8}  {label:<8} {mode:<8} {median:>7.1f}ms {p10:>6.1f}ms {p90:>6.1f}ms {cpu:>6.1f}ms {peak:>6.1f}MB")

    print(f"\nmachine speed (a fixed Python loop; lower is faster): {before:.0f} ms before, {machine_speed():.0f} ms after")
    (t100, m100), (t1000, _) = medians[("this", "compile", 100)], medians[("this", "compile", 1000)]
    targets = [
        (f"100 services under {TARGET_100_MS:g} ms", f"{t100:.1f} ms", t100 < TARGET_100_MS),
        (f"100 services under {TARGET_100_MB:g} MB", f"{m100:.1f} MB", m100 < TARGET_100_MB),
        (f"1,000 services under {TARGET_1000_MS:g} ms", f"{t1000:.1f} ms", t1000 < TARGET_1000_MS),
        (f"1,000 services at most {TARGET_GROWTH:g}x 100", f"{t1000 / t100:.1f}x", t1000 / t100 <= TARGET_GROWTH),
    ]
    print("\ntargets (median wall time, peak memory):")
    for name, value, met in targets:
        print(f"  {name:<34} {value:>9}  {'met' if met else 'NOT MET'}")
    if args.against:
        print("\nthis binary against the other, run in turn (median wall time):")
        for n in SIZES:
            for mode in ("compile", "check"):
                this, other = medians[("this", mode, n)][0], medians[("against", mode, n)][0]
                print(f"  {n:>5} services {mode:<8} {other:>7.1f} -> {this:>7.1f} ms ({(this / other - 1) * 100:+.1f}%)")


if __name__ == "__main__":
    main()
