"""CAP 1.2 as plain frozen values (no Django): what the writer writes and the parser returns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NS = "urn:oasis:names:tc:emergency:cap:1.2"
MEDIA_TYPE = "application/cap+xml"

STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")
SCOPES = ("Public", "Restricted", "Private")
CATEGORIES = (
    "Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
    "CBRNE", "Other",
)  # fmt: skip
RESPONSE_TYPES = (
    "Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None",
)  # fmt: skip
URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")

# xs:dateTime with a numeric offset: CAP forbids `Z` (UTC is written -00:00).
CAP_TIME = re.compile(r"^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")
# identifier and sender: no spaces, commas, `<` or `&` (CAP 1.2, 3.2.1).
FORBIDDEN_IN_ID = re.compile(r"[\s,<&]")


@dataclass(frozen=True)
class Area:
    desc: str
    polygons: tuple[str, ...] = ()
    geocodes: tuple[tuple[str, str], ...] = ()  # (valueName, value)


@dataclass(frozen=True)
class Info:
    language: str
    categories: tuple[str, ...]
    event: str
    urgency: str
    severity: str
    certainty: str
    response_types: tuple[str, ...] = ()
    effective: str = ""
    expires: str = ""
    sender_name: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    web: str = ""
    contact: str = ""
    areas: tuple[Area, ...] = ()


@dataclass(frozen=True)
class Alert:
    identifier: str
    sender: str
    sent: str
    status: str
    msg_type: str
    scope: str = "Public"
    references: tuple[str, ...] = ()  # "sender,identifier,sent" each
    incidents: str = ""
    note: str = ""
    infos: tuple[Info, ...] = field(default_factory=tuple)

    @property
    def key(self) -> tuple[str, str]:
        return (self.sender, self.identifier)


def cap_time(value) -> str:
    """An aware datetime as CAP writes it: seconds, numeric offset, UTC as -00:00."""
    text = value.replace(microsecond=0).isoformat()
    return text[:-6] + "-00:00" if text.endswith("+00:00") else text


def reference_key(reference: str) -> tuple[str, str, str]:
    """`sender,identifier,sent` → its three parts (ValueError when it has not three)."""
    parts = reference.split(",")
    if len(parts) != 3 or not all(parts):
        raise ValueError(reference)
    return parts[0], parts[1], parts[2]
