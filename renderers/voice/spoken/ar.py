"""Arabic spoken forms (Modern Standard Arabic, to match the default Polly.Zeina voice).

Phone numbers are said digit by digit, as Arabic speakers give them; num2words' Arabic
currency is the riyal, so euros are worded here.
"""

from __future__ import annotations

from datetime import time

from renderers.voice.spoken.rules import SpokenRules, normalise, words

LOCALE = "ar"


def read_phone(groups: list[str]) -> str:
    said = []
    for group in groups:
        digits = group.lstrip("+")
        head = "زائد " if group.startswith("+") else ""
        said.append(head + " ".join(words(int(d), LOCALE) for d in digits))
    return "، ".join(said)


def _cents(n: int) -> str:
    """The counted noun agrees with the number: 1 and 2 alone, 3–10 plural, 11–99 singular."""
    if n == 1:
        return "سنت واحد"
    if n == 2:
        return "سنتان"
    return f"{words(n, LOCALE)} " + ("سنتات" if n <= 10 else "سنتًا")


def euros(amount: int, cents: int) -> str:
    said = f"{words(amount, LOCALE)} يورو" if amount or not cents else ""
    if cents:
        said += (" و" if said else "") + _cents(cents)
    return said


def clock(moment: time) -> str:
    """`الساعة 2:30 مساءً`: the twelve-hour clock with the part of the day in words."""
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"الساعة {hour}{minutes} " + ("صباحًا" if moment.hour < 12 else "مساءً")


ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (r"(\d) ?km/h\b", r"\1 كيلومتر في الساعة"),
    (r"(\d) ?km\b", r"\1 كيلومتر"),
    (r"(\d) ?°C\b", r"\1 درجة"),
)

RULES = SpokenRules(
    locale=LOCALE,
    dot="نقطة",
    at="آت",
    euros=euros,
    clock=clock,
    abbreviations=ABBREVIATIONS,
    per_cent="بالمئة",
    read_phone=read_phone,
)


def spoken(text: str) -> str:
    return normalise(text, RULES)
