"""A local fake of Twilio's REST API (2010-04-01) that the unmodified `twilio` SDK talks to.

In tests::

    with FakeTwilio(opted_out={"+33612345678"}) as fake:
        config = TwilioConfig(fake.account_sid, fake.auth_token, from_number="+33700000000",
                              base_url=fake.base_url)
        ...
        fake.messages          # every accepted message (dicts shaped like Twilio's resource)
        fake.count_by_to()     # {"+336…": 1}
        fake.faults(rate=0.2, kinds=("500", "429", "timeout"), seed=1)
        fake.send_status_callback(sid, "delivered")   # signed like Twilio's webhooks

As a process (CI, benchmarks)::

    python -m tests.fakes.twilio --port 8099 --account-sid AC… --auth-token secret
    # prints "ready http://127.0.0.1:8099" and serves until killed

Wire format: `POST|GET /2010-04-01/Accounts/{Sid}/Messages.json` (filters `To`, `From`,
`DateSent`, `DateSent>`, `DateSent<`; paging `PageSize`, `Page` with Twilio's envelope),
`GET …/Messages/{Sid}.json`, `POST|GET …/Calls.json`, `GET …/Calls/{Sid}.json`,
`GET /2010-04-01/Accounts/{Sid}.json`. HTTP Basic auth (401, code 20003); validation errors
as Twilio sends them: 21211 invalid `To`, 21610 opted out, 21602 no body, 21603 no sender,
21617 body over 1,600 characters, 21205 call without `Url`/`Twiml`.

Control API (no auth, JSON), for a test in another process:
`GET /_fake/messages`, `GET /_fake/calls`, `GET /_fake/count_by_to`, `POST /_fake/reset`,
`POST /_fake/faults` `{"rate", "kinds", "seed", "delay"}`, `POST /_fake/opted_out`
`{"numbers": [...]}`, `POST /_fake/callbacks` `{"sid", "status", "error_code"}`.

Fault kinds, drawn only for creations (POST Messages/Calls), never recording a message:
`500`, `503`, `429` (with `Retry-After`), `timeout` (no reply for `delay` seconds, then the
connection closes), `disconnect` (connection closed without a reply); and the double-send
trap `timeout_after_accept`: the message IS recorded, the reply comes after `delay`.

`auto_callbacks=True` posts status callbacks after each creation, from one background thread:
for a message `sent` then `delivered` (`undelivered` with 30003 for numbers in
`undeliverable`); for a call `completed` (`no-answer` for numbers in `undeliverable`).

Prices, like Twilio's: `price` is null until the final status, then a negative amount in
`price_unit` (`prices={"sms": "0.0725", "call": "0.0130"}` per segment and per answered call,
`price_unit="EUR"`; USD by default); an unanswered or failed call costs nothing.

`numbers={"+337…"}` makes the account own only those numbers: another `From` is refused like
Twilio does (21606 for a message, 21210 for a call).
"""

from __future__ import annotations

import argparse
import base64
import json
import queue
import random
import re
import secrets
import sys
import threading
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from twilio.request_validator import RequestValidator

API = "/2010-04-01"
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
ACCOUNT_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+?)(?P<rest>/.*)?\.json$")
FAULT_KINDS = ("500", "503", "429", "timeout", "disconnect", "timeout_after_accept")
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")


