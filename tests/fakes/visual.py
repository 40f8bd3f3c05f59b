"""Local fakes of the networks that take pictures and video: Instagram (Graph API content
publishing), LinkedIn (Posts and Images APIs), TikTok (Content Posting API), and the media
uploads of Mastodon, Bluesky, X and Facebook, over the FakeServer of tests/fakes/social.py.

Each checks what the real one checks and answers in its shape: Instagram fetches the picture
from its public URL and refuses a progressive JPEG or a wrong aspect ratio, LinkedIn keeps
only the text before the first unescaped reserved character of the commentary (as it does,
silently), TikTok answers errors in `error.code` (even with HTTP 200) and allows 6 upload
initialisations per minute.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import io
import itertools
import json
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from PIL import Image

from tests.fakes.social import FakeBluesky, FakeFacebook, FakeMastodon, FakeServer, FakeX, Reply
from tests.renderers.visual.mp4 import read_mp4


@dataclass
class Part:
    """One field of a multipart body: text, or a file with its name and type."""

    data: bytes
    filename: str = ""
    content_type: str = ""

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


def parse_multipart(content_type: str, raw: bytes) -> dict[str, Part]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        fields[name] = Part(
            part.get_payload(decode=True) or b"",
            part.get_filename() or "",
            part.get_content_type(),
        )
    return fields


class MediaBodies:
    """Bodies as the media endpoints send them: multipart files, raw uploads, form lists."""

    def parse_body(self, content_type: str, raw: bytes) -> Any:
        if content_type.startswith("multipart/form-data"):
            return parse_multipart(content_type, raw)
        if content_type.split(";")[0].strip() in (
            "application/octet-stream",
            "image/jpeg",
            "image/png",
            "video/mp4",
        ):
            return raw
        if "json" in content_type:
            return json.loads(raw or b"null")
        if raw:
            fields = parse_qs(raw.decode(), keep_blank_values=True)
            return {k: v if k.endswith("[]") else v[-1] for k, v in fields.items()}
        return {}


def field_text(body: Any, name: str) -> str:
    value = body.get(name, "") if isinstance(body, dict) else ""
    return value.text if isinstance(value, Part) else str(value)


def fetch(url: str) -> bytes:
    """What Meta's crawler does with an `image_url` or `video_url`."""
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local test URL)
        return response.read()


def jpeg_problem(data: bytes, *, max_bytes: int = 8 * 1024 * 1024) -> str:
    """Why Instagram would refuse this picture, or "" (JPEG, baseline, size, aspect)."""
    if len(data) > max_bytes:
        return f"image is {len(data)} bytes, more than {max_bytes}"
    try:
        image = Image.open(io.BytesIO(data))
    except OSError:
        return "not an image"
    if image.format != "JPEG":
        return f"{image.format} is not JPEG"
    if "progressive" in image.info or "progression" in image.info:
        return "progressive JPEG"
    width, height = image.size
    if not 320 <= width <= 1440:
        return f"width {width} outside 320-1440"
    if not 0.8 - 0.001 <= width / height <= 1.91 + 0.001:
        return f"aspect ratio {width}:{height} outside 4:5-1.91:1"
    return ""


def is_image(data: bytes) -> bool:
    try:
        Image.open(io.BytesIO(data)).verify()
    except OSError:
        return False
    return True


def video_problem(data: bytes, *, low: float = 3, high: float = 900) -> str:
    """Why a Reel or TikTok would refuse this video, or "": MP4, H.264 + AAC, duration."""
    if data[4:8] != b"ftyp":
        return "not an MP4 file"
    movie = read_mp4(data)
    kinds = {track.handler: track for track in movie.tracks}
    if "vide" not in kinds or kinds["vide"].codec != "avc1":
        return "no H.264 video track"
    if "soun" in kinds and (kinds["soun"].codec != "mp4a" or kinds["soun"].sample_rate > 48000):
        return "audio must be AAC at 48 kHz or less"
    if not low <= movie.duration <= high:
        return f"duration {movie.duration:.1f} s outside {low}-{high} s"
    return ""


def graph_error(code: int, message: str, *, subcode: int | None = None, status: int = 400):
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = "AbCdEf"
    return Reply(status, {"error": error})


