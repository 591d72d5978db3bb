"""A threaded loopback HTTP/1.1 server whose request bodies are streamed, not buffered.

The OSS and SLS stand-ins sit on top of it: `App.handle(request)` gets a `Request` whose body it
reads in chunks (`request.body_chunks()`), so a multi-GiB upload costs a few MiB of memory, and
returns a `Response` whose body is bytes or an iterator of chunks with a known length.
Standard library only.
"""
from __future__ import annotations

import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable, Iterator, Optional

CHUNK = 1 << 20


class BadRequest(Exception):
    """The request is not valid HTTP/1.1 (bad framing); answered with 400 and the connection closed."""


def _utf8_if_valid(value: str) -> str:
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


class Request:
    def __init__(self, handler: BaseHTTPRequestHandler):
        self._handler = handler
        self.method: str = handler.command
        self.target: str = handler.path
        path, _, query = handler.path.partition("?")
        self.raw_path: str = path
        self.raw_query: str = query
        # http.server decodes header bytes as Latin-1; a value that is valid UTF-8 (a Rust or
        # Go client's x-oss-meta-owner: Zoë) is read as UTF-8, anything else stays Latin-1
        # (Python's http.client encodes str values as Latin-1).
        self.headers: list[tuple[str, str]] = [(name, _utf8_if_valid(value)) for name, value in handler.headers.items()]
        self.peer = handler.client_address
        self._lower: dict[str, list[str]] = {}
        for name, value in self.headers:
            self._lower.setdefault(name.lower(), []).append(value)
        self._consumed = False
        self.body_length = 0

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        values = self._lower.get(name.lower())
        return values[0] if values else default

    def header_values(self, name: str) -> list[str]:
        return self._lower.get(name.lower(), [])

    def lower_headers(self) -> dict[str, str]:
        """Header names in lower case, repeated values joined by ',' (as a proxy would fold them)."""
        return {name: ",".join(values) for name, values in self._lower.items()}

    @property
    def chunked(self) -> bool:
        return "chunked" in (self.header("transfer-encoding") or "").lower()

    def body_chunks(self) -> Iterator[bytes]:
        """The body, in chunks of at most 1 MiB; once only."""
        if self._consumed:
            return iter(())
        self._consumed = True
        return self._chunked() if self.chunked else self._sized()

    def _sized(self) -> Iterator[bytes]:
        length_text = self.header("content-length") or "0"
        try:
            remaining = int(length_text)
        except ValueError:
            raise BadRequest(f"Content-Length {length_text!r} is not a number")
        if remaining < 0:
            raise BadRequest("negative Content-Length")
        rfile = self._handler.rfile
        while remaining > 0:
            data = rfile.read(min(CHUNK, remaining))
            if not data:
                raise BadRequest("connection closed inside the body")
            remaining -= len(data)
            self.body_length += len(data)
            yield data

    def _chunked(self) -> Iterator[bytes]:
        rfile = self._handler.rfile
        while True:
            line = rfile.readline(1024)
            if not line.endswith(b"\n"):
                raise BadRequest("bad chunk size line")
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BadRequest(f"bad chunk size {line[:40]!r}")
            if size == 0:
                # trailers, up to the empty line
                while True:
                    trailer = rfile.readline(8192)
                    if trailer in (b"\r\n", b"\n", b""):
                        return
            remaining = size
            while remaining > 0:
                data = rfile.read(min(CHUNK, remaining))
                if not data:
                    raise BadRequest("connection closed inside a chunk")
                remaining -= len(data)
                self.body_length += len(data)
                yield data
            if rfile.readline(8) not in (b"\r\n", b"\n"):
                raise BadRequest("chunk not followed by CRLF")

    def read_body(self, limit: int) -> bytes:
        """The whole body, for small XML/JSON/protobuf payloads; over `limit` bytes is an error."""
        parts, total = [], 0
        for data in self.body_chunks():
            total += len(data)
            if total > limit:
                for _ in self.body_chunks():
                    pass
                raise BodyTooLarge(limit)
            parts.append(data)
        return b"".join(parts)

    def drain(self) -> None:
        for _ in self.body_chunks():
            pass


class BodyTooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(f"body larger than {limit} bytes")
        self.limit = limit


class Response:
    def __init__(self, status: int, headers: Optional[dict] = None,
                 body: bytes | Iterable[bytes] = b"", length: Optional[int] = None):
        self.status = status
        self.headers = dict(headers or {})
        self.body = body
        self.length = len(body) if isinstance(body, (bytes, bytearray)) else length


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "acs-interop"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def _serve(self):
        request = Request(self)
        try:
            response = self.server.app.handle(request)
            if not request._consumed:
                # Answering before the body was read (e.g. a rejected signature): read it anyway, so
                # the client sees the answer instead of a reset connection and keep-alive works.
                request.drain()
        except BadRequest as error:
            self.close_connection = True
            response = Response(400, {"content-type": "text/plain", "connection": "close"},
                                str(error).encode())
        except (ConnectionError, socket.timeout):
            self.close_connection = True
            return
        self._write(response)

    def _write(self, response: Response):
        # send_response_only: no automatic Server/Date headers, the apps send their own.
        self.send_response_only(response.status)
        has_length = False
        for name, value in response.headers.items():
            if value is None:
                continue
            if name.lower() == "content-length":
                has_length = True
            self.send_header(name, str(value))
        if not has_length:
            self.send_header("Content-Length", str(response.length or 0))
        self.end_headers()
        if self.command == "HEAD" or response.status in (204, 304):
            return
        try:
            if isinstance(response.body, (bytes, bytearray)):
                self.wfile.write(response.body)
            else:
                for chunk in response.body:
                    self.wfile.write(chunk)
        except (ConnectionError, socket.timeout):
            self.close_connection = True

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_OPTIONS = _serve


class StreamingServer:
    """Serves `app` on 127.0.0.1:`port` (0: any free port) in a background thread."""

    def __init__(self, app, port: int = 0, host: str = "127.0.0.1"):
        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._httpd = Server((host, port), _Handler)
        self._httpd.app = app
        self._thread: Optional[threading.Thread] = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> int:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self.port

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def serve_forever(server: StreamingServer, port_file: Optional[str]) -> None:
    port = server.start()
    if port_file:
        from pathlib import Path
        tmp = Path(port_file + ".tmp")
        tmp.write_text(str(port))
        tmp.replace(port_file)
    print(f"listening on {server.url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
