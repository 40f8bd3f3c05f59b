"""What an announcement costs: estimated before sending, what the providers charged after, per
channel, language and area.

Estimate, per delivery: an SMS costs its rendition's cost (segments × the organisation's price
per segment, `sms_prices`); a call the average the organisation was charged for its last priced
calls (unknown until one was); a post nothing (the networks do not charge); anything the outbox
sends nothing (it writes a file). Postage is not counted. Before publishing, the deliveries are
the reach estimate's.

Actual: what Twilio charged for each message and call (its `price`, fetched once the status is
final: gateway/tasks/callbacks.py), in its `price_unit`. A cost in another currency than the
organisation's is listed apart, never added to it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum

from channels.outbox import OutboxChannel
from gateway.models import Announcement, Delivery, Rendition
from gateway.registry import for_organisation
from gateway.renditions import render_in

DIMENSIONS = ("channel", "locale", "area")
ZERO = Decimal(0)
FREE = ("mastodon", "bluesky", "x", "facebook")  # posting costs nothing
VOICE_SAMPLE = 200  # recent priced calls the voice estimate averages


def amount(value: Decimal) -> str:
    """`0.0725`, `0.145`, `12`: to the ten-thousandth (the stored precision), no trailing 0."""
    text = f"{Decimal(value).quantize(Decimal('0.0001')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class Line:
    key: str
    count: int = 0
    estimated: Decimal = ZERO
    unestimated: int = 0  # deliveries whose cost cannot be estimated (a first call, postage)
    actual: Decimal = ZERO
    priced: int = 0  # deliveries whose actual cost is known
    outbox: int = 0

    def out(self) -> dict:
        return {
            "key": self.key,
            "count": self.count,
            "estimated": amount(self.estimated),
            "unestimated": self.unestimated,
            "actual": amount(self.actual),
            "priced": self.priced,
        }


@dataclass
class Estimator:
    announcement: Announcement
    sms: dict[str, Decimal | None] = field(default_factory=dict)
    voice: Decimal | None = None
    voice_known: bool = False

    def unit(self, channel: str, locale: str) -> Decimal | None:
        """The estimated cost of one delivery on `channel` in `locale` (None: unknown)."""
        registry = for_organisation(self.announcement.organisation_id)
        if channel in FREE or isinstance(registry.target(channel).channel, OutboxChannel):
            return ZERO
        if channel == "sms":
            if locale not in self.sms:
                self.sms[locale] = self._sms(locale)
            return self.sms[locale]
        if channel == "voice":
            if not self.voice_known:
                self.voice, self.voice_known = self._voice(), True
            return self.voice
        return None

    def _sms(self, locale: str) -> Decimal | None:
        row = Rendition.objects.filter(
            announcement=self.announcement, form="sms", locale=locale
        ).first()
        meta = row.meta if row is not None else render_in("sms", self.announcement, locale).meta
        return Decimal(meta["cost"]) if meta.get("cost") else None

    def _voice(self) -> Decimal | None:
        organisation = self.announcement.organisation
        recent = (
            Delivery.objects.filter(
                announcement__organisation=organisation,
                channel="voice",
                cost__isnull=False,
                cost_currency=organisation.currency,
            )
            .exclude(cost=0)
            .exclude(announcement=self.announcement)  # what was known before this one
            .order_by("-pk")
            .values_list("pk", flat=True)[:VOICE_SAMPLE]
        )
        average = Delivery.objects.filter(pk__in=list(recent)).aggregate(a=Avg("cost"))["a"]
        return None if average is None else Decimal(average).quantize(Decimal("0.0001"))


def _rows(announcement: Announcement) -> tuple[list[dict], bool]:
    """(channel, locale, area, count, cost, priced, currency, outbox) rows; False: estimated."""
    deliveries = Delivery.objects.filter(announcement=announcement)
    rows = list(
        deliveries.values("channel", "locale", "citizen__area__slug", "cost_currency").annotate(
            count=Count("pk"),
            charged=Sum("cost"),
            priced=Count("cost"),
            outbox=Count("pk", filter=Q(provider__startswith="outbox")),
        )
    )
    if rows:
        return [
            {**r, "area": r.pop("citizen__area__slug") or "", "cost": r.pop("charged")}
            for r in rows
        ], True
    from gateway.routing.reach import reach_of

    reach = reach_of(announcement)["rows"]
    planned = [
        {**r, "cost": None, "priced": 0, "cost_currency": "", "outbox": 0}
        for r in reach
        if r["channel"] != "weekly"
    ]
    return planned, False


def cost_report(announcement: Announcement) -> dict:
    """Estimated and actual cost, in total and per channel, language and area."""
    currency = announcement.organisation.currency
    rows, published = _rows(announcement)
    estimator = Estimator(announcement)
    lines: dict[str, dict[str, Line]] = {d: {} for d in DIMENSIONS}
    total = Line("total")
    others: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        unit = estimator.unit(row["channel"], row["locale"])
        foreign = row["cost_currency"] not in ("", currency)
        if foreign and row["cost"] is not None:
            others[row["cost_currency"]] += row["cost"]
        keys = {"channel": row["channel"], "locale": row["locale"], "area": row["area"]}
        for line in [total, *(lines[d].setdefault(keys[d], Line(keys[d])) for d in DIMENSIONS)]:
            line.count += row["count"]
            if unit is None:
                line.unestimated += row["count"]
            else:
                line.estimated += unit * row["count"]
            if not foreign:
                line.actual += row["cost"] or ZERO
                line.priced += row["priced"]
            line.outbox += row["outbox"]
    return {
        "currency": currency,
        "published": published,
        "estimated": amount(total.estimated),
        "unestimated": total.unestimated,
        "actual": amount(total.actual),
        "priced": total.priced,
        "count": total.count,
        "outbox": total.outbox,
        "other_currencies": {k: amount(v) for k, v in sorted(others.items())},
        "by": {d: [line.out() for _, line in sorted(lines[d].items())] for d in DIMENSIONS},
        "notes": _notes(total, lines, estimator, others),
    }


def _notes(total: Line, lines, estimator: Estimator, others) -> list[str]:
    notes = []
    if total.outbox:
        notes.append(f"outbox: {total.outbox} written to files, nothing sent: no cost")
    if "voice" in lines["channel"] and estimator.voice_known and estimator.voice is None:
        notes.append("voice: no estimate until a first call of the organisation is priced")
    if "post" in lines["channel"]:
        notes.append("post: printing and postage are not counted")
    if others:
        notes.append("some providers charged in another currency: listed apart, not added")
    return notes