class FakeInstagram(MediaBodies, FakeServer):
    """Instagram Graph API content publishing (Facebook Login host, `/v21.0/...`)."""

    def __init__(
        self,
        ig_user_id: str = "17841400000000001",
        token: str = "ig-token",
        *,
        quota_total: int = 50,
        processing_polls: int = 1,
    ) -> None:
        super().__init__()
        self.ig_user_id, self.token = ig_user_id, token
        self.quota_total = quota_total
        self.used_before = 0  # posts published before the test, within the last 24 h
        self.processing_polls = processing_polls
        self.containers: dict[str, dict[str, Any]] = {}

    def publishes(self, method: str, path: str) -> bool:
        return method == "POST" and path.endswith("/media_publish")

    def error_reply(self, status: int) -> Reply:
        if status == 429:
            return graph_error(4, "Application request limit reached")
        return graph_error(2 if status >= 500 else 100, f"injected {status}", status=status)

    def usage(self) -> int:
        day_ago = time.time() - 86400
        return self.used_before + sum(1 for post in self.posts if post["time"] > day_ago)

    def handle(self, method, path, headers, body) -> Reply:
        query = self.requests[-1].query
        token = (
            field_text(body, "access_token")
            or query.get("access_token", "")
            or headers.get("authorization", "").removeprefix("Bearer ")
        )
        if token != self.token:
            return graph_error(190, "Invalid OAuth access token - Cannot parse access token")
        parts = path.strip("/").split("/")
        if len(parts) == 2 and method == "GET" and parts[1] in self.containers:
            return self._container_status(parts[1])
        if len(parts) == 2 and method == "GET" and parts[1] == self.ig_user_id:
            return Reply(200, {"id": self.ig_user_id, "username": "mairie.saint.crieur"})
        if len(parts) != 3 or parts[1] != self.ig_user_id:
            return graph_error(100, "Unsupported request - object does not exist", subcode=33)
        edge = parts[2]
        if (method, edge) == ("GET", "content_publishing_limit"):
            config = {"quota_total": self.quota_total, "quota_duration": 86400}
            return Reply(200, {"data": [{"quota_usage": self.usage(), "config": config}]})
        if (method, edge) == ("GET", "media"):
            recent = [{"id": p["id"], "caption": p["caption"]} for p in reversed(self.posts)]
            return Reply(200, {"data": recent[: int(body.get("limit", 25))]})
        if (method, edge) == ("POST", "media"):
            return self._create_container(body)
        if (method, edge) == ("POST", "media_publish"):
            return self._publish(field_text(body, "creation_id") or query.get("creation_id", ""))
        return graph_error(100, f"Unknown edge {edge}")

    def _create_container(self, body: dict[str, Any]) -> Reply:
        kind = field_text(body, "media_type") or "IMAGE"
        caption = field_text(body, "caption")
        if len(caption.encode("utf-16-le")) // 2 > 2200:
            return graph_error(100, "(#100) The caption is too long", subcode=2207035)
        if len(re.findall(r"#\w", caption)) > 30:
            return graph_error(100, "(#100) Too many hashtags", subcode=2207036)
        url = field_text(body, "image_url" if kind == "IMAGE" else "video_url")
        if kind not in ("IMAGE", "REELS") or not url:
            return graph_error(100, "(#100) The parameter image_url or video_url is required")
        try:
            data = fetch(url)
        except (urllib.error.URLError, OSError):
            return graph_error(9004, "Media download has failed", subcode=2207052)
        problem = jpeg_problem(data) if kind == "IMAGE" else video_problem(data)
        if kind == "IMAGE" and problem:
            return graph_error(36003, f"The image is not supported: {problem}", subcode=2207009)
        container_id = self.new_id()
        self.containers[container_id] = {
            "kind": kind,
            "caption": caption,
            "alt_text": field_text(body, "alt_text"),
            "url": url,
            "bytes": len(data),
            "polls": self.processing_polls,
            "problem": problem,
            "status": "IN_PROGRESS",
        }
        return Reply(200, {"id": container_id})

    def _container_status(self, container_id: str) -> Reply:
        container = self.containers[container_id]
        if container["status"] == "IN_PROGRESS":
            if container["polls"] > 0:
                container["polls"] -= 1
            else:
                container["status"] = "ERROR" if container["problem"] else "FINISHED"
        reply = {"id": container_id, "status_code": container["status"]}
        if container["status"] == "ERROR":
            reply["status"] = f"Error: {container['problem']}"
        return Reply(200, reply)

    def _publish(self, creation_id: str) -> Reply:
        container = self.containers.get(creation_id)
        if container is None:
            return graph_error(100, "(#100) Param creation_id is not a valid container id")
        if container["status"] == "PUBLISHED":
            return graph_error(100, "(#100) The media has already been published", subcode=2207050)
        if container["status"] != "FINISHED":
            return graph_error(9007, "Media ID is not available", subcode=2207027)
        if self.usage() >= self.quota_total:
            return graph_error(9, "Application request limit reached", subcode=2207042)
        container["status"] = "PUBLISHED"
        media_id = self.new_id()
        self.posts.append({"id": media_id, "time": time.time(), "media_type": container["kind"]})
        self.posts[-1].update({k: container[k] for k in ("caption", "alt_text", "url", "bytes")})
        return Reply(200, {"id": media_id})


