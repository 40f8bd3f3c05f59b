"""How a change meets what is stored: the stored citizen plus what someone explicitly gave.

- An agent (API edit, CSV import): the fields given replace the stored ones, an empty value
  included (an explicit change); the fields not given stay as they are.
- The citizen online (verified sign-up): adds channels and topics, may change the language,
  fills what was empty; never removes what an agent or a paper form stored.
- A paper form merged into an existing citizen: its filled fields replace the stored ones,
  channels and topics are added; what it leaves empty stays.
"""

from __future__ import annotations

from gateway.models import Citizen

ADDRESS = ("address_lines", "postcode", "city")


def stored(citizen: Citizen) -> dict:
    """The citizen as `CitizenIn` fields, so that a merge can be validated like an entry."""
    lines = list(citizen.address_lines or [])
    postcode, city = split_locality(lines.pop()) if lines else ("", "")
    return {
        "reference": citizen.reference,
        "name": citizen.name,
        "phone": citizen.phone,
        "email": citizen.email,
        "address_lines": lines,
        "postcode": postcode,
        "city": city,
        "country": citizen.country,
        "language": citizen.language,
        "timezone": citizen.timezone,
        "channels": list(citizen.channels or []),
        "topics": sorted(citizen.topics.values_list("slug", flat=True)),
        "area": citizen.area.slug if citizen.area_id else "",
        "large_print": citizen.large_print,
        "quiet_start": citizen.quiet_start,
        "quiet_end": citizen.quiet_end,
    }


def split_locality(line: str) -> tuple[str, str]:
    """`49123 Saint-Crieur` → (`49123`, `Saint-Crieur`); a line without a postcode is a city.

    `check()` joins them back with one space, so a stored line survives the round trip.
    """
    first, _, rest = line.partition(" ")
    if any(ch.isdigit() for ch in first):
        return first, rest
    return "", line


def given(current: dict, changes: dict) -> dict:
    """An agent's change: each field given replaces the stored one."""
    return {**current, **changes}


def signed_up(current: dict, asked: dict) -> dict:
    """A verified online sign-up of a phone already stored: add, fill, never remove."""
    merged = dict(current)
    merged["channels"] = _union(current["channels"], asked.get("channels", []))
    merged["topics"] = _union(current["topics"], asked.get("topics", []))
    if asked.get("language"):
        merged["language"] = asked["language"]
    for name in ("name", "area", "email"):
        if not current.get(name) and asked.get(name):
            merged[name] = asked[name]
    if not _has_address(current) and _has_address(asked):
        merged.update({name: asked.get(name, current[name]) for name in ADDRESS})
    return merged


def paper_merged(current: dict, form: dict, filled: set[str]) -> dict:
    """A paper form the agent merges into a stored citizen: its filled fields win."""
    merged = dict(current)
    for name in filled - {"channels", "topics", "reference", *ADDRESS}:
        if form.get(name) not in ("", None, False):
            merged[name] = form[name]
    if _has_address(form):
        merged.update({name: form.get(name, "") for name in ADDRESS})
    merged["channels"] = _union(current["channels"], form.get("channels", []))
    merged["topics"] = _union(current["topics"], form.get("topics", []))
    return merged


def _union(first: list, then: list) -> list:
    return list(dict.fromkeys([*first, *then]))


def _has_address(values: dict) -> bool:
    return any(values.get(name) for name in ADDRESS)
