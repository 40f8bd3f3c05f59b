"""Bluesky: a thread of `app.bsky.feed.post` records over XRPC (plain httpx, no SDK)."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from channels.attachments import images_to_attach
from channels.base import Channel, Receipt, Recipient
from channels.config import INTERNAL, SECRET, mask
from channels.errors import (
    ChannelConfigError,
    ChannelError,
    PermanentChannelError,
    RetryableChannelError,
    UnknownOutcomeError,
    error_for_status,
)
from renderers.i18n import language
from renderers.message import Rendition

POST = "app.bsky.feed.post"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_EXPIRED = {"ExpiredToken", "InvalidToken", "AuthenticationRequired"}
MAX_BLOB = 1_000_000  # bytes: app.bsky.embed.images refuses a bigger picture


@dataclass(frozen=True, repr=False)
class BlueskyConfig:
    """One Bluesky account: its PDS, handle and an app password (never the main one)."""

    handle: str
    app_password: str = field(metadata=SECRET)
    base_url: str = "https://bsky.social"
    attach_image: bool = False  # post the card with its alt text
    timeout: float = field(default=10.0, metadata=INTERNAL)

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ChannelConfigError("bluesky: base_url must start with http:// or https://")
        if not (self.handle and self.app_password):
            raise ChannelConfigError("bluesky: handle and app_password are required")

    def __repr__(self) -> str:
        return (
            f"BlueskyConfig(handle={self.handle!r}, app_password={mask(self.app_password)!r}, "
            f"base_url={self.base_url!r})"
        )


def record_key(idempotency_key: str, index: int) -> str:
    """A valid TID derived from the key: a retried post reuses its rkey, so it cannot double.

    Its timestamp bits carry no meaning; the record's `createdAt` holds the real time.
    """
    digest = hashlib.sha256(f"{idempotency_key}:{index}".encode()).digest()
    value = int.from_bytes(digest[:8], "big") & ((1 << 63) - 1)
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


class BlueskyChannel(Channel):
    name: ClassVar[str] = "bluesky"
    family: ClassVar[str] = "social"
    forms: ClassVar[tuple[str, ...]] = ("bluesky",)
    body_maxlen: ClassVar[int | None] = 300
    request_rate_per_sec: ClassVar[float | None] = 1.0  # 5,000 points/hour, a create costs 3

    def __init__(self, config: BlueskyConfig) -> None:
        self.config = config
        self._http = httpx.Client(base_url=config.base_url, timeout=config.timeout)
        self._session: tuple[str, str] | None = None  # (access JWT, DID)
        self._lock = threading.Lock()

    def try_send(
        self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str
    ) -> Receipt:
        posts = tuple(rendition.meta.get("posts") or (rendition.text,))
        facets = tuple(rendition.meta.get("facets") or ((),) * len(posts))
        embed = self._embed_images(rendition)  # on the first post
        root: dict[str, str] | None = None
        parent: dict[str, str] | None = None
        uris = []
        for index, (text, post_facets) in enumerate(zip(posts, facets, strict=True)):
            record: dict[str, Any] = {
                "$type": POST,
                "text": text,
                "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "langs": [language(rendition.locale)],
            }
            if post_facets:
                record["facets"] = [dict(f) for f in post_facets]
            if embed and index == 0:
                record["embed"] = embed
            if root and parent:
                record["reply"] = {"root": root, "parent": parent}
            ref = self._create(record, record_key(idempotency_key, index))
            root = root or ref
            parent = ref
            uris.append(ref["uri"])
        return Receipt(provider_ref=uris[0], extra={"uris": ",".join(uris)})

    def _create(self, record: dict[str, Any], rkey: str) -> dict[str, str]:
        did = self._login()[1]
        body = {"repo": did, "collection": POST, "rkey": rkey, "record": record}
        try:
            reply = self._call("POST", "com.atproto.repo.createRecord", json=body)
        except PermanentChannelError as exc:
            # A retry after an accepted-but-unanswered create finds its own record there.
            existing = self._existing(did, rkey)
            if existing is None:
                raise exc from None
            return existing
        return {"uri": reply["uri"], "cid": reply["cid"]}

    def _existing(self, did: str, rkey: str) -> dict[str, str] | None:
        params = {"repo": did, "collection": POST, "rkey": rkey}
        try:
            found = self._call("GET", "com.atproto.repo.getRecord", params=params)
        except PermanentChannelError:
            return None
        return {"uri": found["uri"], "cid": found["cid"]}

    def _login(self, *, renew: bool = False) -> tuple[str, str]:
        with self._lock:
            if self._session is None or renew:
                body = {"identifier": self.config.handle, "password": self.config.app_password}
                reply = self._request("POST", "com.atproto.server.createSession", json=body)
                self._session = (reply["accessJwt"], reply["did"])
            return self._session

    def _call(self, method: str, nsid: str, **kwargs: Any) -> dict[str, Any]:
        try:
            return self._request(method, nsid, auth=True, **kwargs)
        except PermanentChannelError as exc:
            if exc.code not in _EXPIRED:
                raise
        self._login(renew=True)
        return self._request(method, nsid, auth=True, **kwargs)

    def _request(
        self, method: str, nsid: str, *, auth: bool = False, **kwargs: Any
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self._login()[0]}"} if auth else {}
        try:
            response = self._http.request(method, f"/xrpc/{nsid}", headers=headers, **kwargs)
        except httpx.TransportError as exc:
            raise _transport_error(exc, nsid) from exc
        if response.is_success:
            return response.json()
        error = _json(response)
        raise error_for_status(
            response.status_code,
            f"bluesky {nsid}: {error.get('message') or response.reason_phrase}",
            code=error.get("error"),
        )

    def _embed_images(self, rendition: Rendition) -> dict[str, Any] | None:
        """Upload each picture as a blob; the `app.bsky.embed.images` of the first post."""
        images = images_to_attach(
            rendition, wanted=self.config.attach_image, network="bluesky", max_bytes=MAX_BLOB
        )
        if not images:
            return None
        entries = []
        for image in images:
            blob = self._upload_blob(image.data, image.media_type)
            entry: dict[str, Any] = {"alt": image.alt, "image": blob}
            if image.width and image.height:
                entry["aspectRatio"] = {"width": image.width, "height": image.height}
            entries.append(entry)
        return {"$type": "app.bsky.embed.images", "images": entries}

    def _upload_blob(self, data: bytes, media_type: str) -> dict[str, Any]:
        for renew in (False, True):
            headers = {
                "Authorization": f"Bearer {self._login(renew=renew)[0]}",
                "Content-Type": media_type,
            }
            try:
                response = self._http.post(
                    "/xrpc/com.atproto.repo.uploadBlob", content=data, headers=headers
                )
            except httpx.TransportError as exc:
                raise RetryableChannelError(f"bluesky uploadBlob: {type(exc).__name__}") from exc
            if response.is_success:
                return response.json()["blob"]
            error = _json(response)
            if error.get("error") not in _EXPIRED:
                break
        raise error_for_status(
            response.status_code,
            f"bluesky uploadBlob: {error.get('message') or response.reason_phrase}",
            code=error.get("error"),
        )

    def check(self, to: str = "") -> str:
        """A dry check (`createSession`): the app password opens a session. `to` is not used."""
        did = self._login(renew=True)[1]
        return f"bluesky: session opened for {self.config.handle} ({did})"

    def __repr__(self) -> str:
        return f"<BlueskyChannel {self.config!r}>"


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _transport_error(exc: httpx.TransportError, what: str) -> ChannelError:
    if isinstance(exc, httpx.ReadTimeout):
        return UnknownOutcomeError(f"bluesky {what}: read timeout")
    return RetryableChannelError(f"bluesky {what}: {type(exc).__name__}")
