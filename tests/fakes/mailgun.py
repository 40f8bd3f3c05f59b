"""A local fake of Mailgun's send API and of the tracking webhooks Mailgun posts back.

    with FakeMailgun() as fake:
        settings = fake.settings()                # esp, api_key, api_url, webhook secrets
        ...
        fake.messages                             # every accepted message (the form fields)
        payload = fake.event(fake.messages[0], "failed")   # a signed hard bounce
        fake.auth_header()                        # the basic auth Mailgun was given

Wire format (what django-anymail's Mailgun backend speaks): `POST /v3/{domain}/messages`
with basic auth `api:{key}` and a form (`from`, `to` (repeated), `subject`, `text`, `html`,
`h:{Header}`); answers `{"id": "<…@domain>", "message": "Queued. Thank you."}`, 401 `Forbidden`
for a bad key, 404 `Domain not found` for a domain it does not send for, 400 for a missing
field. Webhooks (the JSON form): `{"signature": {"timestamp", "token", "signature"},
"event-data": {…}}`, the signature being HMAC-SHA256(signing key, timestamp + token); the
message is named by its id without `<>` in `event-data.message.headers.message-id`.

As a process (`python -m tests.fakes.mailgun --api-key KEY`): `GET /_fake/count`.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import itertools
import secrets
import time
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.jsonapi import Answer, JSONServer, Request, run_as_process

DOMAIN = "saint-crieur.example"
PERMANENT = {"code": 550, "message": "5.1.1 The email account does not exist", "description": ""}


class FakeMailgun(JSONServer):
    def __init__(self, domains: tuple[str, ...] = (DOMAIN,), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.domains = set(domains)
        self.api_key = "key-" + secrets.token_hex(16)
        self.signing_key = secrets.token_hex(16)
        self.webhook_secret = "mailgun:" + secrets.token_urlsafe(18)
        self.messages: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    def settings(self) -> dict[str, str]:
        """An email account's settings for this fake (text, as an admin types them)."""
        return {
            "esp": "mailgun",
            "api_key": self.api_key,
            "api_url": f"{self.base_url}/v3",
            "webhook_secret": self.webhook_secret,
            "webhook_signing_key": self.signing_key,
        }

    def control(self, method: str, path: str, data: Any) -> Any:
        if path == "/_fake/count":
            with self.lock:
                return {"messages": len(self.messages)}
        raise KeyError(path)

    def api(self, request: Request) -> Answer:
        parts = request.path.strip("/").split("/")
        if (
            request.method != "POST"
            or len(parts) != 3
            or parts[0] != "v3"
            or parts[2] != "messages"
        ):
            return Answer(404, {"message": "Mailgun Magnificent API"})
        if request.headers.get("authorization") != _basic("api", self.api_key):
            return Answer(401, {"message": "Forbidden"})
        domain = parts[1]
        if domain not in self.domains:
            return Answer(404, {"message": "Domain not found"})
        form = parse_qs(request.raw.decode(), keep_blank_values=True)
        for name in ("from", "to", "subject"):
            if not form.get(name):
                return Answer(400, {"message": f"'{name}' parameter is missing"})
        if not (form.get("text") or form.get("html")):
            return Answer(400, {"message": "Need at least one of 'text' or 'html' parameters"})
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
        message_id = f"{stamp}.{next(self._ids)}.{secrets.token_hex(6).upper()}@{domain}"
        message = {
            "id": message_id,
            "domain": domain,
            "from": form["from"][-1],
            "to": form["to"],
            "subject": form["subject"][-1],
            "text": form.get("text", [""])[-1],
            "html": form.get("html", [""])[-1],
            "headers": {k[2:]: v[-1] for k, v in form.items() if k.startswith("h:")},
        }
        with self.lock:
            self.messages.append(message)
        return Answer(200, {"id": f"<{message_id}>", "message": "Queued. Thank you."})

    # webhooks -------------------------------------------------------------------------------

    def event(
        self, message: dict[str, Any], event: str, *, severity: str = "permanent", key=None
    ) -> dict[str, Any]:
        """Mailgun's webhook body for `message`: `failed` (permanent: a hard bounce;
        temporary: deferred), `complained`, `delivered`…, signed with the signing key."""
        timestamp, token = str(int(time.time())), secrets.token_hex(25)
        digest = hmac.new(
            (key or self.signing_key).encode(), f"{timestamp}{token}".encode(), hashlib.sha256
        ).hexdigest()
        data: dict[str, Any] = {
            "event": event,
            "id": secrets.token_urlsafe(16),
            "timestamp": time.time(),
            "recipient": message["to"][0].rpartition("<")[2].rstrip(">"),
            "tags": [],
            "user-variables": {},
            "message": {
                "headers": {
                    "message-id": message["id"],
                    "from": message["from"],
                    "to": message["to"][0],
                    "subject": message["subject"],
                }
            },
        }
        if event == "failed":
            data |= {"severity": severity, "reason": "bounce", "delivery-status": PERMANENT}
        return {
            "signature": {"timestamp": timestamp, "token": token, "signature": digest},
            "event-data": data,
        }

    def auth_header(self, secret: str | None = None) -> str:
        """The `Authorization` header Mailgun sends: the user:password of the webhook URL."""
        user, _, password = (secret or self.webhook_secret).partition(":")
        return _basic(user, password)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.mailgun", description=__doc__)
    parser.add_argument("--api-key", default="")

    def build(args: argparse.Namespace) -> FakeMailgun:
        fake = FakeMailgun(host=args.host, port=args.port)
        if args.api_key:
            fake.api_key = args.api_key
        return fake

    run_as_process(build, parser)


if __name__ == "__main__":
    main()
