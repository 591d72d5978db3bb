"""The SLS stand-in: every request's signature recomputed with Alibaba's own gateway code, then
served by a minimal in-memory Simple Log Service (projects, logstores, PutLogs, GetLogs).

Signatures (see README.md for the exact functions):
  * `Authorization: LOG AK:SIG` with `x-log-signaturemethod: hmac-sha256` (the gateway's default,
    "v1"): `alibabacloud_gateway_sls.client.Client.get_signature`; `Content-MD5` is the
    upper-case hex MD5 of the body as sent (`make_content_hash`).
  * `Authorization: SLS4-HMAC-SHA256 Credential=AK/yyyymmdd/region/sls/aliyun_v4_request,Signature=...`
    ("v4"): `get_signed_header_str_v4`, `get_signingkey_v4`, `get_signature_v4`;
    `x-log-content-sha256` is the hex SHA-256 of the body as sent.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import threading
import zlib
from dataclasses import dataclass, field
from email.utils import format_datetime
from types import SimpleNamespace
from typing import Optional
from urllib.parse import unquote, unquote_plus

import aliyun_log_fastpb
import lz4.block
import zstd
from alibabacloud_gateway_sls.client import Client as SlsGateway

from common import Reject, Verifier, diff, new_request_id, parse_compact_time, parse_http_date
from httpstream import BodyTooLarge, Request, Response

GATEWAY = SlsGateway()
V4_ALGORITHM = "SLS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_BODY = 10 << 20  # PutLogs: "Body size must little than 10485760."
MAX_JSON_BODY = 4 << 20
PROJECT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
LOGSTORE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$")
DEFAULT_ENDPOINTS = (
    r"[a-z0-9-]+\.log\.aliyuncs\.com",  # cn-hangzhou, cn-hangzhou-intranet, cn-hangzhou-share
    r"[a-z0-9-]+\.sls\.aliyuncs\.com",
    r"log-global\.aliyuncs\.com",
    r"localhost",
    r"log\.test",
)


def resolve_project(request: Request, endpoints: list[re.Pattern]) -> tuple[Optional[str], str]:
    host = (request.header("host") or "").strip().lower()
    hostname = host.rsplit(":", 1)[0]
    first, _, rest = hostname.partition(".")
    if rest and not any(p.fullmatch(hostname) for p in endpoints) and any(p.fullmatch(rest) for p in endpoints):
        return first, host
    return None, host


def gateway_query(raw_query: str) -> dict:
    """Query as the gateway holds it: decoded values, `None` for a key sent without `=`."""
    out: dict = {}
    for piece in raw_query.split("&") if raw_query else []:
        if not piece:
            continue
        key, sep, value = piece.partition("=")
        key = unquote_plus(key)
        if key in out:
            raise Reject(400, "ParameterInvalid", f"Query parameter {key!r} appears more than once.")
        out[key] = unquote_plus(value) if sep else None
    return out


class SlsVerifier(Verifier):
    def secret_for(self, access_key_id: str) -> str:
        if access_key_id not in self.credentials:
            raise Reject(401, "Unauthorized", f"AccessKeyId not found: {access_key_id}",
                         access_key_id=access_key_id)
        return self.credentials[access_key_id]

    def verify(self, request: Request) -> dict:
        headers = request.lower_headers()
        auth = headers.get("authorization", "")
        pathname = unquote(request.raw_path) or "/"
        query = gateway_query(request.raw_query)
        if auth.startswith("LOG "):
            return self.verify_v1(request, headers, pathname, query, auth)
        if auth.startswith(V4_ALGORITHM):
            return self.verify_v4(request, headers, pathname, query, auth)
        if auth:
            raise Reject(401, "Unauthorized", f"Unsupported Authorization scheme {auth.split(' ')[0]!r}.")
        raise Reject(401, "Unauthorized", "Authorization is required.")

    def verify_v1(self, request, headers, pathname, query, auth) -> dict:
        try:
            ak, received = auth[4:].strip().rsplit(":", 1)
        except ValueError:
            raise Reject(401, "Unauthorized", "Authorization must be 'LOG <AccessKeyId>:<Signature>'.")
        method = headers.get("x-log-signaturemethod")
        if method != "hmac-sha256":
            raise Reject(401, "Unauthorized",
                         f"x-log-signaturemethod must be hmac-sha256 (the gateway's only method), got {method!r}.")
        for name in ("date", "x-log-apiversion", "x-log-bodyrawsize"):
            if name not in headers:
                raise Reject(400, "ParameterInvalid", f"Missing required header {name}.")
        try:
            when = parse_http_date(headers["date"])
        except (TypeError, ValueError):
            raise Reject(400, "ParameterInvalid", f"Date {headers['date']!r} is not an HTTP date.")
        secret = self.secret_for(ak)
        self.check_skew(when, "RequestTimeTooSkewed", 400)
        expected = GATEWAY.get_signature(pathname, request.method, dict(query), dict(headers), secret)
        canonical_resource = GATEWAY.build_canonicalized_resource(pathname, dict(query))
        canonical_headers = GATEWAY.build_canonicalized_headers(dict(headers))
        string_to_sign = f"{request.method}\n{canonical_headers}{canonical_resource}"
        detail = {"style": "v1", "algorithm": "LOG hmac-sha256", "access_key_id": ak,
                  "string_to_sign": string_to_sign, "received_signature": received,
                  "checked_by": ["alibabacloud-gateway-sls get_signature"],
                  "security_token": "x-acs-security-token" in headers,
                  "body_hash_header": "content-md5", "body_hash": headers.get("content-md5", "")}
        if expected != received:
            raise Reject(401, "SignatureNotMatch", "signature " + received + " not match",
                         expected_signature=expected, signature_diff=diff(expected, received), **detail)
        return detail

    def verify_v4(self, request, headers, pathname, query, auth) -> dict:
        fields = {}
        for item in auth[len(V4_ALGORITHM):].strip().split(","):
            name, _, value = item.strip().partition("=")
            fields[name] = value
        if "Credential" not in fields or "Signature" not in fields:
            raise Reject(401, "Unauthorized", "Authorization needs Credential and Signature.")
        parts = fields["Credential"].split("/")
        if len(parts) != 5 or parts[3] != "sls" or parts[4] != "aliyun_v4_request":
            raise Reject(401, "Unauthorized", "Credential must be <AccessKeyId>/<yyyymmdd>/<region>/sls/aliyun_v4_request.")
        ak, scope_date, region = parts[0], parts[1], parts[2]
        for name in ("x-log-date", "x-log-content-sha256"):
            if name not in headers:
                raise Reject(400, "ParameterInvalid", f"Missing required header {name}.")
        date = headers["x-log-date"]
        try:
            when = parse_compact_time(date)
        except ValueError:
            raise Reject(400, "ParameterInvalid", f"x-log-date {date!r} is not yyyymmddThhmmssZ.")
        if date[:8] != scope_date:
            raise Reject(401, "SignatureNotMatch", "The date in Credential differs from x-log-date.")
        secret = self.secret_for(ak)
        self.check_skew(when, "RequestTimeTooSkewed", 400)
        signed = GATEWAY.get_signed_header_str_v4(dict(headers))
        key = GATEWAY.get_signingkey_v4(V4_ALGORITHM, secret, region, scope_date)
        scope = f"{scope_date}/{region}/sls/aliyun_v4_request"
        context = SimpleNamespace(request=SimpleNamespace(method=request.method, pathname=pathname,
                                                          query=dict(query), headers=dict(headers)))
        content_sha256 = headers["x-log-content-sha256"]
        expected = GATEWAY.get_signature_v4(context, V4_ALGORITHM, signed, date, scope, content_sha256, key)
        canonical_request = (f"{request.method}\n{pathname or '/'}\n{GATEWAY.build_canonicalized_resource_v4(dict(query))}\n"
                             f"{GATEWAY.build_canonicalized_headers_v4(dict(headers), signed)}\n{signed}\n{content_sha256}")
        string_to_sign = (f"{V4_ALGORITHM}\n{date}\n{scope}\n"
                          f"{hashlib.sha256(canonical_request.encode()).hexdigest()}")
        received = fields["Signature"]
        detail = {"style": "v4", "algorithm": V4_ALGORITHM, "access_key_id": ak, "region": region,
                  "signed_headers": signed, "canonical_request": canonical_request,
                  "string_to_sign": string_to_sign, "received_signature": received,
                  "checked_by": ["alibabacloud-gateway-sls get_signature_v4"],
                  "security_token": "x-acs-security-token" in headers,
                  "body_hash_header": "x-log-content-sha256", "body_hash": content_sha256}
        if expected != received:
            raise Reject(401, "SignatureNotMatch", "signature " + received + " not match",
                         expected_signature=expected, signature_diff=diff(expected, received), **detail)
        return detail


def check_body_hash(body: bytes, detail: dict) -> None:
    """The body as sent must match the hash the signature covered."""
    if detail["body_hash_header"] == "content-md5":
        computed = hashlib.md5(body).hexdigest().upper() if body else ""
        if detail["body_hash"] != computed:
            raise Reject(400, "InvalidContentMD5", "Content-MD5 does not match the body received.",
                         claimed=detail["body_hash"], computed=computed)
    else:
        computed = hashlib.sha256(body).hexdigest()
        if detail["body_hash"] != computed:
            raise Reject(400, "InvalidContentSha256", "x-log-content-sha256 does not match the body received.",
                         claimed=detail["body_hash"], computed=computed)


def decompress(body: bytes, compress_type: Optional[str], raw_size: Optional[str]) -> bytes:
    if not compress_type:
        return body
    try:
        size = int(raw_size or "")
    except ValueError:
        raise Reject(400, "ParameterInvalid", "x-log-bodyrawsize must be a number with x-log-compresstype.")
    if size < 0 or size > 64 * MAX_BODY:
        raise Reject(413, "PostBodyTooLarge", "x-log-bodyrawsize is too large.")
    try:
        if compress_type == "lz4":
            data = lz4.block.decompress(body, uncompressed_size=size)
        elif compress_type == "zstd":
            data = zstd.decompress(body)
        elif compress_type in ("deflate", "gzip"):
            data = zlib.decompress(body)
        else:
            raise Reject(400, "ParameterInvalid", f"Unsupported x-log-compresstype {compress_type!r}.")
    except Reject:
        raise
    except Exception as error:  # the compressors raise their own types
        raise Reject(400, "PostBodyUncompressError", f"Post body uncompressed fail: {error}.")
    if len(data) != size:
        raise Reject(400, "PostBodyUncompressError", f"Uncompressed {len(data)} bytes, x-log-bodyrawsize says {size}.")
    return data


def decode_log_group(data: bytes) -> dict:
    """A PutLogs body (one `LogGroup`) decoded by the SLS SDK's own protobuf code
    (`aliyun_log_fastpb.deserialize_log_group_list`, which reads a `LogGroupList`: field 1,
    length-delimited, is one LogGroup)."""
    length, prefix = len(data), bytearray()
    while True:
        byte = length & 0x7F
        length >>= 7
        prefix.append(byte | (0x80 if length else 0))
        if not length:
            break
    try:
        groups = aliyun_log_fastpb.deserialize_log_group_list(b"\x0a" + bytes(prefix) + data)["logGroupList"]
    except Exception as error:
        raise Reject(400, "PostBodyInvalid", f"Fail to parse protobuf: {error}.")
    if len(groups) != 1:
        raise Reject(400, "PostBodyInvalid", "Fail to parse protobuf.")
    return groups[0]


@dataclass
class Logstore:
    name: str
    config: dict
    created: int
    logs: list = field(default_factory=list)  # dicts as GetLogs returns them


@dataclass
class Project:
    name: str
    description: str
    created: int
    region: str
    logstores: dict = field(default_factory=dict)


def _json(status: int, value, extra: Optional[dict] = None) -> Response:
    headers = {"Content-Type": "application/json"}
    headers.update(extra or {})
    return Response(status, headers, json.dumps(value, ensure_ascii=False).encode())


def _matches(log: dict, query: str) -> bool:
    search = query.split("|", 1)[0].strip()
    if search in ("", "*"):
        return True
    for term in search.split(" and "):
        term = term.strip()
        if ":" in term:
            key, _, value = term.partition(":")
            if str(log.get(key.strip())) != value.strip().strip('"'):
                return False
        elif not any(term in str(v) for v in log.values()):
            return False
    return True


class SlsApp:
    def __init__(self, verifier: SlsVerifier, endpoints: list[str], region: str = "cn-hangzhou"):
        self.verifier = verifier
        self.endpoints = [re.compile(p) for p in endpoints]
        self.region = region
        self.projects: dict[str, Project] = {}
        self.lock = threading.Lock()

    def handle(self, request: Request) -> Response:
        control = self.verifier.control(request)
        if control is not None:
            return control
        request_id = new_request_id()
        project, host = resolve_project(request, self.endpoints)
        verdict = {"service": "sls", "request_id": request_id, "method": request.method, "target": request.target,
                   "host": host, "project": project,
                   "headers": [[k, v if k.lower() not in ("authorization", "x-acs-security-token") else "***"]
                               for k, v in request.headers]}
        try:
            verdict["check"] = "signature"
            detail = self.verifier.verify(request)
            verdict["detail"] = detail
            body = request.read_body(MAX_BODY)
            check_body_hash(body, detail)
            verdict["check"] = "operation"
            operation, response = self.dispatch(request, project, body)
            verdict.update(result="OK", status=response.status, operation=operation)
        except BodyTooLarge:
            reject = Reject(413, "PostBodyTooLarge", f"Body size must little than {MAX_BODY}.")
            response = self.error(request_id, reject)
            verdict.update(result=reject.code, status=reject.status, message=reject.message)
        except Reject as reject:
            response = self.error(request_id, reject)
            verdict.update(result=reject.code, status=reject.status, message=reject.message,
                           detail={**verdict.get("detail", {}), **reject.debug})
        verdict["body_length"] = request.body_length
        response.headers.setdefault("x-log-requestid", request_id)
        response.headers.setdefault("Server", "AliyunSLS")
        response.headers.setdefault("Date", format_datetime(_dt.datetime.now(_dt.timezone.utc), usegmt=True))
        self.verifier.record(verdict)
        return response

    @staticmethod
    def error(request_id: str, reject: Reject) -> Response:
        return _json(reject.status, {"errorCode": reject.code, "errorMessage": reject.message},
                     {"x-log-requestid": request_id})

    # --- routing ------------------------------------------------------------------------------
    def dispatch(self, request: Request, project_name: Optional[str], body: bytes) -> tuple[str, Response]:
        method = request.method
        path = unquote(request.raw_path) or "/"
        query = {k: (v or "") for k, v in gateway_query(request.raw_query).items()}
        segments = [s for s in path.split("/") if s]
        if segments == []:
            if method == "POST":
                return "CreateProject", self.create_project(project_name, body)
            if project_name is None and method == "GET":
                return "ListProject", self.list_projects(query)
            project = self.project(project_name)
            if method == "GET":
                return "GetProject", _json(200, self.project_view(project))
            if method == "DELETE":
                with self.lock:
                    self.projects.pop(project.name, None)
                return "DeleteProject", Response(200)
        project = self.project(project_name)
        if segments[0] == "logstores":
            if len(segments) == 1 and method == "POST":
                return "CreateLogStore", self.create_logstore(project, body)
            if len(segments) == 1 and method == "GET":
                with self.lock:
                    names = sorted(project.logstores)
                return "ListLogStores", _json(200, {"count": len(names), "total": len(names), "logstores": names})
            store = self.logstore(project, segments[1])
            if len(segments) == 2 and method == "GET" and query.get("type") == "log":
                return "GetLogs", self.get_logs(store, query)
            if len(segments) == 2 and method == "GET":
                return "GetLogStore", _json(200, {**store.config, "logstoreName": store.name,
                                                  "createTime": store.created, "lastModifyTime": store.created})
            if len(segments) == 2 and method == "DELETE":
                with self.lock:
                    project.logstores.pop(store.name, None)
                return "DeleteLogStore", Response(200)
            if segments[2:] == ["shards", "lb"] and method == "POST":
                return "PutLogs", self.put_logs(request, store, body)
            if segments[2:] == ["logs"] and method == "POST":
                return "GetLogsV2", self.get_logs_v2(request, store, body)
        raise Reject(404, "NotImplemented", "The stand-in does not implement this operation.")

    # --- projects and logstores -----------------------------------------------------------------
    def project(self, name: Optional[str]) -> Project:
        if name is None:
            raise Reject(400, "ProjectNotExist", "The host names no project.")
        with self.lock:
            project = self.projects.get(name)
        if project is None:
            raise Reject(404, "ProjectNotExist", f"Project {name} does not exist.")
        return project

    def project_view(self, project: Project) -> dict:
        return {"projectName": project.name, "description": project.description, "region": project.region,
                "createTime": str(project.created), "lastModifyTime": str(project.created), "owner": "1",
                "status": "Normal"}

    def list_projects(self, query) -> Response:
        with self.lock:
            projects = [self.project_view(p) for _, p in sorted(self.projects.items())]
        name = query.get("projectName", "")
        projects = [p for p in projects if name in p["projectName"]]
        return _json(200, {"count": len(projects), "total": len(projects), "projects": projects})

    @staticmethod
    def _json_body(body: bytes) -> dict:
        try:
            value = json.loads(body or b"{}")
        except ValueError as error:
            raise Reject(400, "ParameterInvalid", f"Body is not JSON: {error}.")
        if not isinstance(value, dict):
            raise Reject(400, "ParameterInvalid", "Body must be a JSON object.")
        return value

    def create_project(self, host_project: Optional[str], body: bytes) -> Response:
        spec = self._json_body(body)
        name = spec.get("projectName") or host_project
        if not isinstance(name, str) or not PROJECT_NAME.fullmatch(name):
            raise Reject(400, "ParameterInvalid", "projectName is invalid.")
        with self.lock:
            if name in self.projects:
                raise Reject(400, "ProjectAlreadyExist", f"Project {name} already exist.")
            self.projects[name] = Project(name, str(spec.get("description", "")),
                                          int(_dt.datetime.now().timestamp()), self.region)
        return Response(200)

    def logstore(self, project: Project, name: str) -> Logstore:
        with self.lock:
            store = project.logstores.get(name)
        if store is None:
            raise Reject(404, "LogStoreNotExist", f"logstore {name} does not exist.")
        return store

    def create_logstore(self, project: Project, body: bytes) -> Response:
        spec = self._json_body(body)
        name = spec.get("logstoreName")
        if not isinstance(name, str) or not LOGSTORE_NAME.fullmatch(name):
            raise Reject(400, "ParameterInvalid", "logstoreName is invalid.")
        with self.lock:
            if name in project.logstores:
                raise Reject(400, "LogStoreAlreadyExist", f"logstore {name} already exists.")
            project.logstores[name] = Logstore(name, {"ttl": spec.get("ttl", 30), "shardCount": spec.get("shardCount", 2)},
                                               int(_dt.datetime.now().timestamp()))
        return Response(200)

    # --- logs ---------------------------------------------------------------------------------
    def put_logs(self, request: Request, store: Logstore, body: bytes) -> Response:
        content_type = (request.header("content-type") or "").split(";")[0].strip()
        if content_type != "application/x-protobuf":
            raise Reject(400, "InvalidContentType", "PutLogs takes application/x-protobuf.")
        raw = decompress(body, request.header("x-log-compresstype"), request.header("x-log-bodyrawsize"))
        group = decode_log_group(raw)
        items = group.get("LogItems") or []
        if not items:
            raise Reject(400, "PostBodyInvalid", "Loggroup contains zero logs.")
        logs = []
        for item in items:
            log = {"__time__": item.get("Time", 0), "__topic__": group.get("Topic", ""),
                   "__source__": group.get("Source", "")}
            for tag in group.get("LogTags") or []:
                log[f"__tag__:{tag['Key']}"] = tag["Value"]
            for content in item.get("Contents") or []:
                log[content["Key"]] = content["Value"]
            logs.append(log)
        with self.lock:
            store.logs.extend(logs)
        return Response(200)

    def _select(self, store: Logstore, spec: dict) -> list:
        try:
            start, end = int(spec.get("from", 0)), int(spec.get("to", 2 ** 31))
            line = int(spec.get("line", 100))
            offset = int(spec.get("offset", 0))
        except (TypeError, ValueError):
            raise Reject(400, "ParameterInvalid", "from, to, line and offset must be numbers.")
        topic = spec.get("topic")
        with self.lock:
            logs = [dict(log) for log in store.logs]
        picked = [log for log in logs if start <= log["__time__"] < end and _matches(log, spec.get("query", "") or "")
                  and (not topic or log["__topic__"] == topic)]
        if str(spec.get("reverse", "false")).lower() == "true":
            picked.reverse()
        picked = picked[offset:offset + line]
        for log in picked:
            log["__time__"] = str(log["__time__"])
        return picked

    def get_logs(self, store: Logstore, query: dict) -> Response:
        picked = self._select(store, query)
        return _json(200, picked, {"x-log-progress": "Complete", "x-log-count": str(len(picked)),
                                   "x-log-processed-rows": str(len(picked))})

    def get_logs_v2(self, request: Request, store: Logstore, body: bytes) -> Response:
        picked = self._select(store, self._json_body(body))
        data = json.dumps({"meta": {"progress": "Complete", "count": len(picked), "processedRows": len(picked),
                                    "elapsedMillisecond": 0, "hasSQL": False, "keys": [], "terms": []},
                           "data": picked}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "x-log-progress": "Complete", "x-log-count": str(len(picked))}
        compressors = {"lz4": lambda d: lz4.block.compress(d, store_size=False), "zstd": zstd.compress,
                       "deflate": zlib.compress, "gzip": zlib.compress}
        for name in (e.strip() for e in (request.header("accept-encoding") or "").split(",")):
            if name in compressors:  # the client's first choice the stand-in knows
                headers.update({"x-log-compresstype": name, "x-log-bodyrawsize": str(len(data))})
                return Response(200, headers, compressors[name](data))
        return Response(200, headers, data)
