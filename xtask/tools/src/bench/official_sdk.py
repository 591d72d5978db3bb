"""The official Python SDK measured as it is used: one client, N sequential StartBackupPlan
calls against the benchmark's server, the in-process median per call.

    python official_sdk.py --endpoint 127.0.0.1:PORT --repeat N

Prints `median_us_per_call=<number>` on stderr (and `mean_us_per_call=`), as the Rust
baselines do. Run with the interpreter of ../shared/tools/official-sdk/setup.sh.
"""

import argparse
import statistics
import sys
import time

from alibabacloud_dbs20190306 import models
from alibabacloud_dbs20190306.client import Client
from alibabacloud_tea_openapi import models as open_api_models


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True, help="host:port, plain HTTP")
    parser.add_argument("--repeat", type=int, default=1000)
    args = parser.parse_args()

    config = open_api_models.Config(
        access_key_id="testAccessKeyId",
        access_key_secret="testAccessKeySecret",
        region_id="cn-hangzhou",
        endpoint=args.endpoint,
        protocol="http",
    )
    client = Client(config)
    request = models.StartBackupPlanRequest(backup_plan_id="dbsqdss5tmabcd")
    client.start_backup_plan(request)  # warm-up: the connection and lazy imports

    samples = []
    started = time.perf_counter()
    for _ in range(args.repeat):
        before = time.perf_counter()
        response = client.start_backup_plan(request)
        samples.append(time.perf_counter() - before)
    total = time.perf_counter() - started
    if response.body.backup_plan_id is None:
        print("error: the answer has no BackupPlanId", file=sys.stderr)
        return 1
    print(f"median_us_per_call={statistics.median(samples) * 1e6:.1f}", file=sys.stderr)
    print(f"mean_us_per_call={total * 1e6 / args.repeat:.1f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
