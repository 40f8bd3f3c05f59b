"""One announcement's report: reach against the estimate per channel, language and area, the
weekly-letter recipients, delivery times, cost, confirmations, replies, failures with their
reasons, deliveries over time; CSV exports of the report and of the deliveries. The live part
polls while the announcement is being sent. Aggregate queries only (`gateway.console.report`)."""

from __future__ import annotations

import io
import zoneinfo
from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, format_percent
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from gateway.console import report
from gateway.console.access import member, own_announcement
from gateway.console.charts import bars, timeline
from gateway.console.views.announcements import status_word
from gateway.console.views.compose import ui_locale
from gateway.console.words import channel_word
from gateway.costs import cost_report
from gateway.models import Area, Delivery, DeliveryStatus, Status
from gateway.routing.reach import reach_of
from renderers.csvsafe import SafeWriter
from renderers.i18n import babel_locale, gettext, language, ngettext

FAILED = (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED)
STATUS_ORDER = [s.value for s in DeliveryStatus]


def delivery_status_word(status: str, ui: str) -> str:
    words = {  # plain gettext calls, so extraction finds them
        DeliveryStatus.PLANNED: gettext(ui, "prévus"),
        DeliveryStatus.DEFERRED: gettext(ui, "différés"),
        DeliveryStatus.SENDING: gettext(ui, "en cours"),
        DeliveryStatus.SENT: gettext(ui, "envoyés"),
        DeliveryStatus.DELIVERED: gettext(ui, "distribués"),
        DeliveryStatus.FAILED: gettext(ui, "échecs"),
        DeliveryStatus.UNDELIVERED: gettext(ui, "non distribués"),
        DeliveryStatus.SKIPPED: gettext(ui, "ignorés"),
        DeliveryStatus.CANCELLED: gettext(ui, "annulés"),
    }
    return words.get(status, status)


def cost_view(costs: dict, ui: str, words: Words | None = None) -> dict:
    """The cost report with amounts in the agent's language and its notes translated."""
    currency = costs["currency"]

    def money(amount: str) -> str:
        return format_currency(Decimal(amount), currency, locale=babel_locale(ui))

    names = {
        "channel": gettext(ui, "Canal"),
        "locale": gettext(ui, "Langue"),
        "area": gettext(ui, "Quartier"),
    }
    label = words.of if words else (lambda dimension: lambda key: key)
    tables = [
        {
            "name": names[dimension],
            "lines": [
                {
                    **line,
                    "key": label(dimension)(line["key"]),
                    "estimated": money(line["estimated"]),
                    "actual": money(line["actual"]),
                }
                for line in lines
            ],
        }
        for dimension, lines in costs["by"].items()
    ]
    notes = []
    if costs["outbox"]:
        notes.append(
            ngettext(
                ui,
                "{count} envoi écrit dans la boîte d’envoi : rien n’est parti, aucun coût.",
                "{count} envois écrits dans la boîte d’envoi : rien n’est parti, aucun coût.",
                costs["outbox"],
            ).format(count=costs["outbox"])
        )
    if costs["unestimated"]:
        notes.append(
            gettext(
                ui,
                "Sans estimation : les appels tant qu’aucun n’est facturé, et l’affranchissement.",
            )
        )
    for code, amount in costs["other_currencies"].items():
        notes.append(
            gettext(ui, "Facturé dans une autre monnaie, non additionné : {amount}.").format(
                amount=format_currency(Decimal(amount), code, locale=babel_locale(ui))
            )
        )
    return {
        **costs,
        "estimated": money(costs["estimated"]),
        "actual": money(costs["actual"]),
        "tables": tables,
        "notes": notes,
    }


@login_required
def dashboard(request, announcement_id: int):
    membership = member(request)
    announcement = own_announcement(membership, announcement_id)
    return render(
        request, "console/dashboard.html", {**live_context(announcement), "member": membership}
    )


@login_required
def dashboard_live(request, announcement_id: int):
    announcement = own_announcement(member(request), announcement_id)
    return render(request, "console/_dashboard_live.html", live_context(announcement))


def duration(seconds: float, ui: str) -> str:
    """`42 s`, `3 min 05 s`, `1 h 02 min`."""
    whole = round(seconds)
    if whole < 60:
        return gettext(ui, "{seconds} s").format(seconds=whole)
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return gettext(ui, "{minutes} min {seconds} s").format(
            minutes=minutes, seconds=f"{secs:02d}"
        )
    hours, minutes = divmod(minutes, 60)
    return gettext(ui, "{hours} h {minutes} min").format(hours=hours, minutes=f"{minutes:02d}")


