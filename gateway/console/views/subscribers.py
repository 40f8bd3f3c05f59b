"""Subscribers: a paged, sorted and filtered list (phones masked), and the weekly notice to print.

The filters are one query each way: Exists() over the consents, never a loop over citizens.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from babel import Locale
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation

from gateway.audience.changes import masked
from gateway.audience.text import readable
from gateway.console.access import member
from gateway.console.words import channel_word
from gateway.models import CHANNELS, Area, Citizen, Consent, ConsentSource, Topic
from gateway.weekly import weekly_notice
from renderers.i18n import gettext, language, ngettext

PAGE = 50
# sort key → ORDER BY; the reference breaks ties so that pages never overlap
SORTS = {
    "name": ("name", "reference"),
    "reference": ("reference",),
    "language": ("language", "name", "reference"),
    "area": ("area__name", "name", "reference"),
    "created": ("created_at", "pk"),
}
CONSENT_STATES = ("granted", "withdrawn", "none")
FILTERS = ("q", "channel", "language", "area", "topic", "consent", "source")


def ui() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def consent_state_word(state: str, lc: str) -> str:
    words = {
        "granted": gettext(lc, "Consentement donné"),
        "withdrawn": gettext(lc, "Consentement retiré"),
        "none": gettext(lc, "Aucun consentement"),
    }
    return words.get(state, state)


def source_word(source: str, lc: str) -> str:
    words = {
        "sms": gettext(lc, "SMS"),
        "web": gettext(lc, "Inscription en ligne"),
        "paper": gettext(lc, "Formulaire papier"),
        "agent": gettext(lc, "Saisie par un agent"),
        "voice": gettext(lc, "Appel vocal"),
        "whatsapp": gettext(lc, "WhatsApp"),
        "email": gettext(lc, "Courriel"),
    }
    return words.get(source, source)


def filtered(organisation, params) -> tuple[object, dict[str, str]]:
    """The organisation's citizens matching the filters of `params`, and the filters applied
    (an unknown value is ignored, never a 500)."""
    citizens = Citizen.objects.filter(organisation=organisation, erased_at__isnull=True)
    applied: dict[str, str] = {}

    def param(name: str) -> str:
        return readable(params.get(name, "")).strip()  # a NUL would be a 500 on PostgreSQL

    query = param("q")
    if query:
        citizens = citizens.filter(Q(name__icontains=query) | Q(reference__iexact=query))
        applied["q"] = query
    consents = Consent.objects.filter(citizen=OuterRef("pk"))
    channel = param("channel")
    if channel in CHANNELS:
        applied["channel"] = channel
        consents = consents.filter(channel=channel)
    state = param("consent")
    if state in CONSENT_STATES:
        applied["consent"] = state
        if state == "none":
            citizens = citizens.filter(~Exists(consents))
        else:
            citizens = citizens.filter(Exists(consents.filter(granted=state == "granted")))
    elif "channel" in applied:
        citizens = citizens.filter(Exists(consents.filter(granted=True)))
    source = param("source")
    if source in ConsentSource.values:
        applied["source"] = source
        citizens = citizens.filter(
            Exists(Consent.objects.filter(citizen=OuterRef("pk"), source=source))
        )
    language = param("language")
    if language in dict(settings.LANGUAGES):
        applied["language"] = language
        citizens = citizens.filter(language=language)
    area = param("area")
    if area == "-":
        applied["area"] = area
        citizens = citizens.filter(area__isnull=True)
    elif area and Area.objects.filter(organisation=organisation, slug=area).exists():
        applied["area"] = area
        citizens = citizens.filter(area__slug=area)
    topic = param("topic")
    if topic and Topic.objects.filter(organisation=organisation, slug=topic).exists():
        applied["topic"] = topic
        citizens = citizens.filter(
            Exists(Citizen.topics.through.objects.filter(citizen=OuterRef("pk"), topic__slug=topic))
        )
    return citizens, applied


@login_required
def subscribers(request):
    membership = member(request)
    organisation = membership.organisation
    lc = ui()
    citizens, applied = filtered(organisation, request.GET)
    sort = request.GET.get("sort", "name")
    descending = sort.startswith("-")
    key = sort.lstrip("-") if sort.lstrip("-") in SORTS else "name"
    order = [("-" if descending else "") + column for column in SORTS[key]]
    paginator = Paginator(citizens.select_related("area").order_by(*order), PAGE)
    page = paginator.get_page(request.GET.get("page"))
    names = Locale.parse(language(lc)).languages
    rows = [
        (
            c,
            masked(c.phone),
            [channel_word(ch, lc) for ch in c.channels],
            names.get(c.language, c.language),
        )
        for c in page
    ]
    base = {**applied, "sort": ("-" if descending else "") + key}
    year, week, _ = date.today().isocalendar()
    return render(
        request,
        "console/subscribers.html",
        {
            "member": membership,
            "query": applied.get("q", ""),
            "applied": applied,
            "rows": rows,
            "page": page,
            "caption": caption(paginator.count, page.number, paginator.num_pages),
            "columns": _columns(key, descending, applied, lc),
            "previous": _link(base, page.previous_page_number()) if page.has_previous() else "",
            "next": _link(base, page.next_page_number()) if page.has_next() else "",
            "first": _link(base, 1),
            "sort": base["sort"],
            "last": _link(base, paginator.num_pages),
            "choices": _choices(organisation, lc),
            "week": f"{year}-W{week:02d}",
        },
    )


def _link(params: dict[str, str], page: int) -> str:
    return "?" + urlencode({**params, "page": page})


def _columns(key: str, descending: bool, applied: dict, lc: str) -> list[dict]:
    """The sortable headers: a link that sorts by the column (again: the other way)."""
    labels = {
        "reference": gettext(lc, "Référence"),
        "name": gettext(lc, "Nom"),
        "language": gettext(lc, "Langue"),
        "area": gettext(lc, "Quartier"),
        "created": gettext(lc, "Inscrit le"),
    }
    columns = []
    for name, label in labels.items():
        current = name == key
        sort = ("" if current and descending or not current else "-") + name
        columns.append(
            {
                "name": name,
                "label": label,
                "href": "?" + urlencode({**applied, "sort": sort}),
                "aria_sort": ("descending" if descending else "ascending") if current else "",
            }
        )
    return columns


def _choices(organisation, lc: str) -> dict:
    return {
        "channel": [(c, channel_word(c, lc)) for c in CHANNELS],
        "language": list(settings.LANGUAGES),  # each in its own language
        "area": [("-", gettext(lc, "Aucun"))]
        + list(Area.objects.filter(organisation=organisation).values_list("slug", "name")),
        "topic": list(Topic.objects.filter(organisation=organisation).values_list("slug", "name")),
        "consent": [(s, consent_state_word(s, lc)) for s in CONSENT_STATES],
        "source": [(s, source_word(s, lc)) for s in ConsentSource.values],
    }


def caption(count: int, page: int = 1, pages: int = 1) -> str:
    lc = ui()
    text = ngettext(lc, "{count} abonné", "{count} abonnés", count).format(count=count)
    if pages > 1:
        text += " — " + gettext(lc, "Page {page} sur {pages}").format(page=page, pages=pages)
    return text


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
