"""The generated projects the command-line benchmarks time (benches/cli.py, benches/peers.py):
tests/it/support/generate.rs's `mixed` (the scale test and the criterion benchmarks use it;
keep the two in step), without the top-level `name:`, which docker-compose 1.29 does not
know (the tools get the name from `-p`/`-n`), and with file secrets."""
import pathlib


def mixed(n):
    """The Compose file of `n` services: 5 networks, 4 volumes, 3 secrets, one service
    in 100 publishing a port, one in 11 depending on the one before."""
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


def write(n, folder):
    """The project of `n` services in `folder` (its Compose file, its secrets' files and
    an `out/` folder)."""
    folder = pathlib.Path(folder)
    (folder / "compose.yaml").write_text(mixed(n))
    for i in range(3):
        (folder / f"k{i}.txt").write_text("not a real secret\n")
    (folder / "out").mkdir(exist_ok=True)
