#!/usr/bin/env python3
"""Fails when checkov finds a failed check on any emitted template, except the checks
SKIPPED below, each with the reason it cannot hold by default (README lists both). Prints
the checks that ran and held (enforced) and the skipped ones with their counts.

Usage: checkov_gate.py CHECKOV_JSON
"""

import json
import sys
from collections import Counter

SKIPPED = {
    "CKV_AWS_2": "plain HTTP listeners: HTTPS needs a certificate that only the Compose file "
    "can name (x-aws-certificate); with one, every HTTP listener is HTTPS",
    "CKV_AWS_103": "TLS 1.2 on listeners: the same plain HTTP listeners; with a certificate "
    "the policy is ELBSecurityPolicy-TLS13-1-2-2021-06",
    "CKV_AWS_260": "port 80 open to 0.0.0.0/0 on the load balancer's group: what publishing "
    "port 80 asks for; the clients are the LoadBalancerClientCidr parameter",
    "CKV_AWS_91": "load balancer access logs need an S3 bucket with a policy for the "
    "region's ELB account: a decision for the user (x-aws-cloudformation can add both)",
}


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        reports = json.load(handle)
    if isinstance(reports, dict):
        reports = [reports]
    failures, skipped, held = [], Counter(), Counter()
    for report in reports:
        results = report.get("results", {})
        for check in results.get("passed_checks", []):
            held[check["check_id"]] += 1
        for check in results.get("failed_checks", []):
            if check["check_id"] in SKIPPED:
                skipped[check["check_id"]] += 1
            else:
                where = f"{check['file_path']}: {check['resource']}"
                failures.append(f"{check['check_id']} {check['check_name']} ({where})")
    order = lambda c: int(c.rsplit("_", 1)[-1])
    enforced = sorted((c for c in held if c not in SKIPPED), key=order)
    print(f"checkov: {len(enforced)} checks enforced: " + ", ".join(enforced))
    print("checkov: skipped: " + (", ".join(f"{c} x{skipped[c]}" for c in sorted(skipped, key=order)) or "none"))
    for line in failures:
        print(f"  FAILED {line}")
    print(f"checkov: {len(failures)} failures outside the skipped checks")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
