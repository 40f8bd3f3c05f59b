"""Subscribers: search by name or reference (phones masked), and the weekly notice to print."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation

from gateway.audience.changes import masked
from gateway.audience.text import readable
from gateway.console.access import member
from gateway.models import Citizen
from gateway.weekly import weekly_notice
from renderers.i18n import ngettext

PAGE = 50


@login_required
def subscribers(request):
    membership = member(request)
    query = readable(request.GET.get("q", "")).strip()  # a NUL would be a 500 on PostgreSQL
    citizens = Citizen.objects.filter(
        organisation=membership.organisation, erased_at__isnull=True
    ).select_related("area")
    if query:
        citizens = citizens.filter(Q(name__icontains=query) | Q(reference__iexact=query))
    rows = [(c, masked(c.phone)) for c in citizens.order_by("name", "pk")[:PAGE]]
    year, week, _ = date.today().isocalendar()
    return render(
        request,
        "console/subscribers.html",
        {
            "member": membership,
            "query": query,
            "rows": rows,
            "caption": caption(citizens.count()),
            "week": f"{year}-W{week:02d}",
        },
    )


def caption(count: int) -> str:
    lc = translation.get_language() or settings.LANGUAGE_CODE
    return ngettext(lc, "{count} abonné", "{count} abonnés", count).format(count=count)


@login_required
def weekly_notice_pdf(request):
    """The weekly notice of the chosen ISO week (`2026-W47`), ready to print."""
    organisation = member(request).organisation
    try:
        year, week = (int(part) for part in request.GET.get("week", "").split("-W"))
        date.fromisocalendar(year, week, 1)
    except ValueError:
        return HttpResponse(
            "week: expected an ISO week like 2026-W47", status=400, content_type="text/plain"
        )
    locale = request.GET.get("locale") or organisation.default_locale
    if locale not in dict(settings.LANGUAGES):
        return HttpResponse(f"locale: unknown language {locale!r}", status=400)
    notice = weekly_notice(organisation, year, week, locale)
    response = HttpResponse(notice.body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="avis-{year}-W{week:02d}-{locale}.pdf"'
    return response