_LITTLE_RESERVED = set("\\|{}@[]()<>#*_~")
_HASHTAG_TEMPLATE = re.compile(r"\{hashtag\|\\#\|((?:\\.|[^\\{}|])+)\}")
_MENTION_TEMPLATE = re.compile(r"@\[((?:\\.|[^\\\]])+)\]\((urn:li:(?:organization|person):\w+)\)")


def read_little_text(commentary: str) -> str:
    """What LinkedIn shows: escapes undone, templates rendered, and everything from the first
    unescaped reserved character on silently dropped."""
    shown: list[str] = []
    index = 0
    while index < len(commentary):
        char = commentary[index]
        if char == "\\" and index + 1 < len(commentary):
            shown.append(commentary[index + 1])
            index += 2
            continue
        template = _HASHTAG_TEMPLATE.match(commentary, index) or _MENTION_TEMPLATE.match(
            commentary, index
        )
        if template:
            word = re.sub(r"\\(.)", r"\1", template.group(1))
            shown.append("#" + word if char == "{" else word)
            index = template.end()
            continue
        if char in _LITTLE_RESERVED:
            break
        shown.append(char)
        index += 1
    return "".join(shown)


class FakeLinkedIn(MediaBodies, FakeServer):
    """LinkedIn Posts API (`/rest/posts`) and Images API, versioned headers required."""

    def __init__(
        self,
        organization_id: str = "5515715",
        token: str = "li-token",
        *,
        versions: tuple[str, ...] = ("202505", "202506", "202507", "202508", "202509", "202510"),
    ) -> None:
        super().__init__()
        self.organization, self.token, self.versions = organization_id, token, versions
        self.roles: list[str] = ["ADMINISTRATOR"]  # the token's member on the page
        self.images: dict[str, dict[str, Any]] = {}
        self._image_ids = itertools.count(1)

    @property
    def author(self) -> str:
        return f"urn:li:organization:{self.organization}"

    def publishes(self, method: str, path: str) -> bool:
        return (method, path) == ("POST", "/rest/posts")

    def error_reply(self, status: int) -> Reply:
        return Reply(status, {"status": status, "message": f"injected {status}"})

    @staticmethod
    def _error(status: int, message: str, code: str = "") -> Reply:
        body: dict[str, Any] = {"status": status, "message": message}
        if code:
            body["code"] = code
        return Reply(status, body)

    def handle(self, method, path, headers, body) -> Reply:
        if headers.get("authorization") != f"Bearer {self.token}":
            return self._error(401, "Invalid access token", "REVOKED_ACCESS_TOKEN")
        if path.startswith("/dms-uploads/") and method == "PUT":
            return self._upload(path.rsplit("/", 1)[1], body)
        version = headers.get("linkedin-version", "")
        if version not in self.versions:
            return self._error(
                426, f"Requested version {version!r} is not active", "NONEXISTENT_VERSION"
            )
        if headers.get("x-restli-protocol-version") != "2.0.0":
            return self._error(400, "X-Restli-Protocol-Version 2.0.0 is required")
        action = self.requests[-1].query.get("action")
        if (method, path, action) == ("POST", "/rest/images", "initializeUpload"):
            return self._initialise(body)
        if (method, path) == ("POST", "/rest/posts"):
            return self._post(body)
        if (method, path) == ("GET", "/rest/organizationAcls") and body.get("q") == "roleAssignee":
            elements = [
                {
                    "roleAssignee": "urn:li:person:a1b2c3",
                    "role": role,
                    "state": "APPROVED",
                    "organization": self.author,
                }
                for role in self.roles
            ]
            return Reply(200, {"elements": elements, "paging": {"count": 10, "start": 0}})
        return self._error(404, f"No resource {method} {path}")

    def _initialise(self, body: dict[str, Any]) -> Reply:
        owner = (body.get("initializeUploadRequest") or {}).get("owner")
        if owner != self.author:
            return self._error(403, f"Not enough permissions to upload for {owner}")
        image_id = f"C4E10AQ{next(self._image_ids):010d}"
        self.images[f"urn:li:image:{image_id}"] = {"owner": owner, "data": None}
        expires = int(time.time() * 1000) + 3_600_000
        url = f"{self.base_url}/dms-uploads/{image_id}"
        return Reply(
            200,
            {
                "value": {
                    "uploadUrlExpiresAt": expires,
                    "uploadUrl": url,
                    "image": f"urn:li:image:{image_id}",
                }
            },
        )

    def _upload(self, image_id: str, data: Any) -> Reply:
        image = self.images.get(f"urn:li:image:{image_id}")
        if image is None or not isinstance(data, bytes):
            return self._error(400, "Unknown upload or empty body")
        if not is_image(data):
            return self._error(400, "The upload is not an image")
        image["data"] = data
        return Reply(201)

    def _post(self, body: dict[str, Any]) -> Reply:
        if body.get("author") != self.author:
            return self._error(403, "Not enough permissions to post as this author")
        commentary = str(body.get("commentary", ""))
        if len(commentary) > 3000:
            return self._error(422, "commentary is longer than 3000 characters")
        expected = {
            "visibility": "PUBLIC",
            "lifecycleState": "PUBLISHED",
        }
        for key, value in expected.items():
            if body.get(key) != value:
                return self._error(422, f"{key} must be {value}")
        if (body.get("distribution") or {}).get("feedDistribution") != "MAIN_FEED":
            return self._error(422, "distribution.feedDistribution must be MAIN_FEED")
        media = (body.get("content") or {}).get("media")
        if media is not None:
            image = self.images.get(media.get("id", ""))
            if image is None or image["data"] is None:
                return self._error(422, f"image {media.get('id')} is not uploaded")
        post_id = f"urn:li:share:{self.new_id()}"
        self.posts.append(
            {
                "id": post_id,
                "commentary": commentary,
                "shown": read_little_text(commentary),
                "image": (media or {}).get("id"),
                "alt": (media or {}).get("altText"),
            }
        )
        return Reply(201, None, {"x-restli-id": post_id})


