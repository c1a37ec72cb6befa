#!/usr/bin/env python3
"""Fails when checkov finds a failed check on the resource families compose2cfn promises to
keep clean: EFS, Secrets Manager, IAM, CloudWatch Logs, KMS and the GPU instances' launch
template (README lists the check IDs). Load balancer findings (plain HTTP without a
certificate, access logs) are reported, not enforced.

Usage: checkov_gate.py CHECKOV_JSON
"""

import json
import sys
from collections import Counter

ENFORCED = (
    "AWS::EFS::",
    "AWS::SecretsManager::",
    "AWS::IAM::",
    "AWS::Logs::",
    "AWS::KMS::",
    "AWS::EC2::LaunchTemplate",
)


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        reports = json.load(handle)
    if isinstance(reports, dict):
        reports = [reports]
    enforced, reported = [], Counter()
    for report in reports:
        for failed in report.get("results", {}).get("failed_checks", []):
            kind = failed["resource"].split(".")[0]
            where = f"{failed['file_path']}: {failed['resource']}"
            if kind.startswith(ENFORCED):
                enforced.append(f"{failed['check_id']} {failed['check_name']} ({where})")
            else:
                reported[failed["check_id"]] += 1
    print("checkov: not enforced: " + (", ".join(f"{k} x{v}" for k, v in sorted(reported.items())) or "none"))
    for line in enforced:
        print(f"  FAILED {line}")
    print(f"checkov: {len(enforced)} failures on EFS, Secrets Manager, IAM, Logs, KMS and launch-template resources")
    return 1 if enforced else 0


if __name__ == "__main__":
    sys.exit(main())
