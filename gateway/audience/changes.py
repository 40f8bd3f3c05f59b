"""What is stored about a citizen, as plain values, and the difference a change made: the
before/after the audit log keeps, so an import can be reviewed and undone."""

from __future__ import annotations

from gateway.models import Area, Citizen, Consent, Topic
from gateway.models.citizen import normalise_phone

# The fields a way in can change, in the order a report shows them.
FIELDS = (
    "name",
    "phone",
    "email",
    "address_lines",
    "country",
    "language",
    "timezone",
    "channels",
    "topics",
    "area",
    "large_print",
    "quiet_start",
    "quiet_end",
)
ERASED = "(erased)"


def snapshot(citizen: Citizen | None) -> dict:
    """The citizen's fields as JSON-ready values (empty for a citizen not stored yet)."""
    if citizen is None or citizen.pk is None:
        return {}
    return {
        "name": citizen.name,
        "phone": citizen.phone,
        "email": citizen.email,
        "address_lines": list(citizen.address_lines or []),
        "country": citizen.country,
        "language": citizen.language,
        "timezone": citizen.timezone,
        "channels": list(citizen.channels or []),
        "topics": sorted(citizen.topics.values_list("slug", flat=True)),
        "area": citizen.area.slug if citizen.area_id else None,
        "large_print": citizen.large_print,
        "quiet_start": citizen.quiet_start.isoformat() if citizen.quiet_start else None,
        "quiet_end": citizen.quiet_end.isoformat() if citizen.quiet_end else None,
        "consents": dict(
            sorted(Consent.objects.filter(citizen=citizen).values_list("channel", "granted"))
        ),
    }


def diff(before: dict, after: dict) -> dict[str, dict]:
    """`{field: {"before": …, "after": …}}` for every field that changed."""
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in (*FIELDS, "consents")
        if before.get(name) != after.get(name)
    }


def masked(phone: str) -> str:
    """`+33612345678` → `+336••••••78`: enough to recognise a number, not to call it."""
    if not phone:
        return phone
    if len(phone) < 6:
        return "•" * len(phone)
    return phone[:4] + "•" * (len(phone) - 6) + phone[-2:]


def masked_email(address: str) -> str:
    """`anne.martin@example.fr` → `a••••••••••@example.fr`."""
    local, at, domain = address.partition("@")
    if not at:
        return "•" * len(address)
    return local[:1] + "•" * max(len(local) - 1, 0) + "@" + domain


def shown(changes: dict[str, dict]) -> dict[str, dict]:
    """The changes as a report shows them: phone numbers masked."""
    out = {}
    for name, change in changes.items():
        if name == "phone":
            change = {k: masked(v or "") for k, v in change.items()}
        elif name == "email":
            change = {k: masked_email(v or "") for k, v in change.items()}
        out[name] = change
    return out


def erased(changes: dict[str, dict]) -> dict[str, dict]:
    """The same changes with their values gone (kept: which fields changed, and when)."""
    return {name: {"before": ERASED, "after": ERASED} for name in changes}


def restore(citizen: Citizen, values: dict) -> None:
    """Put back stored values (`snapshot` form) of the fields given, consents excepted."""
    updates = {k: v for k, v in values.items() if k in FIELDS and k not in ("topics", "area")}
    if "phone" in updates:
        updates["phone"] = normalise_phone(updates["phone"]) if updates["phone"] else ""
    for name, value in updates.items():
        setattr(citizen, name, value)
    if "area" in values:
        citizen.area = (
            Area.objects.filter(organisation=citizen.organisation, slug=values["area"]).first()
            if values["area"]
            else None
        )
    if "channels" in values:
        citizen.prefers_voice = bool(values["channels"]) and values["channels"][0] == "voice"
    citizen.save()
    if "topics" in values:
        citizen.topics.set(
            Topic.objects.filter(organisation=citizen.organisation, slug__in=values["topics"])
        )