MB = 1024 * 1024


def tiktok_reply(
    data: dict[str, Any] | None = None, *, code: str = "ok", message: str = "", status: int = 200
) -> Reply:
    error = {"code": code, "message": message, "log_id": "202601011200000000AB"}
    return Reply(status, {"data": data or {}, "error": error})


class FakeTikTok(MediaBodies, FakeServer):
    """TikTok Content Posting API: creator info, direct post or inbox upload, chunked PUT
    upload, status fetch. `scopes` and `audited` describe the app and the user's grant."""

    def __init__(
        self,
        token: str = "tt-token",
        *,
        scopes: tuple[str, ...] = ("video.upload", "video.publish"),
        audited: bool = False,
        max_duration: int = 600,
    ) -> None:
        super().__init__()
        self.token, self.scopes, self.audited = token, scopes, audited
        self.max_duration = max_duration
        self.inits: list[float] = []
        self.uploads: dict[str, dict[str, Any]] = {}
        self._answers: list[tuple[int, str]] = []

    def answer_next(self, code: str, *, status: int = 200) -> None:
        """The next API call (not an upload) answers this `error.code`, with this HTTP status."""
        self._answers.append((status, code))

    def publishes(self, method: str, path: str) -> bool:
        return path.endswith("/video/init/")

    def error_reply(self, status: int) -> Reply:
        code = {429: "rate_limit_exceeded", 401: "access_token_invalid"}.get(
            status, "internal_error"
        )
        return tiktok_reply(code=code, message=f"injected {status}", status=status)

    def handle(self, method, path, headers, body) -> Reply:
        if path == "/upload/" and method == "PUT":
            return self._upload(headers, body)
        if headers.get("authorization") != f"Bearer {self.token}":
            return tiktok_reply(
                code="access_token_invalid", message="The access token is invalid", status=401
            )
        if self._answers:
            status, code = self._answers.pop(0)
            return tiktok_reply(code=code, message=f"answered {code}", status=status)
        if path == "/v2/post/publish/creator_info/query/":
            return self._creator_info()
        if path in ("/v2/post/publish/video/init/", "/v2/post/publish/inbox/video/init/"):
            return self._init(path, body)
        if path == "/v2/post/publish/status/fetch/":
            return self._status(str(body.get("publish_id", "")))
        return tiktok_reply(code="invalid_params", message=f"unknown path {path}", status=404)

    def _creator_info(self) -> Reply:
        options = [
            "PUBLIC_TO_EVERYONE",
            "MUTUAL_FOLLOW_FRIENDS",
            "FOLLOWER_OF_CREATOR",
            "SELF_ONLY",
        ]
        return tiktok_reply(
            {
                "creator_avatar_url": "https://p16.example/avatar.jpeg",
                "creator_username": "mairie.saint.crieur",
                "creator_nickname": "Mairie de Saint-Crieur",
                "privacy_level_options": options if self.audited else ["SELF_ONLY"],
                "comment_disabled": False,
                "duet_disabled": False,
                "stitch_disabled": True,
                "max_video_post_duration_sec": self.max_duration,
            }
        )

    def _init(self, path: str, body: dict[str, Any]) -> Reply:
        direct = "/inbox/" not in path
        scope = "video.publish" if direct else "video.upload"
        if scope not in self.scopes:
            return tiktok_reply(
                code="scope_not_authorized", message=f"{scope} not granted", status=401
            )
        now = time.monotonic()
        self.inits = [t for t in self.inits if now - t < 60]
        if len(self.inits) >= 6:
            return tiktok_reply(
                code="rate_limit_exceeded", message="6 requests per minute", status=429
            )
        self.inits.append(now)
        source = body.get("source_info") or {}
        problem = _chunk_problem(source)
        if problem:
            return tiktok_reply(code="invalid_params", message=problem, status=400)
        info = body.get("post_info") or {}
        if direct:
            privacy = info.get("privacy_level")
            if privacy not in (
                "PUBLIC_TO_EVERYONE",
                "MUTUAL_FOLLOW_FRIENDS",
                "FOLLOWER_OF_CREATOR",
                "SELF_ONLY",
            ):
                return tiktok_reply(code="invalid_params", message="privacy_level", status=400)
            if not self.audited and privacy != "SELF_ONLY":
                return tiktok_reply(
                    code="unaudited_client_can_only_post_to_private_accounts",
                    message="Unaudited clients can only post with SELF_ONLY",
                    status=403,
                )
            if len(str(info.get("title", "")).encode("utf-16-le")) // 2 > 2200:
                return tiktok_reply(code="invalid_params", message="title too long", status=400)
        elif info:
            return tiktok_reply(
                code="invalid_params", message="inbox uploads take no post_info", status=400
            )
        publish_id = f"v_pub_file~v2-1.{self.new_id()}"
        upload_id = hashlib.sha256(publish_id.encode()).hexdigest()[:16]
        self.uploads[upload_id] = {
            "publish_id": publish_id,
            "direct": direct,
            "info": info,
            "size": source["video_size"],
            "chunk": source["chunk_size"],
            "count": source["total_chunk_count"],
            "data": b"",
            "chunks": 0,
            "status": "PROCESSING_UPLOAD",
        }
        url = f"{self.base_url}/upload/?upload_id={upload_id}&upload_token=tok{upload_id[:6]}"
        return tiktok_reply({"publish_id": publish_id, "upload_url": url})

    def _upload(self, headers: dict[str, str], data: Any) -> Reply:
        upload = self.uploads.get(self.requests[-1].query.get("upload_id", ""))
        if upload is None or not isinstance(data, bytes):
            return Reply(404, None)
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", headers.get("content-range", ""))
        if not match or headers.get("content-type") not in (
            "video/mp4",
            "video/quicktime",
            "video/webm",
        ):
            return Reply(400, None)
        first, last, total = map(int, match.groups())
        expected_last = (
            total - 1 if upload["chunks"] == upload["count"] - 1 else first + upload["chunk"] - 1
        )
        if (
            total != upload["size"]
            or first != len(upload["data"])  # chunks must come in order
            or last != expected_last
            or len(data) != last - first + 1
        ):
            return Reply(416, None)
        upload["data"] += data
        upload["chunks"] += 1
        if upload["chunks"] < upload["count"]:
            return Reply(206, None)
        problem = video_problem(upload["data"], high=self.max_duration)
        if problem:
            upload["status"], upload["fail_reason"] = "FAILED", problem
        else:
            upload["status"] = "PUBLISH_COMPLETE" if upload["direct"] else "SEND_TO_USER_INBOX"
            self.posts.append(
                {
                    "publish_id": upload["publish_id"],
                    "direct": upload["direct"],
                    "title": upload["info"].get("title", ""),
                    "privacy_level": upload["info"].get("privacy_level"),
                    "bytes": len(upload["data"]),
                    "chunks": upload["chunks"],
                }
            )
        return Reply(201, None)

    def _status(self, publish_id: str) -> Reply:
        upload = next((u for u in self.uploads.values() if u["publish_id"] == publish_id), None)
        if upload is None:
            return tiktok_reply(code="invalid_publish_id", message="unknown publish_id", status=400)
        data = {"status": upload["status"], "uploaded_bytes": len(upload["data"])}
        if upload["status"] == "FAILED":
            data["fail_reason"] = upload["fail_reason"]
        return tiktok_reply(data)


