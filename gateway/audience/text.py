"""Text from outside (webhooks, public forms): what a database can store and a person can read.

PostgreSQL refuses NUL in text, so a NUL in any field would turn a request into a 500 (and lose
a STOP). Inbound texts are kept without control and format characters; identifiers (slugs,
codes, provider ids) that hold anything else cannot name anything and are treated as unknown.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_PROVIDER_ID = re.compile(r"^[A-Za-z0-9_.=-]+$")  # Twilio SIDs, WhatsApp wamids


def control_characters(text: str) -> list[str]:
    """The control, format, surrogate, private or unassigned characters of `text`, each once."""
    found: list[str] = []
    for ch in text:
        if unicodedata.category(ch) in _CONTROL and ch not in "\t\n" and ch not in found:
            found.append(ch)
    return found


def readable(text: str) -> str:
    """`text` without control or format characters (newlines and tabs kept)."""
    return "".join(ch for ch in text if ch in "\t\n" or unicodedata.category(ch) not in _CONTROL)


def slug(value: str) -> str:
    """`value` when it can be a slug (topic, area, organisation), else "" (names nothing)."""
    return value if _SLUG.match(value or "") else ""


def provider_id(value: str) -> str:
    """A provider's message or call id (`SM…`, `CA…`, `wamid.…`), or "" when it cannot be
    one. An id longer than the 64 characters stored is kept as a digest of itself."""
    value = (value or "").strip()
    if not _PROVIDER_ID.match(value) or len(value) > 512:
        return ""
    if len(value) > 64:
        return "sha256:" + hashlib.sha256(value.encode()).hexdigest()[:57]
    return value


def code_point(ch: str) -> str:
    return f"U+{ord(ch):04X}"