class Words:
    """Human words for the report's keys, in the agent's language."""

    def __init__(self, announcement, ui: str) -> None:
        self.ui = ui
        self.languages = Locale.parse(language(ui)).languages
        self.areas = dict(
            Area.objects.filter(organisation=announcement.organisation).values_list("slug", "name")
        )

    def channel(self, key: str) -> str:
        word = channel_word(key, self.ui)
        return word.capitalize() if word == key else word  # a social account: Mastodon

    def locale(self, key: str) -> str:
        return self.languages.get(language(key), key) if key else "—"

    def area(self, key: str) -> str:
        return self.areas.get(key, key) if key else gettext(self.ui, "Sans quartier")

    def of(self, dimension: str):
        return {"channel": self.channel, "locale": self.locale, "area": self.area}[dimension]

    def percent(self, value: int | None) -> str:
        return "—" if value is None else format_percent(value / 100, locale=babel_locale(self.ui))


def reach_report(announcement, ui: str) -> dict:
    """The reach tables (numbers and %), the weekly-letter recipients, and the bar chart."""
    words = Words(announcement, ui)
    estimated = reach_of(announcement)
    names = {
        "channel": gettext(ui, "Canal"),
        "locale": gettext(ui, "Langue"),
        "area": gettext(ui, "Quartier"),
    }
    # the weekly letter is printed, not sent: its recipients are counted apart, and only under
    # the channels (a language or an area compares sends with the sends estimated)
    sent_only: dict[str, dict[str, int]] = {"locale": {}, "area": {}}
    for row in estimated["rows"]:
        if row["channel"] != report.WEEKLY:
            for dimension, counts in sent_only.items():
                counts[row[dimension]] = counts.get(row[dimension], 0) + row["count"]
    expected = {"channel": estimated["by_channel"], **sent_only}
    tables = []
    for dimension in ("channel", "locale", "area"):
        rows = report.reach_table(announcement, dimension, expected[dimension])
        for row in rows:
            if row["key"] == report.WEEKLY:
                row["percent"] = None
        tables.append(
            {
                "dimension": dimension,
                "name": names[dimension],
                "rows": [
                    {
                        **row,
                        "label": words.of(dimension)(row["key"]),
                        "shown": words.percent(row["percent"]),
                    }
                    for row in rows
                ],
            }
        )
    by_channel = tables[0]["rows"]
    weekly = estimated["by_channel"].get(report.WEEKLY, 0)
    return {
        "estimate": estimated,
        "reach_tables": tables,
        "weekly": weekly,
        "weekly_note": ngettext(
            ui,
            "{count} abonné par courrier la recevra dans la lettre de la semaine "
            "(imprimée chaque semaine : ce n’est pas un envoi compté ici).",
            "{count} abonnés par courrier la recevront dans la lettre de la semaine "
            "(imprimée chaque semaine : ce n’est pas un envoi compté ici).",
            weekly,
        ).format(count=weekly)
        if weekly
        else "",
        "reach_chart": bars(
            [(row["label"], row["percent"]) for row in by_channel if row["key"] != report.WEEKLY]
        ),
    }


