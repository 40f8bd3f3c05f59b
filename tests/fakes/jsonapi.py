"""A threaded HTTP/1.1 JSON server for provider fakes that run in a test or as a process.

A subclass implements `api(request) -> Answer` (the provider's wire format) and may add
`control(method, path, data)` for `/_fake/...` endpoints (no auth, JSON), used by tests and
benchmarks that run the fake in another process. Faults are queued per call:

    fake.fail_next("timeout_after_accept", delay=1.0)  # process it, answer too late
    fake.fail_next("disconnect")                       # hang up before processing
    fake.fail_next(some_answer)                        # answer this instead of processing
    fake.fail_next("disconnect", after=1)              # the second call, not the next one

Only requests the subclass marks as `creates(request)` draw queued faults.
"""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    raw: bytes

    def json(self) -> Any:
        return json.loads(self.raw or b"null")

    def params(self) -> dict[str, Any]:
        """Query, form or JSON body merged, as the Bot API and Graph API both accept."""
        params: dict[str, Any] = dict(self.query)
        kind = self.headers.get("content-type", "")
        if "json" in kind and self.raw:
            body = self.json()
            if isinstance(body, dict):
                params.update(body)
        elif self.raw:
            params.update({k: v[-1] for k, v in parse_qs(self.raw.decode()).items()})
        return params


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Fault:
    kind: str | Answer
    delay: float
    after: int = 0  # calls let through before this fault strikes


class JSONServer:
    """Lifecycle, request parsing, fault queue and control routing shared by the fakes."""

    server_version = "Fake/1.0"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.lock = threading.RLock()
        self.stopping = threading.Event()
        self._faults: list[_Fault] = []
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> JSONServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_next(
        self, kind: str | Answer, *, times: int = 1, delay: float = 1.0, after: int = 0
    ) -> None:
        with self.lock:
            self._faults.extend(_Fault(kind, delay, after if i == 0 else 0) for i in range(times))

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    # what subclasses give ----------------------------------------------------------------

    def api(self, request: Request) -> Answer:
        raise NotImplementedError

    def creates(self, request: Request) -> bool:
        return request.method == "POST"

    def control(self, method: str, path: str, data: Any) -> Any:
        raise KeyError(path)

    # serving -----------------------------------------------------------------------------

    def _fault_for(self, request: Request) -> _Fault | None:
        with self.lock:
            if not (self._faults and self.creates(request)):
                return None
            if self._faults[0].after:
                self._faults[0].after -= 1
                return None
            return self._faults.pop(0)

    def serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        headers = {k.lower(): v for k, v in handler.headers.items()}
        request = Request(method, parts.path, query, headers, raw)
        if parts.path.startswith("/_fake/"):
            try:
                _write(handler, Answer(200, self.control(method, parts.path, request.json())))
            except KeyError:
                _write(handler, Answer(404, {"error": f"no control endpoint {parts.path}"}))
            return
        fault = self._fault_for(request)
        if fault is None:
            _write(handler, self.api(request))
        elif isinstance(fault.kind, Answer):
            _write(handler, fault.kind)
        elif fault.kind == "timeout_after_accept":
            answer = self.api(request)  # done, but the reply comes after the client gave up
            self.stopping.wait(fault.delay)
            _write(handler, answer)
        else:  # "disconnect": hang up without processing nor answering
            handler.close_connection = True


def _handler(fake: JSONServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real providers and clients use
        disable_nagle_algorithm = True
        server_version = fake.server_version

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            fake.serve(self, "GET")

        def do_POST(self) -> None:
            fake.serve(self, "POST")

        def do_DELETE(self) -> None:
            fake.serve(self, "DELETE")

    return Handler


def _write(handler: BaseHTTPRequestHandler, answer: Answer) -> None:
    data = b"" if answer.body is None else json.dumps(answer.body).encode()
    try:
        handler.send_response(answer.status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in answer.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
        handler.wfile.flush()
    except (BrokenPipeError, ConnectionResetError):
        handler.close_connection = True  # the client gave up (a timeout test)


def run_as_process(build: Callable[[argparse.Namespace], JSONServer], parser) -> None:
    """`python -m tests.fakes.X --port 0`: print `ready <base_url>` and serve until killed."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    fake = build(args).start()
    print(f"ready {fake.base_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