class TwilioError(Exception):
    """An error reply, shaped like Twilio's JSON error body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }


class FakeTwilio:
    """The fake's state and lifecycle; the HTTP handler below only reads and writes it."""

    def __init__(
        self,
        *,
        account_sid: str = "AC" + "0" * 31 + "1",
        auth_token: str = "fake-auth-token",
        host: str = "127.0.0.1",
        port: int = 0,
        opted_out: set[str] | None = None,
        undeliverable: set[str] | None = None,
        auto_callbacks: bool = False,
        prices: dict[str, str] | None = None,
        price_unit: str = "USD",
        numbers: set[str] | None = None,
    ) -> None:
        self.prices = {"sms": Decimal("0.0725"), "call": Decimal("0.0130")}
        self.prices.update({k: Decimal(v) for k, v in (prices or {}).items()})
        self.price_unit = price_unit
        self.numbers = set(numbers or ())
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.opted_out = set(opted_out or ())
        self.undeliverable = set(undeliverable or ())
        self.auto_callbacks = auto_callbacks
        self.callback_results: list[tuple[str, str, int]] = []  # (sid, status, HTTP status)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._messages: list[dict[str, Any]] = []
        self._calls: list[dict[str, Any]] = []
        self._by_sid: dict[str, dict[str, Any]] = {}
        self._by_to: dict[str, list[dict[str, Any]]] = {}  # a list by `To` stays fast at 10,000
        self._callback_urls: dict[str, str] = {}
        self._fault_rate = 0.0
        self._fault_kinds: tuple[str, ...] = ()
        self._fault_delay = 1.0
        self._random = random.Random()
        self._callbacks: queue.Queue[tuple[str, str, int | None] | None] = queue.Queue()
        self._server = ThreadingHTTPServer((host, port), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        self._threads: list[threading.Thread] = []

    # lifecycle ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self._server.server_address[0]}:{self.port}"

    def start(self) -> FakeTwilio:
        for target in (self._server.serve_forever, self._deliver_callbacks):
            thread = threading.Thread(target=target, daemon=True, name=f"fake-twilio-{target}")
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._callbacks.put(None)
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # inspection --------------------------------------------------------------------------

    @property
    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self._messages]

    @property
    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(c) for c in self._calls]

    def count_by_to(self) -> dict[str, int]:
        with self._lock:
            return dict(Counter(m["to"] for m in self._messages))

    def reset(self) -> None:
        """Forget messages, calls and faults (opt-outs stay: they are configuration)."""
        with self._lock:
            self._messages.clear()
            self._calls.clear()
            self._by_sid.clear()
            self._by_to.clear()
            self._callback_urls.clear()
            self.callback_results.clear()
            self._fault_rate, self._fault_kinds = 0.0, ()

    def faults(
        self,
        rate: float = 0.2,
        kinds: tuple[str, ...] | list[str] = ("500", "429", "timeout"),
        seed: int | None = None,
        delay: float = 1.0,
    ) -> None:
        """Fail this share of creations with these kinds; `rate=0` turns faults off."""
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {FAULT_KINDS}")
        with self._lock:
            self._fault_rate, self._fault_kinds, self._fault_delay = rate, tuple(kinds), delay
            self._random = random.Random(seed)

    def draw_fault(self) -> str | None:
        with self._lock:
            if not self._fault_kinds or self._random.random() >= self._fault_rate:
                return None
            return self._random.choice(self._fault_kinds)

    # callbacks ---------------------------------------------------------------------------

    def send_status_callback(self, sid: str, status: str, error_code: int | None = None) -> int:
        """POST a signed status callback for a message (SM…) or call (CA…); return the status."""
        self.set_status(sid, status, error_code)
        with self._lock:
            url = self._callback_urls.get(sid)
            params = self._callback_params(self._by_sid[sid], status, error_code)
        if not url:
            raise ValueError(f"{sid} was created without a StatusCallback")
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        request = urllib.request.Request(
            url,
            data=urlencode(params).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
                "User-Agent": "TwilioProxy/1.1",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as reply:
                code = reply.status
        except urllib.error.HTTPError as exc:
            code = exc.code
        with self._lock:
            self.callback_results.append((sid, status, code))
        return code

    def set_status(self, sid: str, status: str, error_code: int | None = None) -> None:
        """Move a message or call to `status` without a callback (a sent SMS gets date_sent)."""
        with self._lock:
            resource = self._by_sid[sid]
            resource["status"] = status
            resource["date_updated"] = _rfc2822(_now())
            if sid.startswith("SM") and status in ("sent", "delivered", "undelivered"):
                resource["date_sent"] = resource["date_sent"] or resource["date_updated"]
            if sid.startswith("SM") and status in ("delivered", "undelivered"):
                segments = Decimal(resource["num_segments"])
                resource["price"] = _price(self.prices["sms"] * segments)
            elif sid.startswith("CA") and status == "completed":
                resource["price"] = _price(self.prices["call"])
            if error_code is not None:
                resource["error_code"] = error_code

    def _callback_params(
        self, resource: dict[str, Any], status: str, error_code: int | None
    ) -> dict[str, str]:
        common = {
            "AccountSid": self.account_sid,
            "From": resource["from"] or "",
            "To": resource["to"],
            "ApiVersion": "2010-04-01",
        }
        if resource["sid"].startswith("CA"):
            params = {**common, "CallSid": resource["sid"], "CallStatus": status}
            params["Direction"] = "outbound-api"
        else:
            params = {**common, "MessageSid": resource["sid"], "MessageStatus": status}
            params["SmsSid"], params["SmsStatus"] = resource["sid"], status
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        return params

    def _deliver_callbacks(self) -> None:
        while True:
            item = self._callbacks.get()
            if item is None or self._stopping.is_set():
                return
            try:
                self.send_status_callback(*item)
            except Exception:  # a dead callback target must not kill the fake
                pass

    # resources ---------------------------------------------------------------------------

    def create_message(self, form: dict[str, str]) -> dict[str, Any]:
        to, body = form.get("To", ""), form.get("Body", "")
        sender, service = form.get("From"), form.get("MessagingServiceSid")
        if not to:
            raise TwilioError(400, 21604, "A 'To' phone number is required.")
        if not E164.match(to):
            raise TwilioError(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not (sender or service):
            raise TwilioError(400, 21603, "A 'From' phone number is required.")
        if sender and self.numbers and sender not in self.numbers:
            raise TwilioError(
                400,
                21606,
                f"The From phone number {sender} is not a valid, SMS-capable inbound phone "
                "number or short code for your account.",
            )
        if not body and not form.get("MediaUrl"):
            raise TwilioError(400, 21602, "Message body is required.")
        if len(body) > 1600:
            raise TwilioError(
                400, 21617, "The concatenated message body exceeds the 1600 character limit."
            )
        if to in self.opted_out:
            raise TwilioError(400, 21610, "Attempt to send to unsubscribed recipient")
        now = _rfc2822(_now())
        sid = "SM" + secrets.token_hex(16)
        message = {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": None if service else sender,
            "messaging_service_sid": service,
            "num_media": "0",
            "num_segments": str(segments(body)),
            "price": None,
            "price_unit": self.price_unit,
            "sid": sid,
            "status": "accepted" if service else "queued",
            "subresource_uris": {
                "media": f"{API}/Accounts/{self.account_sid}/Messages/{sid}/Media.json"
            },
            "to": to,
            "uri": f"{API}/Accounts/{self.account_sid}/Messages/{sid}.json",
        }
        self._store(self._messages, message, form.get("StatusCallback"))
        if self.auto_callbacks and form.get("StatusCallback"):
            self._callbacks.put((sid, "sent", None))
            if to in self.undeliverable:
                self._callbacks.put((sid, "undelivered", 30003))
            else:
                self._callbacks.put((sid, "delivered", None))
        return message

    def create_call(self, form: dict[str, str]) -> dict[str, Any]:
        to, sender = form.get("To", ""), form.get("From", "")
        if not to:
            raise TwilioError(400, 21201, "No 'To' number is specified")
        if not E164.match(to):
            raise TwilioError(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not sender:
            raise TwilioError(400, 21213, "No 'From' number is specified")
        if self.numbers and sender not in self.numbers:
            raise TwilioError(
                400,
                21210,
                f"The source phone number provided, {sender}, is not yet verified for your "
                "account.",
            )
        url, twiml = form.get("Url", ""), form.get("Twiml", "")
        if not twiml and not url.startswith(("http://", "https://")):
            raise TwilioError(400, 21205, "Url is not a valid URL: " + url)
        now = _rfc2822(_now())
        sid = "CA" + secrets.token_hex(16)
        call = {
            "account_sid": self.account_sid,
            "answered_by": None,
            "api_version": "2010-04-01",
            "caller_name": None,
            "date_created": now,
            "date_updated": now,
            "direction": "outbound-api",
            "duration": None,
            "end_time": None,
            "from": sender,
            "from_formatted": sender,
            "parent_call_sid": None,
            "price": None,
            "price_unit": self.price_unit,
            "sid": sid,
            "start_time": None,
            "status": "queued",
            "to": to,
            "to_formatted": to,
            "uri": f"{API}/Accounts/{self.account_sid}/Calls/{sid}.json",
            # Not in Twilio's resource: kept so tests can see what the call would play.
            "_twiml": twiml or None,
            "_url": url or None,
            "_machine_detection": form.get("MachineDetection"),
            "_status_callback": form.get("StatusCallback"),
        }
        self._store(self._calls, call, form.get("StatusCallback"))
        if self.auto_callbacks and form.get("StatusCallback"):
            self._callbacks.put(
                (sid, "no-answer" if to in self.undeliverable else "completed", None)
            )
        return call

    def _store(self, into: list[dict[str, Any]], resource: dict[str, Any], callback: str | None):
        with self._lock:
            into.append(resource)
            self._by_sid[resource["sid"]] = resource
            self._by_to.setdefault(resource["to"], []).append(resource)
            if callback:
                self._callback_urls[resource["sid"]] = callback

    def fetch(self, sid: str) -> dict[str, Any]:
        with self._lock:
            resource = self._by_sid.get(sid)
            if resource is None:
                raise TwilioError(404, 20404, f"The requested resource {sid} was not found")
            return dict(resource)

    def list_page(self, kind: str, path: str, query: dict[str, str]) -> dict[str, Any]:
        """One page of messages or calls, newest first, in Twilio's paging envelope."""
        with self._lock:
            everything = self._messages if kind == "messages" else self._calls
            if "To" in query:
                prefix = "SM" if kind == "messages" else "CA"
                everything = [r for r in self._by_to.get(query["To"], ()) if r["sid"][:2] == prefix]
            records = [dict(r) for r in everything]
        records = [r for r in records if _matches(r, query)]
        records.reverse()  # newest first, as Twilio lists
        size = max(1, min(int(query.get("PageSize", 50)), 1000))
        page = max(0, int(query.get("Page", 0)))
        chunk = records[page * size : (page + 1) * size]
        filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

        def uri(number: int) -> str:
            return f"{path}?{urlencode({**filters, 'PageSize': size, 'Page': number})}"

        has_next = (page + 1) * size < len(records)
        return {
            kind: [_public(r) for r in chunk],
            "end": page * size + max(len(chunk) - 1, 0),
            "first_page_uri": uri(0),
            "next_page_uri": uri(page + 1) + f"&PageToken=PA{page + 1}" if has_next else None,
            "page": page,
            "page_size": size,
            "previous_page_uri": uri(page - 1) if page > 0 else None,
            "start": page * size,
            "uri": uri(page),
        }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the SDK reuses one connection
    disable_nagle_algorithm = True  # no 40 ms stalls behind a delayed ACK
    wbufsize = -1  # buffered: headers and body leave in one write (see _reply)
    server_version = "FakeTwilio/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests and benches
        pass

    @property
    def fake(self) -> FakeTwilio:
        return self.server.fake  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            if parts.path.startswith("/_fake/"):
                self._reply(200, self._control(method, parts.path, raw))
                return
            form = _form(raw.decode()) if method == "POST" else {}
            query = _form(parts.query)
            status, payload = self._api(method, parts.path, form, query)
        except TwilioError as error:
            self._reply(error.status, error.body())
            return
        if payload is not None:
            self._reply(status, payload)

    def _api(self, method: str, path: str, form: dict, query: dict) -> tuple[int, Any]:
        match = ACCOUNT_PATH.match(path)
        if not match:
            raise TwilioError(404, 20404, "The requested resource was not found")
        self._authenticate(match["account"])
        rest = match["rest"] or ""
        fake = self.fake
        if rest in ("/Messages", "/Calls") and method == "POST":
            fault = fake.draw_fault()
            if fault and fault != "timeout_after_accept":
                self._fault(fault)
                return 0, None
            create = fake.create_message if rest == "/Messages" else fake.create_call
            resource = create(form)
            if fault:  # accepted, but the reply comes too late: the double-send trap
                fake._stopping.wait(fake._fault_delay)
            return 201, _public(resource)
        if method != "GET":
            raise TwilioError(405, 20004, "Method not allowed")
        if rest == "":
            return 200, _account(fake.account_sid)
        if rest in ("/Messages", "/Calls"):
            kind = rest[1:].lower()
            return 200, fake.list_page(kind, f"{path}", query)
        resource = re.match(r"^/(Messages|Calls)/((?:SM|CA)[0-9a-f]{32})$", rest)
        if resource:
            return 200, _public(fake.fetch(resource[2]))
        raise TwilioError(404, 20404, "The requested resource was not found")

    def _authenticate(self, account: str) -> None:
        header = self.headers.get("Authorization", "")
        try:
            decoded = base64.b64decode(header.removeprefix("Basic ")).decode()
            user, _, password = decoded.partition(":")
        except (ValueError, UnicodeDecodeError):
            user = password = ""
        if not secrets.compare_digest(password, self.fake.auth_token) or (
            user != self.fake.account_sid
        ):
            raise TwilioError(401, 20003, "Authenticate")
        if account != user:
            raise TwilioError(404, 20404, f"The requested resource {account} was not found")

    def _fault(self, kind: str) -> None:
        if kind in ("500", "503"):
            status = int(kind)
            error = TwilioError(status, 20500, "An internal server error has occurred")
            self._reply(status, error.body())
        elif kind == "429":
            self._reply(429, TwilioError(429, 20429, "Too Many Requests").body(), retry_after=1)
        else:  # timeout or disconnect: no reply at all, then hang up
            if kind == "timeout":
                self.fake._stopping.wait(self.fake._fault_delay)
            self.close_connection = True

    def _control(self, method: str, path: str, raw: bytes) -> Any:
        fake = self.fake
        data = json.loads(raw or b"{}")
        if (method, path) == ("GET", "/_fake/messages"):
            return fake.messages
        if (method, path) == ("GET", "/_fake/calls"):
            return fake.calls
        if (method, path) == ("GET", "/_fake/count_by_to"):
            return fake.count_by_to()
        if (method, path) == ("POST", "/_fake/reset"):
            fake.reset()
            return {"ok": True}
        if (method, path) == ("POST", "/_fake/faults"):
            fake.faults(**data)
            return {"ok": True}
        if (method, path) == ("POST", "/_fake/opted_out"):
            fake.opted_out = set(data.get("numbers", ()))
            return {"ok": True}
        if (method, path) == ("POST", "/_fake/callbacks"):
            return {"status": fake.send_status_callback(**data)}
        raise TwilioError(404, 20404, f"no control endpoint {method} {path}")

    def _reply(self, status: int, payload: Any, retry_after: int | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if retry_after is not None:
            self.send_header("Retry-After", str(retry_after))
        self.end_headers()
        try:
            self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeouts)
            self.close_connection = True


def _form(text: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}


def _price(amount: Decimal) -> str:
    """Twilio's way: a charge is negative, with five decimals (`-0.07250`)."""
    return f"{-amount:.5f}"


def _public(resource: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if not k.startswith("_")}


def _account(sid: str) -> dict[str, Any]:
    return {
        "sid": sid,
        "friendly_name": "Crieur fake account",
        "status": "active",
        "type": "Full",
        "uri": f"{API}/Accounts/{sid}.json",
    }


def _matches(record: dict[str, Any], query: dict[str, str]) -> bool:
    if "To" in query and record["to"] != query["To"]:
        return False
    if "From" in query and record["from"] != query["From"]:
        return False
    sent = _parse_rfc2822(record.get("date_sent"))
    for key, test in (
        ("DateSent>", lambda s, d: s >= d),
        ("DateSent<", lambda s, d: s <= d),
        ("DateSent", lambda s, d: s.date() == d.date()),
    ):
        if key in query:
            # Messages not sent yet have no date_sent and never match a date filter.
            if sent is None or not test(sent, _parse_filter_date(query[key])):
                return False
    return True


def _parse_filter_date(text: str) -> datetime:
    # Twilio accepts YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ.
    if len(text) == 10:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _parse_rfc2822(text: str | None) -> datetime | None:
    return parsedate_to_datetime(text) if text else None


def _now() -> datetime:
    return datetime.now(UTC)


def _rfc2822(moment: datetime) -> str:
    return format_datetime(moment.replace(microsecond=0), usegmt=True)


def segments(body: str) -> int:
    """Segments as Twilio bills them, close enough for a fake (no boundary-split rule)."""
    if all(c in GSM7 or c in GSM7_EXTENSION for c in body):
        units = sum(2 if c in GSM7_EXTENSION else 1 for c in body)
        single, part = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if units <= single else -(-units // part)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.twilio", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--account-sid", default="AC" + "0" * 31 + "1")
    parser.add_argument("--auth-token", default="fake-auth-token")
    parser.add_argument("--opted-out", action="append", default=[], metavar="E164")
    parser.add_argument("--auto-callbacks", action="store_true")
    parser.add_argument("--price-unit", default="USD")
    parser.add_argument("--number", action="append", default=[], metavar="E164")
    args = parser.parse_args(argv)
    fake = FakeTwilio(
        account_sid=args.account_sid,
        auth_token=args.auth_token,
        host=args.host,
        port=args.port,
        opted_out=set(args.opted_out),
        auto_callbacks=args.auto_callbacks,
        price_unit=args.price_unit,
        numbers=set(args.number),
    )
    fake.start()
    print(f"ready {fake.base_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
