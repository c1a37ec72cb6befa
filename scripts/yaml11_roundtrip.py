"""Reads every emitted YAML template with PyYAML, a YAML 1.1 loader as CloudFormation is,
and checks it is the same document as the JSON template emitted beside it: no string was
left plain where YAML 1.1 would retype it (yes, on, 0755, 1:30, dates, ...)."""
import json
import pathlib
import sys

import yaml

folder = pathlib.Path(sys.argv[1])
checked = failed = 0
for yaml_path in sorted(folder.glob("**/*.yaml")):
    json_path = yaml_path.with_name(yaml_path.stem + ".json.txt")
    if not json_path.exists():
        continue
    checked += 1
    if yaml.safe_load(yaml_path.read_text()) != json.loads(json_path.read_text()):
        failed += 1
        print(f"{yaml_path}: YAML 1.1 reads a different template than the JSON output", file=sys.stderr)
print(f"yaml 1.1 round trip: {checked - failed} passed, {failed} failed")
sys.exit(1 if failed or not checked else 0)
