"""Likely duplicates of a paper form: the same phone, or the same name at the same address.

Names and addresses are compared the way La Poste prints them (capitals, no accents, no
punctuation, one space), so `Mme Anne Dupont, 5 bis, rue des Lilas` and
`MME ANNE  DUPONT, 5 B RUE DES LILAS` are the same person.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from gateway.audience.changes import masked
from gateway.audience.citizens import Checked
from gateway.models import Citizen, Organisation
from renderers.print.address import format_address


@dataclass(frozen=True)
class Candidate:
    citizen: Citizen
    match: tuple[str, ...]  # "phone", "name and address"

    def shown(self) -> dict:
        """What an agent needs to decide: the phone masked, as in the console's list."""
        return {
            "reference": self.citizen.reference,
            "name": self.citizen.name,
            "phone": masked(self.citizen.phone),
            "address_lines": self.citizen.address_lines,
            "match": list(self.match),
        }


def likely_duplicates(
    organisation: Organisation, checked: Checked, limit: int = 5
) -> list[Candidate]:
    """Stored citizens (not erased) that look like the one about to be entered."""
    mine = Citizen.objects.filter(organisation=organisation, erased_at__isnull=True)
    found: dict[int, tuple[Citizen, list[str]]] = {}
    if checked.phone:
        for citizen in mine.filter(phone=checked.phone).order_by("pk")[:limit]:
            found[citizen.pk] = (citizen, ["phone"])
    name = _plain(checked.data.name)
    address = _printed(checked.data.name, checked.address, checked.data.country)
    words = sorted(re.findall(r"\w+", checked.data.name), key=len)
    if name and address and words:
        # The database narrows by the longest word of the name; the comparison is done here.
        alike = mine.filter(name__icontains=words[-1]).exclude(address_lines=[])
        for citizen in alike.order_by("pk")[:1000]:
            if _plain(citizen.name) != name:
                continue
            if _printed(citizen.name, citizen.address_lines, citizen.country) == address:
                found.setdefault(citizen.pk, (citizen, []))[1].append("name and address")
    return [Candidate(c, tuple(match)) for c, match in list(found.values())[:limit]]


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(
        " " if unicodedata.category(c).startswith("P") else c
        for c in decomposed
        if not unicodedata.combining(c)
    )
    return " ".join(letters.split())


def _printed(name: str, lines, country: str) -> tuple[str, ...]:
    """The address as printed, without the name line; () when it cannot be printed."""
    try:
        printed = format_address([name or "-", *lines], country=country)[1:]
    except ValueError:
        return ()
    return tuple(_plain(line) for line in printed)
