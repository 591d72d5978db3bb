#!/usr/bin/env python3
"""Loopback OSS or SLS stand-in whose signature checks are Alibaba's own gateway code.

  python verify_server.py --service oss [--port 0] [--port-file FILE] [--log FILE]
  python verify_server.py --service sls [...]

Every request's signature is recomputed with the official packages (README.md names the exact
functions); a request that passes is then served by a minimal in-memory OSS (buckets, objects,
multipart, append, presigned URLs) or SLS (projects, logstores, PutLogs, GetLogs). Verdicts go to
stderr, to --log as JSON lines, and to `GET /__log` (`GET /__reset` clears them).

Default credential: testAccessKeyId:testAccessKeySecret (the vectors' keys). An STS token is
accepted with any key pair and must be signed like any other header or parameter.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Clock  # noqa: E402
from httpstream import StreamingServer, serve_forever  # noqa: E402


def make_app(service: str, credentials=None, max_skew=None, log_path=None, now=None, data_dir=None,
             endpoints=(), region="cn-hangzhou"):
    clock = Clock(now)
    if service == "oss":
        import oss_gateway
        verifier = oss_gateway.OssVerifier(credentials, max_skew, log_path, clock)
        return oss_gateway.OssApp(verifier, data_dir, list(oss_gateway.DEFAULT_ENDPOINTS) + list(endpoints), region)
    import sls_gateway
    verifier = sls_gateway.SlsVerifier(credentials, max_skew, log_path, clock)
    return sls_gateway.SlsApp(verifier, list(sls_gateway.DEFAULT_ENDPOINTS) + list(endpoints), region)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--service", choices=("oss", "sls"), required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", default=None, help="write the chosen port number to this file")
    ap.add_argument("--log", default=None, help="append one JSON line per verdict")
    ap.add_argument("--credential", action="append", default=[], help="AK:SECRET (repeatable)")
    ap.add_argument("--max-skew-seconds", type=int, default=None,
                    help="reject request times further than N seconds from now (off by default, so "
                         "fixed-time vectors pass)")
    ap.add_argument("--now", default=None,
                    help="the server's clock for presigned-URL expiry, yyyymmddThhmmssZ (default: real time)")
    ap.add_argument("--endpoint", action="append", default=[],
                    help="extra endpoint host regex; <bucket|project>.<endpoint> then names the bucket or project")
    ap.add_argument("--region", default="cn-hangzhou", help="region reported for new buckets and projects")
    ap.add_argument("--data-dir", default=None, help="where large object bodies go (default: a temporary directory)")
    args = ap.parse_args(argv)
    credentials = dict(c.split(":", 1) for c in args.credential) or None
    now = _dt.datetime.strptime(args.now, "%Y%m%dT%H%M%SZ").replace(tzinfo=_dt.timezone.utc) if args.now else None
    data_dir = args.data_dir or tempfile.mkdtemp(prefix=f"{args.service}-standin-")
    os.makedirs(data_dir, exist_ok=True)
    app = make_app(args.service, credentials, args.max_skew_seconds, args.log, now, data_dir, args.endpoint, args.region)
    try:
        serve_forever(StreamingServer(app, args.port), args.port_file)
    finally:
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
