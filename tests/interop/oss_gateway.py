"""The OSS stand-in: every request's signature recomputed with Alibaba's own code, then served
by a minimal in-memory OSS.

Signatures (see README.md for the exact functions):
  * `Authorization: OSS4-HMAC-SHA256 Credential=...` (V4 header): the product gateway's
    `alibabacloud_gateway_oss.client.Client.get_signature_v4` and alibabacloud-oss-v2's
    `SignerV4` (`_calc_canonical_request`, `_calc_string_to_sign`, `_calc_signature`). Both must
    agree with the request; the gateway only where it can express the request (no
    AdditionalHeaders, `x-oss-content-sha256: UNSIGNED-PAYLOAD`).
  * `Authorization: OSS AK:SIG` (V1 header): the gateway's `get_signature_v1` and oss-v2's
    `SignerV1._calc_string_to_sign` / `_calc_signature`.
  * `?x-oss-signature-version=OSS4-HMAC-SHA256&...` (V4 presigned URL) and
    `?OSSAccessKeyId=...&Expires=...&Signature=...` (V1 presigned URL): oss-v2's signers (the
    gateway has no query signing); expiry checked against the server's clock.
"""
from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import itertools
import os
import re
import tempfile
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from email.utils import format_datetime
from typing import Iterator, Optional
from urllib.parse import quote, unquote, unquote_plus, urlencode
from xml.sax.saxutils import escape

from alibabacloud_gateway_oss.client import Client as OssGateway
from alibabacloud_oss_v2.crc import Crc64
from alibabacloud_oss_v2.signer.v1 import SignerV1
from alibabacloud_oss_v2.signer.v4 import SignerV4
from alibabacloud_oss_v2.types import HttpRequest, SigningContext

from common import Reject, Verifier, diff, new_request_id, parse_compact_time, parse_http_date
from httpstream import BodyTooLarge, Request, Response

GATEWAY = OssGateway()
V4_ALGORITHM = "OSS4-HMAC-SHA256"
MAX_PRESIGN_SECONDS = 7 * 24 * 3600
SMALL_BODY_LIMIT = 4 << 20  # XML request bodies
SPILL_THRESHOLD = 8 << 20  # object data above this goes to a file
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
# Hosts that are an OSS endpoint themselves (no bucket in them): a bucket is one more label in front.
DEFAULT_ENDPOINTS = (
    r"oss-[a-z0-9-]+\.aliyuncs\.com",  # oss-cn-hangzhou, -internal, oss-accelerate, ...
    r"[a-z0-9-]+\.oss\.aliyuncs\.com",  # IPv6 dual-stack endpoints
    r"localhost",
    r"oss\.test",
)


# ---------------------------------------------------------------------------------------------
# Addressing


@dataclass
class Target:
    bucket: Optional[str]
    key: Optional[str]  # decoded object key, None for service or bucket requests
    style: str  # "virtual-host" or "path-style"
    host: str


def resolve_target(request: Request, endpoints: list[re.Pattern]) -> Target:
    host = (request.header("host") or "").strip().lower()
    hostname = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
    path = unquote(request.raw_path) or "/"
    is_ip = re.fullmatch(r"[0-9.]+|\[[0-9a-f:.]+\]", hostname) is not None
    if not is_ip and not any(p.fullmatch(hostname) for p in endpoints):
        first, _, rest = hostname.partition(".")
        if rest and any(p.fullmatch(rest) for p in endpoints):
            key = path[1:] if len(path) > 1 else None
            return Target(first, key, "virtual-host", host)
    # path-style: /bucket/key
    parts = path[1:].split("/", 1)
    bucket = parts[0] or None
    key = parts[1] if len(parts) == 2 and parts[1] != "" else None
    return Target(bucket, key, "path-style", host)


def decoded_query(raw_query: str) -> list[tuple[str, str]]:
    """Query pairs as the official SDKs mean them: `+` is a space (the Python SDK's `urlencode`
    sends spaces that way) and `%XX` is a byte; a key without `=` has an empty value."""
    pairs = []
    if not raw_query:
        return pairs
    for piece in raw_query.split("&"):
        if piece == "":
            continue
        key, _, value = piece.partition("=")
        pairs.append((unquote_plus(key), unquote_plus(value)))
    return pairs


