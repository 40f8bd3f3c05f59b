"""Local fakes of Mastodon, Bluesky (PDS), X API v2 and the Facebook Graph API.

Each speaks its platform's wire format closely enough for the real client (Mastodon.py,
httpx), records every request, and can inject failures::

    with FakeMastodon(token="secret") as fake:
        channel = MastodonChannel(MastodonConfig(fake.base_url, "secret"))
        fake.fail_next(500)              # next POST answers 500 (times=, delay= for timeouts)
        fake.fail_next(200, delay=1.0)   # accept and record, but answer after 1 s
        fake.posts                       # what was published, in order

Failures apply to publishing requests only (POST), never to version or session checks.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from renderers.social import bluesky_length, mastodon_length, x_length


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    query: dict[str, str] = field(default_factory=dict)  # a POST's or PUT's query string


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Fault:
    status: int
    delay: float


class FakeServer:
    """A threaded HTTP server; subclasses implement `handle(method, path, headers, body)`."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.posts: list[dict[str, Any]] = []
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(110_000_000_000_000_001)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                fake._serve(self, "GET")

            def do_POST(self) -> None:
                fake._serve(self, "POST")

            def do_PUT(self) -> None:
                fake._serve(self, "PUT")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, status: int, *, times: int = 1, delay: float = 0.0) -> None:
        """The next `times` POSTs answer `status` (a 2xx is processed, then answered late)."""
        self._faults.extend(_Fault(status, delay) for _ in range(times))

    def new_id(self) -> str:
        return str(next(self._ids))

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body = self.parse_body(handler.headers.get("Content-Type", ""), raw)
        url = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if method == "GET":
            body = query
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.requests.append(Recorded(method, url.path, headers, body, query))
            publishing = self.publishes(method, url.path)
            fault = self._faults.pop(0) if publishing and self._faults else None
            if fault and fault.status >= 300:
                reply = self.error_reply(fault.status)
            else:
                reply = self.handle(method, url.path, headers, body)
        if fault and fault.delay:
            time.sleep(fault.delay)
        self._write(handler, reply)

    def parse_body(self, content_type: str, raw: bytes) -> Any:
        """JSON, or form fields; subclasses taking files or binary uploads override it."""
        if "json" in content_type:
            return json.loads(raw or b"null")
        if raw:
            return {k: v[-1] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
        return {}

    @staticmethod
    def _write(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        data = b"" if reply.body is None else json.dumps(reply.body).encode()
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test): nothing to answer

    def publishes(self, method: str, path: str) -> bool:
        """Whether a request creates content: only those draw injected faults."""
        return method == "POST"

    def error_reply(self, status: int) -> Reply:
        headers = {"Retry-After": "1"} if status == 429 else {}
        return Reply(status, {"error": f"injected {status}"}, headers)

    def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Reply:
        raise NotImplementedError


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class FakeMastodon(FakeServer):
    """Mastodon 4.3: instance info, `POST /api/v1/statuses` with Idempotency-Key (1 h)."""

    def __init__(self, token: str = "mastodon-token", *, max_characters: int = 500) -> None:
        super().__init__()
        self.token = token
        self.max_characters = max_characters
        self._by_key: dict[tuple[str, str], dict[str, Any]] = {}
        self.notifications: list[dict[str, Any]] = []  # newest last

    def mention(self, text: str, *, acct: str = "alice@other.social", reply_to: str = "") -> str:
        """Someone mentions or replies to the account; the status id (a notification too)."""
        status_id = self.new_id()
        account = {"id": str(abs(hash(acct)) % 10**9), "acct": acct, "username": acct.split("@")[0]}
        status = {
            "id": status_id,
            "content": f"<p>{text}</p>",
            "url": f"https://other.social/@{account['username']}/{status_id}",
            "in_reply_to_id": reply_to or None,
            "account": account,
            "created_at": _now(),
        }
        self.notifications.append(
            {
                "id": self.new_id(),
                "type": "mention",
                "created_at": _now(),
                "account": account,
                "status": status,
            }
        )
        return status_id

    def _instance(self, version: int) -> dict[str, Any]:
        statuses = {"max_characters": self.max_characters, "characters_reserved_per_url": 23}
        info = {
            "uri": "fake.social",
            "title": "Fake",
            "version": "4.3.0",
            "api_versions": {"mastodon": 2},
            "configuration": {"statuses": statuses},
        }
        if version == 2:
            info["domain"] = info.pop("uri")
        return info

    def handle(self, method, path, headers, body) -> Reply:
        if method == "GET" and path in ("/api/v1/instance", "/api/v2/instance"):
            return Reply(200, self._instance(2 if "/v2/" in path else 1))
        if (method, path) == ("GET", "/api/v1/accounts/verify_credentials"):
            if headers.get("authorization") != f"Bearer {self.token}":
                return Reply(401, {"error": "The access token is invalid"})
            return Reply(200, self.account())
        if method == "GET" and path == "/api/v1/notifications":
            return self._notifications(headers, body)
        if (method, path) != ("POST", "/api/v1/statuses"):
            return Reply(404, {"error": "Record not found"})
        if headers.get("authorization") != f"Bearer {self.token}":
            return Reply(401, {"error": "The access token is invalid"})
        key = headers.get("idempotency-key")
        if key and (self.token, key) in self._by_key:
            return Reply(200, self._by_key[(self.token, key)])  # Mastodon replays the first
        text = str(body.get("status", ""))
        if not text.strip():
            return Reply(422, {"error": "Validation failed: Text can't be blank"})
        if mastodon_length(text) > self.max_characters:
            return Reply(
                422,
                {
                    "error": f"Validation failed: Text character limit of "
                    f"{self.max_characters} exceeded"
                },
            )
        reply_to = body.get("in_reply_to_id") or None
        if reply_to and not any(p["id"] == reply_to for p in self.posts):
            return Reply(404, {"error": "Record not found"})
        status = self._status(text, reply_to, body)
        self.posts.append(status)
        if key:
            self._by_key[(self.token, key)] = status
        return Reply(200, status)

    def _notifications(self, headers: dict[str, str], query: dict[str, Any]) -> Reply:
        """`GET /api/v1/notifications?types[]=mention&since_id=&limit=`, newest first."""
        if headers.get("authorization") != f"Bearer {self.token}":
            return Reply(401, {"error": "The access token is invalid"})
        since = int(query.get("since_id") or 0)
        limit = min(int(query.get("limit") or 40), 80)
        wanted = query.get("types[]")
        found = [
            n
            for n in self.notifications
            if int(n["id"]) > since and (not wanted or n["type"] == wanted)
        ]
        return Reply(200, list(reversed(found))[:limit])

    def _status(self, text: str, reply_to: str | None, body: dict[str, Any]) -> dict[str, Any]:
        status_id = self.new_id()
        return {
            "id": status_id,
            "uri": f"https://fake.social/users/mairie/statuses/{status_id}",
            "url": f"https://fake.social/@mairie/{status_id}",
            "created_at": _now(),
            "content": f"<p>{text}</p>",
            "text": text,
            "in_reply_to_id": reply_to,
            "in_reply_to_account_id": "1" if reply_to else None,
            "visibility": body.get("visibility", "public"),
            "language": body.get("language"),
            "sensitive": False,
            "spoiler_text": "",
            "media_attachments": [],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "reblogs_count": 0,
            "favourites_count": 0,
            "replies_count": 0,
            "reblog": None,
            "poll": None,
            "card": None,
            "account": self.account(),
        }

    def account(self) -> dict[str, Any]:
        return {
            "id": "1",
            "username": "mairie",
            "acct": "mairie",
            "display_name": "Mairie",
            "created_at": _now(),
            "locked": False,
            "bot": False,
            "note": "",
            "url": "https://fake.social/@mairie",
            "avatar": "",
            "header": "",
            "followers_count": 0,
            "following_count": 0,
            "statuses_count": len(self.posts),
            "emojis": [],
            "fields": [],
        }


class FakeBluesky(FakeServer):
    """A PDS: createSession, createRecord (app.bsky.feed.post), getRecord, rkey uniqueness."""

    def __init__(self, handle: str = "mairie.bsky.social", password: str = "app-pass") -> None:
        super().__init__()
        self.account_handle, self.password = handle, password
        self.did = "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]
        self.sessions = 0
        self._tokens: set[str] = set()
        self.records: dict[str, dict[str, Any]] = {}  # rkey → {"uri", "cid", "value"}

    def publishes(self, method: str, path: str) -> bool:
        return path == "/xrpc/com.atproto.repo.createRecord"

    def expire_sessions(self) -> None:
        self._tokens.clear()

    def handle(self, method, path, headers, body) -> Reply:
        if path == "/xrpc/com.atproto.server.createSession":
            return self._create_session(body)
        if path not in ("/xrpc/com.atproto.repo.createRecord", "/xrpc/com.atproto.repo.getRecord"):
            return Reply(404, {"error": "MethodNotImplemented", "message": path})
        token = headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self._tokens:
            return Reply(400, {"error": "ExpiredToken", "message": "Token has expired"})
        if path.endswith("getRecord"):
            found = self.records.get(body.get("rkey", ""))
            if not found:
                return Reply(400, {"error": "RecordNotFound", "message": "Could not locate record"})
            return Reply(200, found)
        return self._create_record(body)

    def _create_session(self, body: dict[str, Any]) -> Reply:
        if (body.get("identifier"), body.get("password")) != (self.account_handle, self.password):
            return Reply(401, {"error": "AuthenticationRequired", "message": "Invalid password"})
        self.sessions += 1
        token = f"jwt-{self.sessions}"
        self._tokens.add(token)
        return Reply(
            200,
            {
                "accessJwt": token,
                "refreshJwt": f"refresh-{self.sessions}",
                "handle": self.account_handle,
                "did": self.did,
            },
        )

    def _create_record(self, body: dict[str, Any]) -> Reply:
        record = body.get("record") or {}
        if (
            body.get("repo") not in (self.did, self.account_handle)
            or body.get("collection") != "app.bsky.feed.post"
        ):
            return Reply(400, {"error": "InvalidRequest", "message": "bad repo or collection"})
        if bluesky_length(record.get("text", "")) > 300:
            return Reply(400, {"error": "InvalidRequest", "message": "Record/text too long"})
        rkey = body.get("rkey") or self.new_id()
        if rkey in self.records:
            return Reply(400, {"error": "InvalidRequest", "message": "Record already exists"})
        parent = (record.get("reply") or {}).get("parent", {}).get("uri")
        if parent and not any(r["uri"] == parent for r in self.records.values()):
            return Reply(400, {"error": "InvalidRequest", "message": "reply parent not found"})
        uri = f"at://{self.did}/app.bsky.feed.post/{rkey}"
        cid = (
            "bafyrei" + hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()[:40]
        )
        self.records[rkey] = {"uri": uri, "cid": cid, "value": record}
        self.posts.append({"uri": uri, "cid": cid, "rkey": rkey, **record})
        return Reply(200, {"uri": uri, "cid": cid, "commit": {"cid": cid, "rev": rkey}})


class FakeX(FakeServer):
    """X API v2: `POST /2/tweets` with a user-context bearer token; duplicate text is a 403."""

    def __init__(self, token: str = "x-user-token") -> None:
        super().__init__()
        self.token = token

    def error_reply(self, status: int) -> Reply:
        headers = {"x-rate-limit-reset": str(int(time.time()) + 900)} if status == 429 else {}
        return Reply(
            status,
            {
                "title": "Injected",
                "detail": f"injected {status}",
                "type": "about:blank",
                "status": status,
            },
            headers,
        )

    def handle(self, method, path, headers, body) -> Reply:
        if (method, path) not in (("POST", "/2/tweets"), ("GET", "/2/users/me")):
            return Reply(404, {"title": "Not Found Error", "status": 404})
        if headers.get("authorization") != f"Bearer {self.token}":
            return Reply(
                401,
                {
                    "title": "Unauthorized",
                    "type": "about:blank",
                    "status": 401,
                    "detail": "Unauthorized",
                },
            )
        if method == "GET":
            return Reply(
                200, {"data": {"id": "2244994945", "name": "Mairie", "username": "mairie"}}
            )
        text = str(body.get("text", ""))
        if x_length(text) > 280:
            return Reply(
                400, {"errors": [{"message": "text too long"}], "title": "Invalid Request"}
            )
        if any(p["text"] == text for p in self.posts):
            return Reply(
                403,
                {
                    "detail": "You are not allowed to create a Tweet with duplicate content.",
                    "type": "about:blank",
                    "title": "Forbidden",
                    "status": 403,
                },
            )
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if reply_to and not any(p["id"] == reply_to for p in self.posts):
            return Reply(400, {"errors": [{"message": "in_reply_to_tweet_id not found"}]})
        tweet = {"id": self.new_id(), "text": text, "in_reply_to": reply_to}
        self.posts.append(tweet)
        return Reply(
            201,
            {"data": {"id": tweet["id"], "text": text, "edit_history_tweet_ids": [tweet["id"]]}},
        )


class FakeFacebook(FakeServer):
    """Graph API: `POST /v21.0/{page-id}/feed` with a page access token; Graph error shape."""

    def __init__(self, page_id: str = "1234567890", token: str = "page-token") -> None:
        super().__init__()
        self.page_id, self.token = page_id, token
        self.comments: dict[str, dict[str, Any]] = {}  # comment id → comment (with is_hidden)
        self._minute = itertools.count(1)

    def comment(self, post_id: str, message: str, *, name: str = "Jean Public") -> str:
        """A visitor comments a post of the page; the comment id."""
        comment_id = f"{post_id.split('_')[-1]}_{self.new_id()}"
        minute = next(self._minute)
        self.comments[comment_id] = {
            "id": comment_id,
            "post": post_id,
            "message": message,
            "from": {"id": str(abs(hash(name)) % 10**9), "name": name},
            "created_time": f"2026-11-21T10:{minute // 60:02d}:{minute % 60:02d}+0000",
            "permalink_url": f"https://facebook.example/{comment_id}",
            "is_hidden": False,
        }
        return comment_id

    def publishes(self, method: str, path: str) -> bool:
        return method == "POST" and path.endswith("/feed")

    @staticmethod
    def _invalid_token() -> Reply:
        error = {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}
        return Reply(400, {"error": error})

    def _token_ok(self, headers: dict[str, str], body: Any) -> bool:
        token = body.get("access_token") or headers.get("authorization", "").removeprefix("Bearer ")
        return token == self.token

    def _feed(self) -> Reply:
        posts = []
        for post in reversed(self.posts):
            mine = [
                {k: c[k] for k in ("id", "message", "from", "created_time", "permalink_url")}
                for c in self.comments.values()
                if c["post"] == post["id"] and not c["is_hidden"]
            ]
            posts.append(
                {"id": post["id"], "comments": {"data": mine}} if mine else {"id": post["id"]}
            )
        return Reply(200, {"data": posts})

    def error_reply(self, status: int) -> Reply:
        code = {429: 32, 500: 2, 400: 100}.get(status, 1)
        status = 400 if status == 429 else status  # Graph reports rate limits as 400 + code 32
        return Reply(
            status,
            {
                "error": {
                    "message": "(#32) Page request limit reached"
                    if code == 32
                    else f"injected {status}",
                    "type": "OAuthException",
                    "code": code,
                    "fbtrace_id": "AbCdEf",
                }
            },
        )

    def handle(self, method, path, headers, body) -> Reply:
        parts = path.strip("/").split("/")
        if len(parts) in (2, 3) and not self._token_ok(headers, body):
            return self._invalid_token()
        if method == "GET" and parts[1:] == [self.page_id, "feed"]:
            return self._feed()
        if method == "POST" and len(parts) == 2 and parts[1] in self.comments:
            hidden = str(body.get("is_hidden", "")).lower() == "true"
            self.comments[parts[1]]["is_hidden"] = hidden
            return Reply(200, {"success": True})
        if method == "GET" and len(parts) == 2:
            return self._page(parts[1], headers, body)
        if method != "POST" or len(parts) != 3 or parts[2] != "feed" or parts[1] != self.page_id:
            return Reply(
                400,
                {
                    "error": {
                        "message": "Unknown path components",
                        "code": 2500,
                        "type": "OAuthException",
                    }
                },
            )
        if not self._token_ok(headers, body):
            return self._invalid_token()
        if not str(body.get("message", "")).strip():
            return Reply(
                400,
                {
                    "error": {
                        "message": "(#100) message is empty",
                        "code": 100,
                        "type": "OAuthException",
                    }
                },
            )
        post_id = f"{self.page_id}_{self.new_id()}"
        self.posts.append({"id": post_id, "message": body["message"], "link": body.get("link")})
        return Reply(200, {"id": post_id})

    def _page(self, page_id: str, headers: dict[str, str], query: dict[str, Any]) -> Reply:
        """`GET /{version}/{page-id}?fields=id,name`, as Graph answers it."""
        token = query.get("access_token") or headers.get("authorization", "").removeprefix(
            "Bearer "
        )
        if token != self.token:
            return self._invalid_token()
        if page_id != self.page_id:
            return Reply(
                400,
                {
                    "error": {
                        "message": f"Unsupported get request. Object with ID '{page_id}' does "
                        "not exist, cannot be loaded due to missing permissions, or does not "
                        "support this operation.",
                        "type": "GraphMethodException",
                        "code": 100,
                        "error_subcode": 33,
                    }
                },
            )
        return Reply(200, {"id": self.page_id, "name": "Mairie de Saint-Crieur"})
