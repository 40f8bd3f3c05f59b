"""One announcement's reach: deliveries per channel and language over time, failures,
confirmations; the live part polls while the announcement is being sent."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from gateway.console.access import member, own_announcement
from gateway.console.charts import timeline
from gateway.console.eta import eta_sentence
from gateway.console.views.announcements import status_word
from gateway.console.views.compose import ui_locale
from gateway.costs import cost_report
from gateway.models import Delivery, DeliveryStatus, Status
from gateway.routing.reach import sending_eta
from renderers.i18n import babel_locale, gettext, ngettext

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


def cost_view(costs: dict, ui: str) -> dict:
    """The cost report with amounts in the agent's language and its notes translated."""
    currency = costs["currency"]

    def money(amount: str) -> str:
        return format_currency(Decimal(amount), currency, locale=babel_locale(ui))

    names = {
        "channel": gettext(ui, "Canal"),
        "locale": gettext(ui, "Langue"),
        "area": gettext(ui, "Zone"),
    }
    tables = [
        {
            "name": names[dimension],
            "lines": [
                {**line, "estimated": money(line["estimated"]), "actual": money(line["actual"])}
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


def live_context(announcement) -> dict:
    deliveries = Delivery.objects.filter(announcement=announcement)
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for row in deliveries.values("channel", "locale", "status").annotate(n=Count("pk")):
        counts.setdefault((row["channel"], row["locale"]), {})[row["status"]] = row["n"]
    statuses = [s for s in STATUS_ORDER if any(s in c for c in counts.values())]
    table = [
        {
            "channel": channel,
            "locale": locale,
            "cells": [by_status.get(s, 0) for s in statuses],
            "total": sum(by_status.values()),
        }
        for (channel, locale), by_status in sorted(counts.items())
    ]
    series: dict[str, list] = {}
    for channel, sent_at in deliveries.filter(sent_at__isnull=False).values_list(
        "channel", "sent_at"
    ):
        series.setdefault(channel, []).append(sent_at)
    start = announcement.published_at or announcement.created_at
    end = max([timezone.now(), *(t for times in series.values() for t in times)])
    failures = (
        deliveries.filter(status__in=FAILED).select_related("citizen").order_by("-updated_at")[:50]
    )
    confirmed = deliveries.filter(confirmed_at__isnull=False)
    return {
        "costs": cost_view(cost_report(announcement), ui_locale()),
        "announcement": announcement,
        "title": announcement.text().title,
        "status": status_word(announcement.status),
        "live": announcement.status in (Status.SENDING, Status.SCHEDULED),
        "eta": eta_sentence(
            sending_eta(announcement), announcement.organisation.timezone, ui_locale()
        )
        if announcement.status == Status.SENDING
        else "",
        "statuses": [delivery_status_word(s, ui_locale()) for s in statuses],
        "table": table,
        "total": sum(row["total"] for row in table),
        "chart": timeline(series, start, end),
        "failures": failures,
        "failure_count": deliveries.filter(status__in=FAILED).count(),
        "confirmations": confirmed.count(),
        "confirmed": confirmed.select_related("citizen").order_by("-confirmed_at")[:20],
    }
