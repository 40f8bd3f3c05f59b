"""LinkedIn page posts (`POST /rest/posts`), with the card through the Images API.

Every call carries `LinkedIn-Version` (versions are sunset on a rolling basis: an old one is
refused with 426, which fails the account loudly) and `X-Restli-Protocol-Version: 2.0.0`.
The commentary is the rendition's escaped "little text" (renderers/visual/posts.py): a bare
reserved character would make LinkedIn silently cut the post there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

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
from renderers.message import Rendition
from renderers.visual.media import Media, attached

_VERSION = re.compile(r"^20\d{2}(0[1-9]|1[0-2])$")
POSTING_ROLES = ("ADMINISTRATOR", "CONTENT_ADMINISTRATOR", "DIRECT_SPONSORED_CONTENT_POSTER")


@dataclass(frozen=True, repr=False)
class LinkedInConfig:
    """A LinkedIn page (organization) and a member token with `w_organization_social`,
    whose member is an administrator or poster of the page."""

    organization_id: str
    access_token: str = field(metadata=SECRET)
    api_version: str = "202510"
    base_url: str = "https://api.linkedin.com"
    timeout: float = field(default=30.0, metadata=INTERNAL)

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ChannelConfigError("linkedin: base_url must start with http:// or https://")
        if not self.organization_id.isdigit():
            raise ChannelConfigError("linkedin: organization_id is the page's number")
        if not self.access_token:
            raise ChannelConfigError("linkedin: access_token is empty")
        if not _VERSION.match(self.api_version):
            raise ChannelConfigError("linkedin: api_version is a month, YYYYMM (e.g. 202510)")

    @property
    def author(self) -> str:
        return f"urn:li:organization:{self.organization_id}"

    def __repr__(self) -> str:
        return (
            f"LinkedInConfig(organization_id={self.organization_id!r}, "
            f"access_token={mask(self.access_token)!r}, api_version={self.api_version!r})"
        )


class LinkedInChannel(Channel):
    name: ClassVar[str] = "linkedin"
    family: ClassVar[str] = "social"
    forms: ClassVar[tuple[str, ...]] = ("linkedin",)
    body_maxlen: ClassVar[int | None] = 3000
    request_rate_per_sec: ClassVar[float | None] = 1.0

    def __init__(self, config: LinkedInConfig) -> None:
        self.config = config
        self._http = httpx.Client(base_url=config.base_url, timeout=config.timeout)

    @property
    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.config.access_token}",
            "LinkedIn-Version": self.config.api_version,
            "X-Restli-Protocol-Version": "2.0.0",
        }

    def try_send(
        self, rendition: Rendition, recipient: Recipient, *, idempotency_key: str
    ) -> Receipt:
        commentary = rendition.meta.get("commentary")
        if not isinstance(commentary, str) or not commentary:
            raise PermanentChannelError("linkedin: the rendition has no escaped commentary")
        post: dict[str, Any] = {
            "author": self.config.author,
            "commentary": commentary,
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        images = [m for m in attached(rendition) if m.is_image]
        if images:
            post["content"] = {"media": {"id": self._upload(images[0]), "altText": images[0].alt}}
        response = self._request("POST", "/rest/posts", json=post)
        post_urn = response.headers.get("x-restli-id", "")
        if not post_urn:
            raise UnknownOutcomeError("linkedin: created, but no x-restli-id in the answer")
        return Receipt(provider_ref=post_urn)

    def check(self, to: str = "") -> str:
        """A dry check: the token's member may post for the page (nothing is posted)."""
        response = self._request(
            "GET", "/rest/organizationAcls", params={"q": "roleAssignee", "state": "APPROVED"}
        )
        roles = [
            element.get("role")
            for element in response.json().get("elements", [])
            if element.get("organization") == self.config.author
        ]
        allowed = [role for role in roles if role in POSTING_ROLES]
        if not allowed:
            raise PermanentChannelError(
                f"linkedin: this member cannot post for {self.config.author} (roles: "
                f"{', '.join(map(str, roles)) or 'none'})"
            )
        return f"linkedin: may post for {self.config.author} as {allowed[0]}"

    def _upload(self, image: Media) -> str:
        if not image.alt.strip():
            raise PermanentChannelError("linkedin: the picture has no alt text")
        body = {"initializeUploadRequest": {"owner": self.config.author}}
        reply = self._request(
            "POST", "/rest/images", params={"action": "initializeUpload"}, json=body
        ).json()["value"]
        try:
            # The upload URL is LinkedIn's own storage: the token, but not the version headers.
            uploaded = self._http.put(
                reply["uploadUrl"],
                content=image.data,
                headers={
                    "Authorization": f"Bearer {self.config.access_token}",
                    "Content-Type": "application/octet-stream",
                },
            )
        except httpx.TransportError as exc:
            raise RetryableChannelError(f"linkedin upload: {type(exc).__name__}") from exc
        if not uploaded.is_success:
            raise error_for_status(uploaded.status_code, "linkedin: the picture upload failed")
        return str(reply["image"])

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, headers=self._headers, **kwargs)
        except httpx.TransportError as exc:
            raise _transport_error(exc) from exc
        if response.is_success:
            return response
        raise _error(response)

    def __repr__(self) -> str:
        return f"<LinkedInChannel {self.config!r}>"


def _error(response: httpx.Response) -> ChannelError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = f"linkedin: {body.get('message') or response.reason_phrase}"
    code = body.get("code") or body.get("serviceErrorCode")
    if response.status_code == 426:  # the API version was sunset: the account needs updating
        return PermanentChannelError(detail, code=code, status=426)
    return error_for_status(response.status_code, detail, code=code)


def _transport_error(exc: httpx.TransportError) -> ChannelError:
    if isinstance(exc, httpx.ReadTimeout):
        return UnknownOutcomeError("linkedin: read timeout")
    return RetryableChannelError(f"linkedin: {type(exc).__name__}")
