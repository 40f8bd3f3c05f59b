"""Announcement files (YAML, so JSON works too): the CLI's way to render without a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from renderers.message import Message, Urgency

REQUIRED = ("organisation", "title", "summary", "body")
KNOWN = set(REQUIRED) | {
    "locale",
    "urgency",
    "topics",
    "areas",
    "links",
    "contact",
    "translations",
    "published_at",
    "timezone",
    "verification_code",
    "public_url",
}
TRANSLATED = ("title", "summary", "body")


class AnnouncementFileError(ValueError):
    """The file cannot be read as an announcement; the message names the problem."""


@dataclass(frozen=True)
class AnnouncementFile:
    data: dict[str, Any]

    @property
    def locale(self) -> str:
        return str(self.data.get("locale") or "fr")

    @property
    def locales(self) -> tuple[str, ...]:
        return (self.locale, *self.data.get("translations", {}).keys())

    def message(self, locale: str | None = None) -> Message:
        """The announcement in `locale` (default: the file's own locale)."""
        locale = locale or self.locale
        texts = {key: self.data[key] for key in TRANSLATED}
        if locale != self.locale:
            translation = self.data.get("translations", {}).get(locale)
            if translation is None:
                available = ", ".join(self.locales)
                raise AnnouncementFileError(
                    f"no translation for locale {locale!r} (available: {available})"
                )
            texts.update({k: v for k, v in translation.items() if k in TRANSLATED})
        return Message(
            organisation=str(self.data["organisation"]),
            locale=locale,
            title=str(texts["title"]).strip(),
            summary=str(texts["summary"]).strip(),
            body=str(texts["body"]).strip(),
            urgency=self.data.get("urgency", "info"),
            topics=tuple(map(str, self.data.get("topics", ()))),
            areas=tuple(map(str, self.data.get("areas", ()))),
            links=tuple(map(str, self.data.get("links", ()))),
            contact=str(self.data.get("contact", "")),
            published_at=self.data.get("published_at"),
            timezone=str(self.data.get("timezone", "Europe/Paris")),
            verification_code=str(self.data.get("verification_code", "")),
            public_url=str(self.data.get("public_url", "")),
        )


def parse_announcement(data: Any, *, source: str = "announcement") -> AnnouncementFile:
    """Validate already-parsed data; every error names the field."""
    if not isinstance(data, dict):
        raise AnnouncementFileError(f"{source}: expected a mapping of fields at the top level")
    unknown = sorted(set(data) - KNOWN)
    if unknown:
        raise AnnouncementFileError(f"{source}: unknown field {unknown[0]!r}")
    for key in REQUIRED:
        if not str(data.get(key) or "").strip():
            raise AnnouncementFileError(f"{source}: missing field {key!r}")
    urgency = data.get("urgency", "info")
    if urgency not in {u.value for u in Urgency}:
        raise AnnouncementFileError(
            f"{source}: urgency must be info, important or urgent, not {urgency!r}"
        )
    for key in ("topics", "areas", "links"):
        if not isinstance(data.get(key, []), list):
            raise AnnouncementFileError(f"{source}: {key!r} must be a list")
    translations = data.get("translations", {}) or {}
    if not isinstance(translations, dict) or not all(
        isinstance(t, dict) for t in translations.values()
    ):
        raise AnnouncementFileError(
            f"{source}: 'translations' must map a locale to {{title, summary, body}}"
        )
    published = data.get("published_at")
    if isinstance(published, str):
        try:
            data["published_at"] = datetime.fromisoformat(published)
        except ValueError:
            raise AnnouncementFileError(
                f"{source}: published_at is not an ISO date-time: {published!r}"
            ) from None
    data["translations"] = translations
    return AnnouncementFile(data)


def load_announcement_file(path: str | Path) -> AnnouncementFile:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AnnouncementFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AnnouncementFileError(f"{path}: cannot read ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise AnnouncementFileError(f"{path}: invalid YAML{where}") from None
    return parse_announcement(data, source=str(path))
