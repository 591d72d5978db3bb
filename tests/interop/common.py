"""What the OSS and SLS stand-ins share: rejections, credentials, the verdict log, the clock."""
from __future__ import annotations

import datetime as _dt
import json
import threading
import uuid
from typing import Optional

from httpstream import Request, Response, log

DEFAULT_CREDENTIALS = {"testAccessKeyId": "testAccessKeySecret"}


class Reject(Exception):
    """An answer other than success: status, service error code, message, and debugging detail."""

    def __init__(self, status: int, code: str, message: str, **debug):
        super().__init__(message)
        self.status, self.code, self.message, self.debug = status, code, message, debug


def diff(expected: str, received: str) -> str:
    for i, (x, y) in enumerate(zip(expected, received)):
        if x != y:
            return (f"first difference at char {i}: expected {expected[max(0, i - 20):i + 20]!r} "
                    f"got {received[max(0, i - 20):i + 20]!r}")
    if len(expected) != len(received):
        return f"one is a prefix of the other (lengths {len(expected)} vs {len(received)})"
    return "identical"


def new_request_id() -> str:
    return uuid.uuid4().hex.upper()[:24]


class Clock:
    """The server's idea of now: the real clock, or a fixed instant (`--now`) for fixed-time vectors."""

    def __init__(self, fixed: Optional[_dt.datetime] = None):
        self.fixed = fixed

    def now(self) -> _dt.datetime:
        return self.fixed or _dt.datetime.now(_dt.timezone.utc)


def parse_compact_time(text: str) -> _dt.datetime:
    """`20240501T123456Z` (x-oss-date, x-log-date) as an aware datetime."""
    return _dt.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=_dt.timezone.utc)


def parse_http_date(text: str) -> _dt.datetime:
    from email.utils import parsedate_to_datetime
    value = parsedate_to_datetime(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return value


class Verifier:
    """Credentials, freshness checks and the verdict log shared by both services."""

    def __init__(self, credentials: Optional[dict] = None, max_skew: Optional[int] = None,
                 log_path: Optional[str] = None, clock: Optional[Clock] = None):
        self.credentials = dict(credentials or DEFAULT_CREDENTIALS)
        self.max_skew = max_skew
        self.log_path = log_path
        self.clock = clock or Clock()
        self.verdicts: list[dict] = []
        self.lock = threading.Lock()

    def secret(self, access_key_id: str, not_found_status: int, not_found_code: str) -> str:
        if access_key_id not in self.credentials:
            raise Reject(not_found_status, not_found_code, "The OSS Access Key Id you provided does not exist in our records."
                         if not_found_code == "InvalidAccessKeyId" else "AccessKeyId not found: " + access_key_id,
                         access_key_id=access_key_id)
        return self.credentials[access_key_id]

    def check_skew(self, when: _dt.datetime, code: str, status: int = 403) -> None:
        if self.max_skew is None:
            return
        skew = abs((self.clock.now() - when).total_seconds())
        if skew > self.max_skew:
            raise Reject(status, code, f"The difference between the request time and the current time is too large ({skew:.0f}s).")

    def control(self, request: Request) -> Optional[Response]:
        """`GET /__log` (every verdict so far, as JSON) and `GET /__reset` (forget them)."""
        if request.method != "GET" or request.raw_path not in ("/__log", "/__reset"):
            return None
        with self.lock:
            if request.raw_path == "/__reset":
                self.verdicts.clear()
            body = json.dumps({"verdicts": self.verdicts}, ensure_ascii=False).encode()
        return Response(200, {"content-type": "application/json"}, body)

    def record(self, verdict: dict) -> None:
        with self.lock:
            self.verdicts.append(verdict)
        detail = verdict.get("detail") or {}
        line = (f"[verify] {verdict['status']} {verdict['result']} {verdict['method']} "
                f"{verdict['target'][:160]}")
        if verdict["result"] not in ("OK",) and "signature" in verdict.get("check", ""):
            line += f"\n  message: {verdict.get('message', '')}"
            for key in ("signature_diff", "expected_signature", "received_signature"):
                if key in detail:
                    line += f"\n  {key}: {detail[key]}"
            for key in ("canonical_request", "string_to_sign"):
                if key in detail:
                    line += f"\n  server {key}:\n    " + str(detail[key]).replace("\n", "\n    ")
        log(line)
        if self.log_path:
            with self.lock, open(self.log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(verdict, ensure_ascii=False) + "\n")