def live_context(announcement) -> dict:
    ui = ui_locale()
    words = Words(announcement, ui)
    deliveries = Delivery.objects.filter(announcement=announcement)
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for row in deliveries.values("channel", "locale", "status").annotate(n=Count("pk")):
        counts.setdefault((row["channel"], row["locale"]), {})[row["status"]] = row["n"]
    statuses = [s for s in STATUS_ORDER if any(s in c for c in counts.values())]
    table = [
        {
            "channel": words.channel(channel),
            "locale": words.locale(locale),
            "cells": [by_status.get(s, 0) for s in statuses],
            "total": sum(by_status.values()),
        }
        for (channel, locale), by_status in sorted(counts.items())
    ]
    tz = zoneinfo.ZoneInfo(announcement.organisation.timezone)
    start = announcement.published_at or announcement.created_at
    last = (
        deliveries.filter(sent_at__isnull=False)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    end = max(
        timezone.now()
        if announcement.status in (Status.SENDING, Status.SCHEDULED)
        else (last or start),
        last or start,
    )
    over_time = report.sent_over_time(announcement, start, end, tz)
    failures = (
        deliveries.filter(status__in=FAILED).select_related("citizen").order_by("-updated_at")[:50]
    )
    confirmed = deliveries.filter(confirmed_at__isnull=False)
    replies = report.replies_count(announcement)
    return {
        "costs": cost_view(cost_report(announcement), ui, words),
        "announcement": announcement,
        "title": announcement.text().title,
        "status": status_word(announcement.status),
        "live": announcement.status in (Status.SENDING, Status.SCHEDULED),
        "statuses": [delivery_status_word(s, ui) for s in statuses],
        "table": table,
        "total": sum(row["total"] for row in table),
        "chart": timeline(
            over_time["series"], start, end, tz=tz, locale=babel_locale(ui), label=words.channel
        ),
        "times": [
            {
                **t,
                "label": words.channel(t["channel"]),
                "median": duration(t["median"], ui),
                "p95": duration(t["p95"], ui),
            }
            for t in report.delivery_times(announcement)
        ],
        "reasons": [
            {**r, "label": words.channel(r["channel"])}
            for r in report.failure_reasons(announcement)
        ],
        "failures": [
            {
                "citizen": d.citizen,
                "channel": words.channel(d.channel),
                "reason": d.last_error or delivery_status_word(d.status, ui),
            }
            for d in failures
        ],
        "failure_count": deliveries.filter(status__in=FAILED).count(),
        "confirmations": replies["confirmations"],
        "replies": replies,
        "confirmed": [
            {"citizen": d.citizen, "channel": words.channel(d.channel), "at": d.confirmed_at}
            for d in confirmed.select_related("citizen").order_by("-confirmed_at")[:20]
        ],
        **reach_report(announcement, ui),
    }


def _csv_response(rows, filename: str) -> StreamingHttpResponse:
    buffer = io.StringIO()
    writer = SafeWriter(buffer)

    def lines():
        yield "\ufeff"  # a spreadsheet then reads UTF-8
        for row in rows:
            writer.writerow(row)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def report_csv(request, announcement_id: int):
    """The report as CSV: one line per (section, key) with its numbers."""
    announcement = own_announcement(member(request), announcement_id)
    ui = ui_locale()
    context = reach_report(announcement, ui)
    costs = cost_report(announcement)

    def rows():
        yield [
            "section",
            "key",
            "label",
            "estimated",
            "planned",
            "sent",
            "delivered",
            "failed",
            "percent",
        ]
        for table in context["reach_tables"]:
            for row in table["rows"]:
                yield [
                    f"reach_by_{table['dimension']}",
                    row["key"],
                    row["label"],
                    row["estimated"],
                    row["planned"],
                    row["sent"],
                    row["delivered"],
                    row["failed"],
                    "" if row["percent"] is None else row["percent"],
                ]
        yield [
            "weekly_letter",
            "weekly",
            channel_word("weekly", ui),
            context["weekly"],
            "",
            "",
            "",
            "",
            "",
        ]
        yield []
        yield ["section", "key", "deliveries", "median_seconds", "p95_seconds"]
        for t in report.delivery_times(announcement):
            yield ["delivery_time", t["channel"], t["count"], round(t["median"]), round(t["p95"])]
        yield []
        yield ["section", "key", "count", "estimated_cost", "actual_cost", "currency"]
        yield [
            "cost",
            "total",
            costs["count"],
            costs["estimated"],
            costs["actual"],
            costs["currency"],
        ]
        for dimension, lines in costs["by"].items():
            for line in lines:
                yield [
                    f"cost_by_{dimension}",
                    line["key"],
                    line["count"],
                    line["estimated"],
                    line["actual"],
                    costs["currency"],
                ]
        yield []
        yield ["section", "channel", "reason", "count"]
        for r in report.failure_reasons(announcement, limit=1000):
            yield ["failure", r["channel"], r["last_error"], r["count"]]
        replies = report.replies_count(announcement)
        yield []
        yield ["section", "key", "count"]
        for key, n in replies.items():
            yield ["replies", key, n]

    return _csv_response(rows(), f"rapport-{announcement.pk}.csv")


@login_required
def deliveries_csv(request, announcement_id: int):
    """Every delivery of the announcement (no phone, no address: the citizen's reference)."""
    announcement = own_announcement(member(request), announcement_id)
    columns = (
        "citizen__reference",
        "channel",
        "locale",
        "citizen__area__slug",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "delivered_at",
        "confirmed_at",
        "last_error",
        "cost",
        "cost_currency",
    )
    found = (
        Delivery.objects.filter(announcement=announcement)
        .order_by("pk")
        .values_list(*columns)
        .iterator(chunk_size=2000)
    )

    def rows():
        yield [
            "citizen",
            "channel",
            "locale",
            "area",
            "status",
            "attempts",
            "created_at",
            "sent_at",
            "delivered_at",
            "confirmed_at",
            "error",
            "cost",
            "currency",
        ]
        for row in found:
            yield [
                "" if v is None else v.isoformat() if hasattr(v, "isoformat") else v for v in row
            ]

    return _csv_response(rows(), f"envois-{announcement.pk}.csv")
