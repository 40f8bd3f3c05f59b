"""A local fake of the WhatsApp Cloud API (Graph API) and of the webhooks Meta sends.

    with FakeWhatsApp(templates=[...], webhook_url="http://…/hooks/whatsapp") as fake:
        config = WhatsAppConfig(**fake.settings())
        fake.open_window("+33612345678")   # the citizen wrote in the last 24 hours
        ...
        fake.messages                       # every accepted message
        fake.send_status(wamid, "delivered")  # POSTs a signed status webhook

Wire format: `POST /{version}/{phone-number-id}/messages` (Bearer token; the body checked
like Meta does: `messaging_product`, `to`, `type`, text ≤ 4,096, template name, language,
status and parameter count), `GET /{version}/{waba-id}/message_templates` (cursor paging),
`GET /{version}/{phone-number-id}` (fields). Errors are Graph errors
`{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`: 190 bad token, 100
bad parameter, 132001 unknown template, 132000 parameter count, 130429 over `throughput`
messages a second, 131056 the same citizen again within `pair_interval` seconds. Free text
to a citizen whose window is closed is accepted, then fails by webhook with 131047, as on
the real platform (`fail_next(error(131047))` gives the synchronous variant).

Control API (for a process): `GET /_fake/count`, `POST /_fake/reset`,
`POST /_fake/settings {"throughput", "pair_interval"}`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import queue
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from channels.whatsapp.webhooks import signature
from tests.fakes.jsonapi import Answer, JSONServer, Request, run_as_process

VERSION = re.compile(r"^/v\d{1,3}\.\d(?P<rest>/.*)$")
STATUS_BY_CODE = {190: 401, 10: 403, 131000: 500, 131016: 503, 2: 503}
TITLES = {
    100: "Invalid parameter",
    130429: "Rate limit hit",
    131026: "Message undeliverable",
    131047: "Re-engagement message",
    131048: "Spam rate limit hit",
    131049: "This message was not delivered to maintain healthy ecosystem engagement.",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
    190: "Invalid OAuth access token - Cannot parse access token",
}


def error(code: int, detail: str = "") -> Answer:
    """A Graph API error answer for `code` (usable with `fail_next`)."""
    body = {
        "message": f"(#{code}) {TITLES.get(code, 'Error')}",
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": detail or TITLES.get(code, "")},
        "fbtrace_id": "A" + secrets.token_hex(8),
    }
    return Answer(STATUS_BY_CODE.get(code, 400), {"error": body})


class GraphError(Exception):
    def __init__(self, code: int, detail: str = "") -> None:
        self.answer = error(code, detail)


def template(
    name: str, language: str, body: str, *, status: str = "APPROVED", category: str = "UTILITY"
) -> dict[str, Any]:
    """A template as Meta lists it."""
    return {
        "name": name,
        "language": language,
        "status": status,
        "category": category,
        "id": str(abs(hash((name, language))) % 10**15),
        "components": [{"type": "BODY", "text": body}],
    }


class FakeWhatsApp(JSONServer):
    server_version = "proxygen-bolt"

    def __init__(
        self,
        *,
        templates: list[dict[str, Any]] | None = None,
        webhook_url: str = "",
        auto_statuses: bool = False,
        throughput: float = 80.0,
        pair_interval: float = 6.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.phone_number_id = "106540352242922"
        self.waba_id = "102290129340398"
        self.access_token = "EAAG" + secrets.token_urlsafe(24)
        self.app_secret = secrets.token_hex(16)
        self.verify_token = secrets.token_urlsafe(18)
        self.templates = list(templates or [])
        self.webhook_url = webhook_url
        self.auto_statuses = auto_statuses
        self.throughput = throughput
        self.pair_interval = pair_interval
        self.messages: list[dict[str, Any]] = []
        self.webhook_results: list[int] = []
        self._windows: set[str] = set()
        self._last_to: dict[str, float] = {}
        self._second: list[float] = []
        self._seq = itertools.count(1)
        self._outbox: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue()
        self._poster = threading.Thread(target=self._post_webhooks, daemon=True)

    def start(self) -> FakeWhatsApp:
        super().start()
        self._poster.start()
        return self

    def stop(self) -> None:
        self._outbox.put(None)
        super().stop()

    def settings(self) -> dict[str, str]:
        """The account settings that point a `WhatsAppConfig` at this fake."""
        return {
            "phone_number_id": self.phone_number_id,
            "waba_id": self.waba_id,
            "access_token": self.access_token,
            "app_secret": self.app_secret,
            "verify_token": self.verify_token,
            "base_url": self.base_url,
        }

    def open_window(self, phone: str) -> None:
        with self.lock:
            self._windows.add(phone.removeprefix("+"))

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.webhook_results.clear()
            self._windows.clear()
            self._last_to.clear()
            self._second.clear()
        self.clear_faults()

    def control(self, method: str, path: str, data: Any) -> Any:
        if (method, path) == ("GET", "/_fake/count"):
            with self.lock:
                return {"messages": len(self.messages)}
        if (method, path) == ("POST", "/_fake/reset"):
            self.reset()
            return {"ok": True}
        if (method, path) == ("POST", "/_fake/settings"):
            with self.lock:
                self.throughput = float(data.get("throughput", self.throughput))
                self.pair_interval = float(data.get("pair_interval", self.pair_interval))
            return {"ok": True}
        raise KeyError(path)

    # wire format -------------------------------------------------------------------------

    def api(self, request: Request) -> Answer:
        match = VERSION.match(request.path)
        if not match:
            return error(100, "Unknown path components")
        if request.headers.get("authorization") != f"Bearer {self.access_token}":
            return error(190)
        rest = match["rest"]
        try:
            if request.method == "POST" and rest == f"/{self.phone_number_id}/messages":
                return Answer(200, self._send(request.json()))
            if request.method == "GET" and rest == f"/{self.waba_id}/message_templates":
                return Answer(200, self._list_templates(request.query))
            if request.method == "GET" and rest == f"/{self.phone_number_id}":
                return Answer(200, self._number(request.query))
        except GraphError as refused:
            return refused.answer
        return error(100, f"Unsupported {request.method} request")

    def _number(self, query: dict[str, str]) -> dict[str, Any]:
        known = {
            "verified_name": "Mairie de Saint-Crieur",
            "quality_rating": "GREEN",
            "display_phone_number": "+33 1 23 45 67 89",
            "id": self.phone_number_id,
        }
        fields = query.get("fields", "").split(",") if query.get("fields") else ["id"]
        return {k: known[k] for k in fields + ["id"] if k in known}

    def _list_templates(self, query: dict[str, str]) -> dict[str, Any]:
        limit = max(1, min(int(query.get("limit", 25)), 250))
        start = int(query["after"]) if query.get("after", "").isdigit() else 0
        page = self.templates[start : start + limit]
        fields = query.get("fields", "name,language,status,category,id").split(",")
        body: dict[str, Any] = {
            "data": [{k: t[k] for k in fields + ["id"] if k in t} for t in page],
            "paging": {"cursors": {"before": str(start), "after": str(start + len(page))}},
        }
        if start + limit < len(self.templates):
            body["paging"]["next"] = f"{self.base_url}/next?after={start + limit}"
        return body

    def _send(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
            raise GraphError(100, "messaging_product is required and must be whatsapp")
        to = str(body.get("to") or "").removeprefix("+")
        if not re.fullmatch(r"[1-9]\d{6,14}", to):
            raise GraphError(100, "Param to is not a valid phone number")
        kind = body.get("type")
        if kind == "text":
            text = str((body.get("text") or {}).get("body") or "")
            if not text or len(text) > 4096:
                raise GraphError(100, "Param text['body'] must be 1 to 4096 characters long")
        elif kind == "template":
            self._check_template(body.get("template") or {})
        else:
            raise GraphError(100, f"Param type {kind!r} is not supported")
        with self.lock:
            self._rate(to)
            wamid = "wamid.HBgL" + secrets.token_hex(12).upper() + f"{next(self._seq):06d}"
            record = {
                "id": wamid,
                "to": "+" + to,
                "type": kind,
                "sent_at": time.time(),
                "callback_data": body.get("biz_opaque_callback_data", ""),
                **{kind: body[kind]},
            }
            self.messages.append(record)
            window_closed = kind == "text" and to not in self._windows
        if self.auto_statuses and self.webhook_url:
            if window_closed:
                self._queue_status(record, "failed", 131047)
            else:
                self._queue_status(record, "sent")
                self._queue_status(record, "delivered")
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": str(body["to"]), "wa_id": to}],
            "messages": [{"id": wamid, "message_status": "accepted"}],
        }

    def _rate(self, to: str) -> None:
        now = time.monotonic()
        self._second = [t for t in self._second if now - t < 1.0]
        if self.throughput and len(self._second) >= self.throughput:
            raise GraphError(
                130429,
                "Message failed to send because there were too many "
                "messages sent from this phone number in a short period of time",
            )
        last = self._last_to.get(to)
        if self.pair_interval and last is not None and now - last < self.pair_interval:
            raise GraphError(131056)
        self._second.append(now)
        self._last_to[to] = now

    def _check_template(self, sent: dict[str, Any]) -> None:
        name, language = sent.get("name"), (sent.get("language") or {}).get("code")
        found = next(
            (t for t in self.templates if t["name"] == name and t["language"] == language), None
        )
        if found is None or found["status"] != "APPROVED":
            raise GraphError(132001, f"template name ({name}) does not exist in {language}")
        expected = set(re.findall(r"\{\{([^}]+)\}\}", found["components"][0]["text"]))
        parameters = [
            p
            for c in sent.get("components") or []
            if c.get("type") == "body"
            for p in c.get("parameters") or []
        ]
        if len(parameters) != len(expected):
            raise GraphError(
                132000,
                f"body: number of localizable_params ({len(parameters)}) "
                f"does not match the expected number of params ({len(expected)})",
            )
        for parameter in parameters:
            text = str(parameter.get("text") or "")
            if not text or re.search(r"[\n\t]| {5,}", text):
                raise GraphError(
                    100,
                    "Param text cannot have new-line/tab characters or "
                    "more than 4 consecutive spaces",
                )
            named = parameter.get("parameter_name")
            if named is not None and named not in expected:
                raise GraphError(100, f"Parameter name {named} does not exist in the template")

    # webhooks ----------------------------------------------------------------------------

    def status_payload(self, message: dict[str, Any], status: str, code: int | None = None):
        item: dict[str, Any] = {
            "id": message["id"],
            "status": status,
            "timestamp": str(int(time.time())),
            "recipient_id": message["to"].removeprefix("+"),
            "pricing": {"billable": True, "pricing_model": "PMP", "category": "utility"},
        }
        if message.get("callback_data"):
            item["biz_opaque_callback_data"] = message["callback_data"]
        if code is not None:
            item["errors"] = [
                {
                    "code": code,
                    "title": TITLES.get(code, "Error"),
                    "error_data": {"details": TITLES.get(code, "")},
                }
            ]
        return self._envelope({"statuses": [item]})

    def inbound_payload(self, phone: str, text: str) -> dict[str, Any]:
        wa_id = phone.removeprefix("+")
        item = {
            "from": wa_id,
            "id": "wamid.IN" + secrets.token_hex(10).upper(),
            "timestamp": str(int(time.time())),
            "type": "text",
            "text": {"body": text},
        }
        contacts = [{"profile": {"name": "Citizen"}, "wa_id": wa_id}]
        return self._envelope({"contacts": contacts, "messages": [item]})

    def _envelope(self, value: dict[str, Any]) -> dict[str, Any]:
        metadata = {"display_phone_number": "33123456789", "phone_number_id": self.phone_number_id}
        return {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": self.waba_id,
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": metadata,
                                **value,
                            },
                        }
                    ],
                }
            ],
        }

    def post_webhook(self, payload: dict[str, Any], *, signed: bool = True) -> int:
        """POST `payload` to `webhook_url` as Meta does (signed on the raw body)."""
        raw = json.dumps(payload, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "facebookexternalua"}
        if signed:
            headers["X-Hub-Signature-256"] = signature(raw, self.app_secret)
        request = urllib.request.Request(self.webhook_url, raw, headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=5) as reply:
                code = reply.status
        except urllib.error.HTTPError as exc:
            code = exc.code
        with self.lock:
            self.webhook_results.append(code)
        return code

    def send_status(self, wamid: str, status: str, code: int | None = None) -> int:
        message = next(m for m in self.messages if m["id"] == wamid)
        return self.post_webhook(self.status_payload(message, status, code))

    def _queue_status(self, message: dict[str, Any], status: str, code: int | None = None):
        self._outbox.put(("status", self.status_payload(message, status, code)))

    def _post_webhooks(self) -> None:
        while (item := self._outbox.get()) is not None:
            try:
                self.post_webhook(item[1])
            except OSError:  # a webhook target that is down must not kill the fake
                pass


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.whatsapp", description=__doc__)
    parser.add_argument("--access-token", default="")
    parser.add_argument("--throughput", type=float, default=80.0)
    parser.add_argument("--pair-interval", type=float, default=6.0)

    def build(args: argparse.Namespace) -> FakeWhatsApp:
        fake = FakeWhatsApp(
            throughput=args.throughput,
            pair_interval=args.pair_interval,
            host=args.host,
            port=args.port,
            templates=[template("crieur_annonce", "fr", "{{1}}\n\n{{2}}\n\n{{3}}")],
        )
        if args.access_token:
            fake.access_token = args.access_token
        return fake

    run_as_process(build, parser)


if __name__ == "__main__":
    main()