def _chunk_problem(source: dict[str, Any]) -> str:
    """TikTok's chunk rules: 5-64 MB chunks (a whole file under 5 MB), count = size // chunk."""
    if source.get("source") != "FILE_UPLOAD":
        return "source must be FILE_UPLOAD here"
    try:
        size, chunk, count = (
            int(source[k]) for k in ("video_size", "chunk_size", "total_chunk_count")
        )
    except (KeyError, TypeError, ValueError):
        return "video_size, chunk_size and total_chunk_count are required"
    if size < 5 * MB:
        return "" if (chunk, count) == (size, 1) else "a video under 5 MB is one chunk"
    if not 5 * MB <= chunk <= 64 * MB:
        return "chunk_size must be between 5 and 64 MB"
    if count != size // chunk or not 1 <= count <= 1000:
        return "total_chunk_count must be video_size // chunk_size"
    if size - (count - 1) * chunk > 128 * MB:
        return "the last chunk exceeds 128 MB"
    return ""


class FakeMastodonMedia(MediaBodies, FakeMastodon):
    """Mastodon with `POST /api/v2/media` (202 while processing) and `media_ids[]`."""

    def __init__(self, *args: Any, processing_polls: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.media: dict[str, dict[str, Any]] = {}
        self.processing_polls = processing_polls

    def publishes(self, method: str, path: str) -> bool:
        return (method, path) == ("POST", "/api/v1/statuses")

    def handle(self, method, path, headers, body) -> Reply:
        # Mastodon.py asks for `/api/v1/instance/` (its media upload checks the version).
        path = path.rstrip("/") if path.startswith("/api/v") else path
        if path == "/api/v2/media" or path.startswith("/api/v1/media/"):
            if headers.get("authorization") != f"Bearer {self.token}":
                return Reply(401, {"error": "The access token is invalid"})
            if method == "POST" and path == "/api/v2/media":
                return self._upload(body)
            found = self.media.get(path.rsplit("/", 1)[1])
            if found is None:
                return Reply(404, {"error": "Record not found"})
            if found["polls"] > 0:
                found["polls"] -= 1
                return Reply(206, found["json"])
            found["json"]["url"] = f"https://files.fake.social/{found['json']['id']}.jpg"
            return Reply(200, found["json"])
        if (method, path) == ("POST", "/api/v1/statuses"):
            ids = body.get("media_ids[]") or []
            for media_id in ids:
                found = self.media.get(media_id)
                if found is None:
                    return Reply(422, {"error": "Validation failed: media not found"})
                if found["json"]["url"] is None:
                    return Reply(
                        422, {"error": "Cannot attach files that have not finished processing."}
                    )
            body = {**body, "media_ids": ids}
        return super().handle(method, path, headers, body)

    def _upload(self, body: dict[str, Any]) -> Reply:
        upload = body.get("file")
        if not isinstance(upload, Part) or not upload.data:
            return Reply(422, {"error": "Validation failed: File can't be blank"})
        description = field_text(body, "description")
        if len(description) > 1500:
            return Reply(422, {"error": "Validation failed: Description is too long"})
        media_id = self.new_id()
        attachment = {
            "id": media_id,
            "type": "image" if upload.content_type.startswith("image/") else "video",
            "url": None,
            "preview_url": None,
            "description": description,
            "blurhash": None,
        }
        self.media[media_id] = {
            "json": attachment,
            "polls": self.processing_polls,
            "bytes": upload.data,
        }
        if self.processing_polls == 0:
            attachment["url"] = f"https://files.fake.social/{media_id}.jpg"
            return Reply(200, attachment)
        return Reply(202, attachment)

    def _status(self, text: str, reply_to: str | None, body: dict[str, Any]) -> dict[str, Any]:
        status = super()._status(text, reply_to, body)
        status["media_attachments"] = [self.media[i]["json"] for i in body.get("media_ids", [])]
        return status


class FakeBlueskyMedia(MediaBodies, FakeBluesky):
    """A PDS with `com.atproto.repo.uploadBlob` (1,000,000 bytes at most for an image) and
    `app.bsky.embed.images` checked on the post (every image has alt text and a known blob)."""

    MAX_BLOB = 1_000_000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.blobs: dict[str, bytes] = {}

    def handle(self, method, path, headers, body) -> Reply:
        if path != "/xrpc/com.atproto.repo.uploadBlob":
            return super().handle(method, path, headers, body)
        token = headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self._tokens:
            return Reply(400, {"error": "ExpiredToken", "message": "Token has expired"})
        if not isinstance(body, bytes) or not body:
            return Reply(400, {"error": "InvalidRequest", "message": "empty blob"})
        if len(body) > self.MAX_BLOB:
            return Reply(400, {"error": "BlobTooLarge", "message": f"{len(body)} bytes"})
        cid = "bafkrei" + hashlib.sha256(body).hexdigest()[:40]
        self.blobs[cid] = body
        blob = {
            "$type": "blob",
            "ref": {"$link": cid},
            "mimeType": headers.get("content-type"),
            "size": len(body),
        }
        return Reply(200, {"blob": blob})

    def _create_record(self, body: dict[str, Any]) -> Reply:
        embed = (body.get("record") or {}).get("embed")
        if embed is not None:
            if (
                embed.get("$type") != "app.bsky.embed.images"
                or not 1 <= len(embed.get("images", [])) <= 4
            ):
                return Reply(400, {"error": "InvalidRequest", "message": "bad embed"})
            for image in embed["images"]:
                link = ((image.get("image") or {}).get("ref") or {}).get("$link")
                if link not in self.blobs or "alt" not in image:
                    return Reply(
                        400, {"error": "InvalidRequest", "message": "unknown blob or no alt"}
                    )
        return super()._create_record(body)


class FakeXMedia(MediaBodies, FakeX):
    """X API v2 with `POST /2/media/upload` (multipart), `POST /2/media/metadata` (alt text)
    and `media.media_ids` on a post."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.media: dict[str, dict[str, Any]] = {}

    def publishes(self, method: str, path: str) -> bool:
        return (method, path) == ("POST", "/2/tweets")

    def handle(self, method, path, headers, body) -> Reply:
        if headers.get("authorization") != f"Bearer {self.token}":
            return super().handle(method, path, headers, body)
        if (method, path) == ("POST", "/2/media/upload"):
            upload = body.get("media") if isinstance(body, dict) else None
            if not isinstance(upload, Part) or field_text(body, "media_category") != "tweet_image":
                return Reply(
                    400, {"errors": [{"message": "media and media_category are required"}]}
                )
            if len(upload.data) > 5 * MB:
                return Reply(400, {"errors": [{"message": "image larger than 5 MB"}]})
            media_id = self.new_id()
            self.media[media_id] = {
                "bytes": upload.data,
                "alt": None,
                "type": field_text(body, "media_type"),
            }
            return Reply(
                200,
                {
                    "data": {
                        "id": media_id,
                        "media_key": f"3_{media_id}",
                        "size": len(upload.data),
                        "expires_after_secs": 86400,
                    }
                },
            )
        if (method, path) == ("POST", "/2/media/metadata"):
            found = self.media.get(str(body.get("id")))
            alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text", "")
            if found is None or not alt or len(alt) > 1000:
                return Reply(400, {"errors": [{"message": "unknown media or bad alt text"}]})
            found["alt"] = alt
            return Reply(
                200,
                {"data": {"id": body["id"], "associated_metadata": {"alt_text": {"text": alt}}}},
            )
        if (method, path) == ("POST", "/2/tweets"):
            ids = (body.get("media") or {}).get("media_ids") or []
            if any(i not in self.media for i in ids):
                return Reply(400, {"errors": [{"message": "media_ids not found"}]})
            reply = super().handle(method, path, headers, body)
            if reply.status == 201:
                self.posts[-1]["media"] = [dict(self.media[i], id=i) for i in ids]
            return reply
        return super().handle(method, path, headers, body)


class FakeFacebookMedia(MediaBodies, FakeFacebook):
    """Graph API page photos (`/photos`: `source` file or `url`, `alt_text_custom`) and videos
    (`/videos`: `source`, `description`), besides the feed."""

    def handle(self, method, path, headers, body) -> Reply:
        parts = path.strip("/").split("/")
        if method != "POST" or len(parts) != 3 or parts[2] not in ("photos", "videos"):
            return super().handle(method, path, headers, body)
        if parts[1] != self.page_id:
            return graph_error(100, "Unsupported post request", subcode=33)
        if field_text(body, "access_token") != self.token:
            return graph_error(190, "Invalid OAuth access token.")
        source = body.get("source")
        data = source.data if isinstance(source, Part) else b""
        if parts[2] == "photos":
            url = field_text(body, "url")
            if not data and url:
                data = fetch(url)
            if not data or not is_image(data):
                return graph_error(324, "Requires upload file: missing or invalid image")
            photo_id = self.new_id()
            post = {
                "id": f"{self.page_id}_{photo_id}",
                "photo_id": photo_id,
                "message": field_text(body, "message"),
                "alt": field_text(body, "alt_text_custom"),
                "bytes": len(data),
            }
            self.posts.append(post)
            return Reply(200, {"id": photo_id, "post_id": post["id"]})
        problem = video_problem(data) if data else "no source"
        if problem:
            return graph_error(381, f"There was a problem uploading your video file: {problem}")
        video_id = self.new_id()
        self.posts.append(
            {
                "id": video_id,
                "video": True,
                "description": field_text(body, "description"),
                "title": field_text(body, "title"),
                "bytes": len(data),
            }
        )
        return Reply(200, {"id": video_id})


class PublicFiles:
    """The gateway's public pages as the networks see them: files served by URL (the card and
    the video under the verification page), so Meta's fetch of `image_url` is real HTTP."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, bytes]] = {}
        self.fetched: list[str] = []
        public = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                found = public.files.get(self.path)
                public.fetched.append(self.path)
                if found is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                media_type, data = found
                self.send_response(200)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def serve(self, path: str, media_type: str, data: bytes) -> str:
        self.files[path] = (media_type, data)
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def __enter__(self) -> PublicFiles:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