def query_dict(pairs: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in pairs:
        if key in out:
            raise Reject(400, "InvalidArgument", f"Query parameter {key!r} appears more than once.")
        out[key] = value
    return out


def oss_v2_url(host: str, query: dict[str, str]) -> str:
    """The URL alibabacloud-oss-v2 would have built for this query (`urlencode(..., quote_via=quote)`):
    its signers read the query from the URL."""
    encoded = urlencode(list(query.items()), quote_via=quote)
    return f"http://{host or 'localhost'}/" + (f"?{encoded}" if encoded else "")


def _v2_context(method: str, target: Target, query: dict, headers: dict, region: str = "") -> SigningContext:
    http_request = HttpRequest(method, oss_v2_url(target.host, query), headers=dict(headers))
    return SigningContext(product="oss", region=region, bucket=target.bucket, key=target.key,
                          request=http_request)


def _gateway_pathname(target: Target) -> str:
    # The generated SDK's pathname: "/" for service and bucket operations, "/{key}" for objects.
    return "/" + (target.key or "")


# ---------------------------------------------------------------------------------------------
# Signature checks


def _parse_v4_authorization(value: str) -> dict:
    rest = value[len(V4_ALGORITHM):].strip()
    fields = {}
    for item in rest.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, val = item.partition("=")
        if not sep:
            raise Reject(400, "InvalidArgument", f"Malformed Authorization field {item!r}.")
        fields[name.strip()] = val.strip()
    if "Credential" not in fields or "Signature" not in fields:
        raise Reject(400, "InvalidArgument", "Authorization needs Credential and Signature.", received=value)
    return fields


def _parse_credential(credential: str) -> tuple[str, str, str]:
    parts = credential.split("/")
    if len(parts) != 5 or parts[3] != "oss" or parts[4] != "aliyun_v4_request":
        raise Reject(400, "InvalidArgument",
                     "Credential must be <AccessKeyId>/<yyyymmdd>/<region>/oss/aliyun_v4_request.",
                     credential=credential)
    return parts[0], parts[1], parts[2]


class OssVerifier(Verifier):
    def secret_for(self, access_key_id: str) -> str:
        if access_key_id not in self.credentials:
            raise Reject(403, "InvalidAccessKeyId",
                         "The OSS Access Key Id you provided does not exist in our records.",
                         access_key_id=access_key_id)
        return self.credentials[access_key_id]

    def verify(self, request: Request, target: Target) -> dict:
        headers = request.lower_headers()
        pairs = decoded_query(request.raw_query)
        names = {k for k, _ in pairs}
        auth = headers.get("authorization", "")
        if auth.startswith(V4_ALGORITHM):
            return self.verify_v4_header(request, target, headers, query_dict(pairs), auth)
        if auth.startswith("OSS "):
            return self.verify_v1_header(request, target, headers, query_dict(pairs), auth)
        if "x-oss-signature" in names or "x-oss-signature-version" in names:
            return self.verify_v4_query(request, target, headers, query_dict(pairs))
        if "Signature" in names or "OSSAccessKeyId" in names:
            return self.verify_v1_query(request, target, headers, query_dict(pairs))
        if auth:
            raise Reject(400, "InvalidArgument", f"Unsupported Authorization scheme {auth.split(' ')[0]!r}.")
        raise Reject(403, "AccessDenied", "You have no right to access this object because of bucket acl.")

    # --- V4, Authorization header ------------------------------------------------------------
    def verify_v4_header(self, request, target, headers, query, auth) -> dict:
        fields = _parse_v4_authorization(auth)
        ak, scope_date, region = _parse_credential(fields["Credential"])
        received = fields["Signature"]
        additional = [h for h in fields.get("AdditionalHeaders", "").split(";") if h]
        for name in ("x-oss-date", "x-oss-content-sha256"):
            if name not in headers:
                raise Reject(400, "InvalidArgument", f"Missing required header {name}.")
        date = headers["x-oss-date"]
        try:
            when = parse_compact_time(date)
        except ValueError:
            raise Reject(400, "InvalidArgument", f"x-oss-date {date!r} is not yyyymmddThhmmssZ.")
        if date[:8] != scope_date:
            raise Reject(403, "SignatureDoesNotMatch", "The date in Credential differs from x-oss-date.")
        if additional != sorted(set(additional)) or any(h != h.lower() for h in additional):
            raise Reject(400, "InvalidArgument", "AdditionalHeaders must be lower case, sorted and unique.")
        absent = [h for h in additional if not headers.get(h)]
        if absent:
            raise Reject(400, "InvalidArgument", "AdditionalHeaders names header(s) not sent: " + ", ".join(absent))
        secret = self.secret_for(ak)
        self.check_skew(when, "RequestTimeTooSkewed")

        signer = SignerV4()
        ctx = _v2_context(request.method, target, query, headers, region)
        # oss-v2 drops AdditionalHeaders entries it signs anyway (x-oss-*, content-type, content-md5)
        v2_additional = signer._common_additional_headers(ctx.request, set(additional))
        canonical_request = signer._calc_canonical_request(ctx, v2_additional)
        scope = f"{scope_date}/{region}/oss/aliyun_v4_request"
        string_to_sign = signer._calc_string_to_sign(date, scope, canonical_request)
        v2_signature = signer._calc_signature(secret, scope_date, region, "oss", string_to_sign)
        checked = {"alibabacloud-oss-v2 SignerV4": v2_signature}
        gateway_applies = not additional and headers["x-oss-content-sha256"] == "UNSIGNED-PAYLOAD"
        if gateway_applies:
            gw_headers = dict(headers)
            checked["alibabacloud-gateway-oss get_signature_v4"] = GATEWAY.get_signature_v4(
                target.bucket or "", _gateway_pathname(target), request.method, dict(query), gw_headers,
                scope_date, region, secret)
        detail = {"style": "v4", "algorithm": V4_ALGORITHM, "access_key_id": ak, "region": region,
                  "additional_headers": additional, "canonical_request": canonical_request,
                  "string_to_sign": string_to_sign, "received_signature": received,
                  "checked_by": sorted(checked), "implementations_agree": len(set(checked.values())) == 1,
                  "security_token": "x-oss-security-token" in headers,
                  "payload": headers["x-oss-content-sha256"]}
        self._compare(checked, received, detail, string_to_sign, canonical_request)
        return detail

    def _compare(self, checked: dict, received: str, detail: dict, string_to_sign: str,
                 canonical_request: Optional[str]):
        wrong = {name: sig for name, sig in checked.items() if sig != received}
        if wrong:
            name, expected = next(iter(wrong.items()))
            raise Reject(403, "SignatureDoesNotMatch",
                         "The request signature we calculated does not match the signature you provided. "
                         "Check your key and signing method.",
                         expected_signature=expected, mismatched_by=sorted(wrong),
                         signature_diff=diff(expected, received), string_to_sign_ours=string_to_sign,
                         canonical_request_ours=canonical_request, **detail)

    # --- V1, Authorization header ------------------------------------------------------------
    def verify_v1_header(self, request, target, headers, query, auth) -> dict:
        try:
            ak, received = auth[4:].strip().rsplit(":", 1)
        except ValueError:
            raise Reject(400, "InvalidArgument", "Authorization must be 'OSS <AccessKeyId>:<Signature>'.")
        if "date" not in headers:
            raise Reject(403, "AccessDenied", "V1 signatures need a Date header.")
        try:
            when = parse_http_date(headers["date"])
        except (TypeError, ValueError):
            raise Reject(403, "AccessDenied", f"Date {headers['date']!r} is not an HTTP date.")
        secret = self.secret_for(ak)
        self.check_skew(when, "RequestTimeTooSkewed")
        gateway_sig = GATEWAY.get_signature_v1(target.bucket or "", _gateway_pathname(target),
                                               request.method, dict(query), dict(headers), secret)
        signer = SignerV1()
        ctx = _v2_context(request.method, target, query, headers)
        ctx.sub_resource = [k for k in query if k in GATEWAY._default_signed_params or k.startswith("x-oss-")]
        string_to_sign = signer._calc_string_to_sign(ctx)
        v2_sig = signer._calc_signature(secret, string_to_sign)
        checked = {"alibabacloud-gateway-oss get_signature_v1": gateway_sig,
                   "alibabacloud-oss-v2 SignerV1": v2_sig}
        detail = {"style": "v1", "algorithm": "OSS HMAC-SHA1", "access_key_id": ak,
                  "string_to_sign": string_to_sign, "received_signature": received,
                  "checked_by": sorted(checked), "implementations_agree": gateway_sig == v2_sig,
                  "security_token": "x-oss-security-token" in headers}
        self._compare(checked, received, detail, string_to_sign, None)
        return detail

    # --- V4, presigned URL ---------------------------------------------------------------------
    def verify_v4_query(self, request, target, headers, query) -> dict:
        for name in ("x-oss-signature-version", "x-oss-credential", "x-oss-date", "x-oss-expires", "x-oss-signature"):
            if name not in query:
                raise Reject(403, "AccessDenied", f"Presigned URL lacks {name}.")
        if query["x-oss-signature-version"] != V4_ALGORITHM:
            raise Reject(400, "InvalidArgument", f"x-oss-signature-version must be {V4_ALGORITHM}.")
        ak, scope_date, region = _parse_credential(query["x-oss-credential"])
        date = query["x-oss-date"]
        try:
            signed_at = parse_compact_time(date)
            expires = int(query["x-oss-expires"])
        except ValueError:
            raise Reject(400, "InvalidArgument", "x-oss-date or x-oss-expires is malformed.")
        if date[:8] != scope_date:
            raise Reject(403, "SignatureDoesNotMatch", "The date in x-oss-credential differs from x-oss-date.")
        if not 1 <= expires <= MAX_PRESIGN_SECONDS:
            raise Reject(400, "InvalidArgument", f"x-oss-expires must be 1..{MAX_PRESIGN_SECONDS} seconds.")
        now = self.clock.now()
        if now > signed_at + _dt.timedelta(seconds=expires):
            raise Reject(403, "AccessDenied", "Request has expired.", expired_at=str(signed_at + _dt.timedelta(seconds=expires)),
                         now=str(now))
        if now < signed_at - _dt.timedelta(minutes=15):
            raise Reject(403, "AccessDenied", "Request is signed in the future.")
        additional = [h for h in query.get("x-oss-additional-headers", "").split(";") if h]
        absent = [h for h in additional if not headers.get(h)]
        if absent:
            raise Reject(400, "InvalidArgument", "x-oss-additional-headers names header(s) not sent: " + ", ".join(absent))
        secret = self.secret_for(ak)
        received = query.pop("x-oss-signature")
        signer = SignerV4()
        ctx = _v2_context(request.method, target, query, headers, region)
        ctx.auth_method_query = True
        canonical_request = signer._calc_canonical_request(ctx, additional)
        scope = f"{scope_date}/{region}/oss/aliyun_v4_request"
        string_to_sign = signer._calc_string_to_sign(date, scope, canonical_request)
        v2_sig = signer._calc_signature(secret, scope_date, region, "oss", string_to_sign)
        detail = {"style": "v4-presigned", "algorithm": V4_ALGORITHM, "access_key_id": ak, "region": region,
                  "expires_seconds": expires, "canonical_request": canonical_request,
                  "string_to_sign": string_to_sign, "received_signature": received,
                  "checked_by": ["alibabacloud-oss-v2 SignerV4 (query)"], "implementations_agree": True,
                  "security_token": "x-oss-security-token" in query}
        self._compare({"alibabacloud-oss-v2 SignerV4 (query)": v2_sig}, received, detail, string_to_sign,
                      canonical_request)
        return detail

    # --- V1, presigned URL ---------------------------------------------------------------------
    def verify_v1_query(self, request, target, headers, query) -> dict:
        for name in ("OSSAccessKeyId", "Expires", "Signature"):
            if name not in query:
                raise Reject(403, "AccessDenied", f"Presigned URL lacks {name}.")
        try:
            expires_at = _dt.datetime.fromtimestamp(int(query["Expires"]), _dt.timezone.utc)
        except (ValueError, OverflowError):
            raise Reject(400, "InvalidArgument", "Expires is not a Unix time.")
        if self.clock.now() > expires_at:
            raise Reject(403, "AccessDenied", "Request has expired.", expired_at=str(expires_at))
        ak = query.pop("OSSAccessKeyId")
        received = query.pop("Signature")
        secret = self.secret_for(ak)
        signer = SignerV1()
        ctx = _v2_context(request.method, target, query, headers)
        ctx.sub_resource = [k for k in query if k in GATEWAY._default_signed_params or k.startswith("x-oss-")]
        string_to_sign = signer._calc_string_to_sign(ctx, date=query["Expires"])
        v2_sig = signer._calc_signature(secret, string_to_sign)
        detail = {"style": "v1-presigned", "algorithm": "OSS HMAC-SHA1", "access_key_id": ak,
                  "string_to_sign": string_to_sign, "received_signature": received,
                  "checked_by": ["alibabacloud-oss-v2 SignerV1 (query)"], "implementations_agree": True,
                  "security_token": "security-token" in query}
        self._compare({"alibabacloud-oss-v2 SignerV1 (query)": v2_sig}, received, detail, string_to_sign, None)
        return detail


# ---------------------------------------------------------------------------------------------
# Object data: in memory while small, in a file once large


class Segment:
    """Immutable bytes of an object, a part or an append; shared by copies."""

    def __init__(self, data: Optional[bytes] = None, path: Optional[str] = None, size: int = 0):
        self.data, self.path, self.size = data, path, size

    def read(self, start: int, end: int) -> Iterator[bytes]:
        """Bytes [start, end) in chunks of at most 1 MiB."""
        if self.data is not None:
            for offset in range(start, end, 1 << 20):
                yield self.data[offset:min(end, offset + (1 << 20))]
            return
        with open(self.path, "rb") as f:
            f.seek(start)
            remaining = end - start
            while remaining > 0:
                chunk = f.read(min(1 << 20, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
                yield chunk


@dataclass
class Ingested:
    segment: Segment
    md5: bytes
    crc64: int
    sha256: Optional[str]


def ingest(request: Request, data_dir: str, want_sha256: bool) -> Ingested:
    md5, crc, sha = hashlib.md5(), Crc64(0), hashlib.sha256() if want_sha256 else None
    buffer: list[bytes] = []
    size, spill = 0, None
    try:
        for chunk in request.body_chunks():
            md5.update(chunk)
            crc.update(chunk)
            if sha:
                sha.update(chunk)
            size += len(chunk)
            if spill is None:
                buffer.append(chunk)
                if size > SPILL_THRESHOLD:
                    spill = tempfile.NamedTemporaryFile(dir=data_dir, prefix="obj-", delete=False)
                    for piece in buffer:
                        spill.write(piece)
                    buffer = []
            else:
                spill.write(chunk)
    except BaseException:
        if spill is not None:
            spill.close()
            os.unlink(spill.name)
        raise
    if spill is not None:
        spill.close()
        segment = Segment(path=spill.name, size=size)
    else:
        segment = Segment(data=b"".join(buffer), size=size)
    return Ingested(segment, md5.digest(), crc.sum64(), sha.hexdigest() if sha else None)


@dataclass
class Obj:
    segments: list[Segment]
    size: int
    etag: str  # without quotes
    crc64: int
    content_md5: Optional[str]
    object_type: str  # Normal, Multipart, Appendable
    headers: dict  # content-type, cache-control, ..., x-oss-meta-*
    last_modified: _dt.datetime


@dataclass
class Upload:
    upload_id: str
    key: str
    initiated: _dt.datetime
    headers: dict
    parts: dict = field(default_factory=dict)  # number -> (Segment, etag, crc64, last_modified)


@dataclass
class Bucket:
    name: str
    created: _dt.datetime
    region: str
    storage_class: str = "Standard"
    acl: str = "private"
    objects: dict = field(default_factory=dict)
    uploads: dict = field(default_factory=dict)


STORED_HEADERS = ("content-type", "cache-control", "content-disposition", "content-encoding", "expires",
                  "content-language")


def _iso(when: _dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _xml(root: str, body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>{body}</{root}>'.encode()


def _el(name: str, value) -> str:
    return f"<{name}>{escape(str(value))}</{name}>"


def _parse_xml(data: bytes) -> ET.Element:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise Reject(400, "MalformedXML", "DTDs are not accepted.")
    try:
        return ET.fromstring(data)
    except ET.ParseError as error:
        raise Reject(400, "MalformedXML", f"The XML you provided was not well-formed: {error}.")


class OssApp:
    """The OSS stand-in: signature check, then the operation."""

    def __init__(self, verifier: OssVerifier, data_dir: str, endpoints: list[str], region: str = "cn-hangzhou"):
        self.verifier = verifier
        self.data_dir = data_dir
        self.endpoints = [re.compile(p) for p in endpoints]
        self.region = region
        self.buckets: dict[str, Bucket] = {}
        self.lock = threading.Lock()
        self.upload_ids = itertools.count(1)

    # --- entry point --------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        control = self.verifier.control(request)
        if control is not None:
            return control
        request_id = new_request_id()
        target = resolve_target(request, self.endpoints)
        verdict = {"service": "oss", "request_id": request_id, "method": request.method,
                   "target": request.target, "host": target.host, "addressing": target.style,
                   "bucket": target.bucket, "key": target.key,
                   "headers": [[k, v if k.lower() not in ("authorization", "x-oss-security-token") else "***"]
                               for k, v in request.headers]}
        try:
            verdict["check"] = "signature"
            detail = self.verifier.verify(request, target)
            verdict["detail"] = detail
            verdict["check"] = "operation"
            operation, response = self.dispatch(request, target, decoded_query(request.raw_query))
            verdict.update(result="OK", status=response.status, operation=operation)
        except BodyTooLarge as error:
            response = self.error(request, target, request_id, Reject(400, "EntityTooLarge", str(error)))
            verdict.update(result="EntityTooLarge", status=400)
        except Reject as reject:
            response = self.error(request, target, request_id, reject)
            verdict.update(result=reject.code, status=reject.status, message=reject.message,
                           detail={**verdict.get("detail", {}), **{k: v for k, v in reject.debug.items()}})
        verdict["body_length"] = request.body_length
        response.headers.setdefault("x-oss-request-id", request_id)
        response.headers.setdefault("Server", "AliyunOSS")
        response.headers.setdefault("Date", format_datetime(_dt.datetime.now(_dt.timezone.utc), usegmt=True))
        self.verifier.record(verdict)
        return response

    def error(self, request: Request, target: Target, request_id: str, reject: Reject) -> Response:
        ec = {"SignatureDoesNotMatch": "0002-00000040", "InvalidAccessKeyId": "0002-00000002",
              "AccessDenied": "0003-00000001", "NoSuchBucket": "0015-00000101", "NoSuchKey": "0026-00000001"}.get(
            reject.code, "0000-00000000")
        body = _el("Code", reject.code) + _el("Message", reject.message) + _el("RequestId", request_id) + \
            _el("HostId", target.host) + _el("EC", ec)
        if reject.code == "SignatureDoesNotMatch" and "string_to_sign" in reject.debug:
            body += _el("StringToSign", reject.debug["string_to_sign"])
            if reject.debug.get("canonical_request"):
                body += _el("CanonicalRequest", reject.debug["canonical_request"])
        headers = {"Content-Type": "application/xml", "x-oss-ec": ec}
        if "next_append_position" in reject.debug:
            headers["x-oss-next-append-position"] = str(reject.debug["next_append_position"])
        if request.method == "HEAD":
            return Response(reject.status, headers, b"")
        return Response(reject.status, headers, _xml("Error", body))

    # --- routing ------------------------------------------------------------------------------
    def dispatch(self, request: Request, target: Target, pairs) -> tuple[str, Response]:
        query = dict(pairs)
        method = request.method
        if target.bucket is None:
            if method == "GET":
                return "ListBuckets", self.list_buckets(query)
            raise Reject(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
        if target.key is None:
            return self.bucket_operation(request, target, query)
        return self.object_operation(request, target, query)

    def bucket_operation(self, request, target, query) -> tuple[str, Response]:
        method, name = request.method, target.bucket
        if method == "PUT" and not query:
            return "PutBucket", self.put_bucket(request, name)
        if method == "PUT" and "acl" in query:
            bucket = self.bucket(name)
            bucket.acl = request.header("x-oss-acl", bucket.acl)
            return "PutBucketAcl", Response(200)
        bucket = self.bucket(name)
        if method == "DELETE" and not query:
            with self.lock:
                if bucket.objects or bucket.uploads:
                    raise Reject(409, "BucketNotEmpty", "The bucket you tried to delete is not empty.")
                del self.buckets[name]
            return "DeleteBucket", Response(204)
        if method == "GET" and "acl" in query:
            return "GetBucketAcl", Response(200, {"Content-Type": "application/xml"}, _xml(
                "AccessControlPolicy", "<Owner><ID>1</ID><DisplayName>1</DisplayName></Owner>"
                f"<AccessControlList>{_el('Grant', bucket.acl)}</AccessControlList>"))
        if method == "GET" and "location" in query:
            return "GetBucketLocation", Response(200, {"Content-Type": "application/xml"},
                                                 _xml("LocationConstraint", escape(f"oss-{bucket.region}")))
        if method == "GET" and "bucketInfo" in query:
            return "GetBucketInfo", Response(200, {"Content-Type": "application/xml"}, _xml(
                "BucketInfo", "<Bucket>" + _el("Name", bucket.name) + _el("CreationDate", _iso(bucket.created)) +
                _el("Location", f"oss-{bucket.region}") + _el("Region", bucket.region) +
                _el("StorageClass", bucket.storage_class) + _el("ExtranetEndpoint", f"oss-{bucket.region}.aliyuncs.com") +
                _el("IntranetEndpoint", f"oss-{bucket.region}-internal.aliyuncs.com") +
                f"<AccessControlList>{_el('Grant', bucket.acl)}</AccessControlList></Bucket>"))
        if method == "GET" and "uploads" in query:
            return "ListMultipartUploads", self.list_uploads(bucket, query)
        if method == "GET" and query.get("list-type") == "2":
            return "ListObjectsV2", self.list_objects(bucket, query, v2=True)
        if method == "GET":
            return "ListObjects", self.list_objects(bucket, query, v2=False)
        if method == "POST" and "delete" in query:
            return "DeleteMultipleObjects", self.delete_multiple(request, bucket)
        raise Reject(501, "NotImplemented", "The stand-in does not implement this bucket operation.")

    def object_operation(self, request, target, query) -> tuple[str, Response]:
        method = request.method
        bucket = self.bucket(target.bucket)
        key = target.key
        if len(key.encode()) > 1023:
            raise Reject(400, "InvalidObjectName", "The object key is longer than 1023 bytes.")
        if method == "PUT" and "partNumber" in query and "uploadId" in query:
            return "UploadPart", self.upload_part(request, bucket, key, query)
        if method == "PUT" and "acl" in query:
            self.object(bucket, key)
            return "PutObjectAcl", Response(200)
        if method == "PUT" and not query and request.header("x-oss-copy-source"):
            return "CopyObject", self.copy_object(request, bucket, key)
        if method == "PUT" and not query:
            return "PutObject", self.put_object(request, bucket, key)
        if method == "POST" and "uploads" in query:
            return "InitiateMultipartUpload", self.initiate(request, bucket, key)
        if method == "POST" and "uploadId" in query:
            return "CompleteMultipartUpload", self.complete(request, bucket, key, query["uploadId"])
        if method == "POST" and "append" in query:
            return "AppendObject", self.append(request, bucket, key, query)
        if method == "DELETE" and "uploadId" in query:
            with self.lock:
                if bucket.uploads.pop(query["uploadId"], None) is None:
                    raise Reject(404, "NoSuchUpload", "The specified upload does not exist.")
            return "AbortMultipartUpload", Response(204)
        if method == "DELETE" and not query:
            with self.lock:
                bucket.objects.pop(key, None)
            return "DeleteObject", Response(204)
        if method == "GET" and "uploadId" in query:
            return "ListParts", self.list_parts(bucket, key, query)
        if method == "GET" and "acl" in query:
            self.object(bucket, key)
            return "GetObjectAcl", Response(200, {"Content-Type": "application/xml"}, _xml(
                "AccessControlPolicy", "<AccessControlList><Grant>default</Grant></AccessControlList>"))
        if method in ("GET", "HEAD") and "objectMeta" in query:
            obj = self.object(bucket, key)
            return "GetObjectMeta", Response(200, {"ETag": f'"{obj.etag}"', "Content-Length": str(obj.size),
                                                   "Last-Modified": format_datetime(obj.last_modified, usegmt=True)})
        if method in ("GET", "HEAD"):
            return ("GetObject" if method == "GET" else "HeadObject"), self.get_object(request, bucket, key, query)
        raise Reject(501, "NotImplemented", "The stand-in does not implement this object operation.")

    # --- buckets ------------------------------------------------------------------------------
    def bucket(self, name: str) -> Bucket:
        with self.lock:
            bucket = self.buckets.get(name)
        if bucket is None:
            raise Reject(404, "NoSuchBucket", "The specified bucket does not exist.")
        return bucket

    def put_bucket(self, request, name) -> Response:
        if not BUCKET_NAME.fullmatch(name):
            raise Reject(400, "InvalidBucketName", "The specified bucket is not valid.")
        body = request.read_body(SMALL_BODY_LIMIT)
        storage_class = "Standard"
        if body.strip():
            root = _parse_xml(body)
            storage_class = root.findtext("StorageClass") or storage_class
        with self.lock:
            if name in self.buckets:
                raise Reject(409, "BucketAlreadyExists", "The requested bucket name is not available.")
            self.buckets[name] = Bucket(name, _dt.datetime.now(_dt.timezone.utc), self.region, storage_class,
                                        request.header("x-oss-acl") or "private")
        return Response(200, {"Location": f"/{name}"})

    def list_buckets(self, query) -> Response:
        with self.lock:
            buckets = sorted(self.buckets.values(), key=lambda b: b.name)
        prefix = query.get("prefix", "")
        items = "".join(
            "<Bucket>" + _el("Name", b.name) + _el("CreationDate", _iso(b.created)) +
            _el("Location", f"oss-{b.region}") + _el("Region", b.region) + _el("StorageClass", b.storage_class) +
            _el("ExtranetEndpoint", f"oss-{b.region}.aliyuncs.com") +
            _el("IntranetEndpoint", f"oss-{b.region}-internal.aliyuncs.com") + "</Bucket>"
            for b in buckets if b.name.startswith(prefix))
        return Response(200, {"Content-Type": "application/xml"}, _xml(
            "ListAllMyBucketsResult", "<Owner><ID>1</ID><DisplayName>1</DisplayName></Owner>" +
            f"<Buckets>{items}</Buckets>"))

    def list_objects(self, bucket: Bucket, query, v2: bool) -> Response:
        prefix = query.get("prefix", "")
        delimiter = query.get("delimiter", "")
        try:
            max_keys = int(query.get("max-keys", "100"))
        except ValueError:
            raise Reject(400, "InvalidArgument", "max-keys is not a number.")
        if not 0 <= max_keys <= 1000:
            raise Reject(400, "InvalidArgument", "max-keys must be 0..1000.")
        url = query.get("encoding-type") == "url"
        enc = (lambda s: quote(s, safe="")) if url else (lambda s: s)
        after = query.get("continuation-token") or query.get("start-after", "") if v2 else query.get("marker", "")
        with self.lock:
            keys = sorted(k for k in bucket.objects if k.startswith(prefix) and k > after)
            objects = dict(bucket.objects)
        contents, prefixes, count, truncated, last = [], [], 0, False, ""
        seen_prefixes = set()
        for key in keys:
            if delimiter:
                cut = key.find(delimiter, len(prefix))
                if cut >= 0:
                    common = key[:cut + len(delimiter)]
                    if common in seen_prefixes:
                        continue
                    if count == max_keys:
                        truncated = True
                        break
                    seen_prefixes.add(common)
                    prefixes.append(common)
                    count += 1
                    last = common
                    continue
            if count == max_keys:
                truncated = True
                break
            obj = objects[key]
            contents.append(
                "<Contents>" + _el("Key", enc(key)) + _el("LastModified", _iso(obj.last_modified)) +
                _el("ETag", f'"{obj.etag}"') + _el("Type", obj.object_type) + _el("Size", obj.size) +
                _el("StorageClass", "Standard") + "<Owner><ID>1</ID><DisplayName>1</DisplayName></Owner></Contents>")
            count += 1
            last = key
        body = _el("Name", bucket.name) + _el("Prefix", enc(prefix)) + _el("MaxKeys", max_keys) + \
            _el("Delimiter", enc(delimiter)) + _el("IsTruncated", "true" if truncated else "false")
        if url:
            body += _el("EncodingType", "url")
        if v2:
            body += _el("KeyCount", count)
            if query.get("start-after"):
                body += _el("StartAfter", enc(query["start-after"]))
            if query.get("continuation-token"):
                body += _el("ContinuationToken", query["continuation-token"])
            if truncated:
                body += _el("NextContinuationToken", last)
        else:
            body += _el("Marker", enc(query.get("marker", "")))
            if truncated:
                body += _el("NextMarker", enc(last))
        body += "".join(contents) + "".join(f"<CommonPrefixes>{_el('Prefix', enc(p))}</CommonPrefixes>" for p in prefixes)
        return Response(200, {"Content-Type": "application/xml"}, _xml("ListBucketResult", body))

    # --- objects ------------------------------------------------------------------------------
    def object(self, bucket: Bucket, key: str) -> Obj:
        with self.lock:
            obj = bucket.objects.get(key)
        if obj is None:
            raise Reject(404, "NoSuchKey", "The specified key does not exist.")
        return obj

    def _ingest_checked(self, request: Request) -> Ingested:
        payload = request.header("x-oss-content-sha256") or "UNSIGNED-PAYLOAD"
        got = ingest(request, self.data_dir, want_sha256=payload != "UNSIGNED-PAYLOAD")
        claimed_md5 = request.header("content-md5")
        if claimed_md5 is not None and claimed_md5 != base64.b64encode(got.md5).decode():
            raise Reject(400, "InvalidDigest", "The Content-MD5 you specified did not match what we received.",
                         claimed=claimed_md5, computed=base64.b64encode(got.md5).decode())
        if got.sha256 is not None and got.sha256 != payload:
            raise Reject(400, "ContentSHA256Mismatch",
                         "x-oss-content-sha256 does not match the SHA-256 of the body received.",
                         claimed=payload, computed=got.sha256)
        return got

    @staticmethod
    def _stored_headers(request: Request) -> dict:
        headers = {name: request.header(name) for name in STORED_HEADERS if request.header(name)}
        for name, value in request.lower_headers().items():
            if name.startswith("x-oss-meta-"):
                headers[name] = value
        headers.setdefault("content-type", "application/octet-stream")
        return headers

    @staticmethod
    def _write_headers(obj: Obj) -> dict:
        headers = {"ETag": f'"{obj.etag}"', "x-oss-hash-crc64ecma": str(obj.crc64)}
        if obj.content_md5:
            headers["Content-MD5"] = obj.content_md5
        return headers

    def put_object(self, request, bucket, key) -> Response:
        got = self._ingest_checked(request)
        md5_b64 = base64.b64encode(got.md5).decode()
        obj = Obj([got.segment], got.segment.size, got.md5.hex().upper(), got.crc64, md5_b64, "Normal",
                  self._stored_headers(request), _dt.datetime.now(_dt.timezone.utc))
        with self.lock:
            bucket.objects[key] = obj
        return Response(200, self._write_headers(obj))

    def copy_object(self, request, bucket, key) -> Response:
        source = unquote(request.header("x-oss-copy-source"))
        src_bucket_name, _, src_key = source.lstrip("/").partition("/")
        src = self.object(self.bucket(src_bucket_name), src_key)
        request.drain()
        headers = dict(src.headers)
        if (request.header("x-oss-metadata-directive") or "COPY").upper() == "REPLACE":
            headers = self._stored_headers(request)
        obj = Obj(list(src.segments), src.size, src.etag, src.crc64, src.content_md5, src.object_type, headers,
                  _dt.datetime.now(_dt.timezone.utc))
        with self.lock:
            bucket.objects[key] = obj
        return Response(200, {"Content-Type": "application/xml", "x-oss-hash-crc64ecma": str(obj.crc64)}, _xml(
            "CopyObjectResult", _el("ETag", f'"{obj.etag}"') + _el("LastModified", _iso(obj.last_modified))))

    def append(self, request, bucket, key, query) -> Response:
        try:
            position = int(query.get("position", ""))
        except ValueError:
            raise Reject(400, "InvalidArgument", "position is required and must be a number.")
        with self.lock:
            current = bucket.objects.get(key)
        length = current.size if current else 0
        if current is not None and current.object_type != "Appendable":
            raise Reject(409, "ObjectNotAppendable", "The object is not appendable.")
        if position != length:
            raise Reject(409, "PositionNotEqualToLength", "Position is not equal to file length.",
                         next_append_position=length)
        got = self._ingest_checked(request)
        with self.lock:
            current = bucket.objects.get(key)
            if (current.size if current else 0) != length:
                raise Reject(409, "PositionNotEqualToLength", "Position is not equal to file length.",
                             next_append_position=current.size)
            if current is None:
                obj = Obj([got.segment], got.segment.size, "", got.crc64, None, "Appendable",
                          self._stored_headers(request), _dt.datetime.now(_dt.timezone.utc))
            else:
                crc = Crc64.combine(current.crc64, got.crc64, got.segment.size) if got.segment.size else current.crc64
                obj = Obj(current.segments + [got.segment], current.size + got.segment.size, "", crc, None,
                          "Appendable", current.headers, _dt.datetime.now(_dt.timezone.utc))
            obj.etag = hashlib.md5(f"{obj.size}:{obj.crc64}".encode()).hexdigest().upper()
            bucket.objects[key] = obj
        return Response(200, {"ETag": f'"{obj.etag}"', "x-oss-next-append-position": str(obj.size),
                              "x-oss-hash-crc64ecma": str(obj.crc64)})

    def get_object(self, request, bucket, key, query) -> Response:
        obj = self.object(bucket, key)
        headers = {"ETag": f'"{obj.etag}"', "Last-Modified": format_datetime(obj.last_modified, usegmt=True),
                   "x-oss-object-type": obj.object_type, "x-oss-storage-class": "Standard",
                   "x-oss-hash-crc64ecma": str(obj.crc64), "Accept-Ranges": "bytes"}
        if obj.object_type == "Appendable":
            headers["x-oss-next-append-position"] = str(obj.size)
        for name, value in obj.headers.items():
            headers[name] = value
        for name in ("content-type", "content-language", "expires", "cache-control", "content-disposition",
                     "content-encoding"):
            override = query.get(f"response-{name}")
            if override:
                headers[name] = override
        start, end, status = 0, obj.size, 200
        if obj.content_md5:
            headers["Content-MD5"] = obj.content_md5
        range_header = request.header("range")
        parsed = _parse_range(range_header, obj.size) if range_header else None
        if parsed == "unsatisfiable":
            raise Reject(416, "InvalidRange", "The requested range cannot be satisfied.")
        if parsed:
            start, end = parsed
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{obj.size}"
            headers.pop("Content-MD5", None)
        headers["Content-Length"] = str(end - start)
        return Response(status, headers, _read_segments(obj.segments, start, end), length=end - start)

    # --- multipart ----------------------------------------------------------------------------
    def initiate(self, request, bucket, key) -> Response:
        request.drain()
        upload_id = f"{next(self.upload_ids):08X}" + new_request_id()[:24]
        with self.lock:
            bucket.uploads[upload_id] = Upload(upload_id, key, _dt.datetime.now(_dt.timezone.utc),
                                               self._stored_headers(request))
        return Response(200, {"Content-Type": "application/xml"}, _xml(
            "InitiateMultipartUploadResult", _el("Bucket", bucket.name) + _el("Key", key) + _el("UploadId", upload_id)))

    def _upload(self, bucket, key, upload_id) -> Upload:
        with self.lock:
            upload = bucket.uploads.get(upload_id)
        if upload is None or upload.key != key:
            raise Reject(404, "NoSuchUpload", "The specified upload does not exist.")
        return upload

    def upload_part(self, request, bucket, key, query) -> Response:
        upload = self._upload(bucket, key, query["uploadId"])
        try:
            number = int(query["partNumber"])
        except ValueError:
            raise Reject(400, "InvalidArgument", "partNumber must be a number.")
        if not 1 <= number <= 10000:
            raise Reject(400, "InvalidArgument", "partNumber must be 1..10000.")
        got = self._ingest_checked(request)
        etag = got.md5.hex().upper()
        with self.lock:
            upload.parts[number] = (got.segment, etag, got.crc64, _dt.datetime.now(_dt.timezone.utc))
        return Response(200, {"ETag": f'"{etag}"', "x-oss-hash-crc64ecma": str(got.crc64),
                              "Content-MD5": base64.b64encode(got.md5).decode()})

    def complete(self, request, bucket, key, upload_id) -> Response:
        upload = self._upload(bucket, key, upload_id)
        root = _parse_xml(request.read_body(SMALL_BODY_LIMIT))
        listed = []
        for part in root.findall("Part"):
            try:
                listed.append((int(part.findtext("PartNumber")), (part.findtext("ETag") or "").strip('"').upper()))
            except (TypeError, ValueError):
                raise Reject(400, "MalformedXML", "PartNumber must be a number.")
        if request.header("x-oss-complete-all", "").lower() == "yes":
            listed = [(n, upload.parts[n][1]) for n in sorted(upload.parts)]
        if not listed:
            raise Reject(400, "MalformedXML", "CompleteMultipartUpload lists no part.")
        if [n for n, _ in listed] != sorted({n for n, _ in listed}):
            raise Reject(400, "InvalidPartOrder", "The list of parts was not in ascending order.")
        segments, crc, size, md5s = [], 0, 0, b""
        for number, etag in listed:
            part = upload.parts.get(number)
            if part is None or part[1] != etag:
                raise Reject(400, "InvalidPart", f"Part {number} was not uploaded or its ETag differs.")
            segment, part_etag, part_crc, _ = part
            segments.append(segment)
            crc = Crc64.combine(crc, part_crc, segment.size) if size else part_crc
            size += segment.size
            md5s += bytes.fromhex(part_etag)
        etag = f"{hashlib.md5(md5s).hexdigest().upper()}-{len(listed)}"
        obj = Obj(segments, size, etag, crc, None, "Multipart", upload.headers, _dt.datetime.now(_dt.timezone.utc))
        with self.lock:
            bucket.objects[key] = obj
            bucket.uploads.pop(upload_id, None)
        return Response(200, {"Content-Type": "application/xml", "x-oss-hash-crc64ecma": str(crc)}, _xml(
            "CompleteMultipartUploadResult", _el("Location", f"http://{bucket.name}.oss-{bucket.region}.aliyuncs.com/{key}") +
            _el("Bucket", bucket.name) + _el("Key", key) + _el("ETag", f'"{etag}"')))

    def list_parts(self, bucket, key, query) -> Response:
        upload = self._upload(bucket, key, query["uploadId"])
        with self.lock:
            parts = sorted(upload.parts.items())
        body = _el("Bucket", bucket.name) + _el("Key", key) + _el("UploadId", upload.upload_id) + \
            _el("IsTruncated", "false") + "".join(
                "<Part>" + _el("PartNumber", n) + _el("LastModified", _iso(p[3])) + _el("ETag", f'"{p[1]}"') +
                _el("HashCrc64ecma", p[2]) + _el("Size", p[0].size) + "</Part>" for n, p in parts)
        return Response(200, {"Content-Type": "application/xml"}, _xml("ListPartsResult", body))

    def list_uploads(self, bucket, query) -> Response:
        with self.lock:
            uploads = sorted(bucket.uploads.values(), key=lambda u: (u.key, u.upload_id))
        body = _el("Bucket", bucket.name) + _el("IsTruncated", "false") + "".join(
            "<Upload>" + _el("Key", u.key) + _el("UploadId", u.upload_id) + _el("Initiated", _iso(u.initiated)) +
            "</Upload>" for u in uploads if u.key.startswith(query.get("prefix", "")))
        return Response(200, {"Content-Type": "application/xml"}, _xml("ListMultipartUploadsResult", body))

    def delete_multiple(self, request, bucket) -> Response:
        root = _parse_xml(request.read_body(SMALL_BODY_LIMIT))
        quiet = (root.findtext("Quiet") or "false").lower() == "true"
        url = request.header("encoding-type") == "url"
        deleted = []
        with self.lock:
            for obj in root.findall("Object"):
                key = obj.findtext("Key") or ""
                bucket.objects.pop(key, None)
                deleted.append(key)
        body = "" if quiet else "".join(
            f"<Deleted>{_el('Key', quote(k, safe='') if url else k)}</Deleted>" for k in deleted)
        return Response(200, {"Content-Type": "application/xml"}, _xml("DeleteResult", body))


def _parse_range(value: str, size: int):
    match = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", value)
    if not match or (not match.group(1) and not match.group(2)):
        return None  # OSS ignores a malformed range and answers with the whole object
    first, last = match.group(1), match.group(2)
    if first == "":
        length = int(last)
        if length == 0:
            return None
        return max(0, size - length), size
    start = int(first)
    end = size if last == "" else min(size, int(last) + 1)
    if start >= size:
        return "unsatisfiable"
    if end <= start:
        return None
    return start, end


def _read_segments(segments: list[Segment], start: int, end: int) -> Iterator[bytes]:
    offset = 0
    for segment in segments:
        seg_start, seg_end = offset, offset + segment.size
        offset = seg_end
        lo, hi = max(start, seg_start), min(end, seg_end)
        if lo < hi:
            yield from segment.read(lo - seg_start, hi - seg_start)
