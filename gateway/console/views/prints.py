"""Print from the console: an announcement's notice (normal or large print, per language), its
specimen letter and its postal letters (one zip with the manifests), and the "Print" page with
the weekly notice and the weekly letters. Everything is made by `renderers.print` through
`gateway.printing` and `gateway.weekly`, as the CLI and the workers make it."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from gateway.console import preview as previews
from gateway.console.access import member, own_announcement
from gateway.console.views.compose import ui_locale
from gateway.models import Announcement, Delivery, DeliveryStatus
from gateway.printing import announcement_letters, zip_folder
from gateway.weekly import postal_subscribers, published_in_week, weekly_letters
from renderers.errors import RenderError
from renderers.i18n import gettext, ngettext
from renderers.print import render_notice

PDF = "application/pdf"


def _locale(request, announcement: Announcement) -> str:
    locale = request.GET.get("locale")
    return locale if locale in announcement.locales else announcement.locale


def _not_printable(error: RenderError) -> HttpResponse:
    text = gettext(ui_locale(), "Une forme ne peut pas être produite : {detail}").format(
        detail=error.detail
    )
    return HttpResponse(text, status=422, content_type="text/plain; charset=utf-8")


def _pdf(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_GET
def notice_pdf(request, announcement_id: int):
    """The notice in one language; `?large=1` for large print."""
    announcement = own_announcement(member(request), announcement_id)
    locale = _locale(request, announcement)
    large = request.GET.get("large") == "1"
    try:
        notice = render_notice(previews.saved_message(announcement, locale), large_print=large)
    except RenderError as error:
        return _not_printable(error)
    suffix = "-large" if large else ""
    return _pdf(bytes(notice.body), f"notice-{announcement.pk}-{locale}{suffix}.pdf")


@login_required
@require_GET
def notice_png(request, announcement_id: int):
    """The notice's first page as an image (thumbnails load it lazily, by URL)."""
    announcement = own_announcement(member(request), announcement_id)
    locale = _locale(request, announcement)
    try:
        notice = render_notice(previews.saved_message(announcement, locale))
    except RenderError as error:
        return _not_printable(error)
    response = HttpResponse(previews.page_png(bytes(notice.body)), content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_GET
def letter_pdf(request, announcement_id: int):
    """The letter in one language, addressed to a specimen recipient."""
    membership = member(request)
    announcement = own_announcement(membership, announcement_id)
    locale = _locale(request, announcement)
    try:
        pdf = previews.specimen_letter(
            previews.saved_message(announcement, locale), membership.organisation
        )
    except RenderError as error:
        return _not_printable(error)
    return _pdf(pdf, f"letter-{announcement.pk}-{locale}-specimen.pdf")


def print_locales(announcement: Announcement) -> list[tuple[str, str]]:
    """(code, name) of the announcement's languages, for the print links."""
    names = dict(settings.LANGUAGES)
    return [(code, names.get(code, code)) for code in announcement.locales]


def postal_deliveries(announcement: Announcement) -> int:
    return (
        Delivery.objects.filter(announcement=announcement, channel="post", citizen__isnull=False)
        .exclude(status__in=(DeliveryStatus.CANCELLED, DeliveryStatus.SKIPPED))
        .count()
    )


@login_required
@require_GET
def letters_zip(request, announcement_id: int):
    """The announcement's postal letters, as the mailroom gets them: PDFs, manifests, rejects."""
    announcement = own_announcement(member(request), announcement_id)
    if not postal_deliveries(announcement):
        messages.error(
            request, gettext(ui_locale(), "Aucun courrier à imprimer pour cette annonce.")
        )
        return redirect("console:announcement", announcement.pk)
    with tempfile.TemporaryDirectory() as folder:
        announcement_letters(announcement, Path(folder))
        return _zip(folder, f"letters-{announcement.pk}.zip")


def _zip(folder: str, filename: str) -> FileResponse:
    archive = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    zip_folder(Path(folder), archive)
    archive.seek(0)
    return FileResponse(archive, as_attachment=True, filename=filename)


def parse_week(value: str) -> tuple[int, int] | None:
    """`2026-W47` → (2026, 47); None for anything else."""
    try:
        year, week = (int(part) for part in value.split("-W"))
        date.fromisocalendar(year, week, 1)
    except ValueError:
        return None
    return year, week


@login_required
@require_GET
def print_page(request):
    """The week's print work: the weekly notice per language, the weekly letters, and each
    announcement of the week with its notices and letters."""
    membership = member(request)
    organisation = membership.organisation
    ui = ui_locale()
    error = ""
    asked = request.GET.get("week", "")
    chosen = parse_week(asked) if asked else None
    if asked and chosen is None:
        error = gettext(ui, "Semaine invalide : choisissez une semaine comme 2026-W47.")
    year, week = chosen or date.today().isocalendar()[:2]
    announcements = published_in_week(organisation, year, week)
    postal = sum(1 for _ in postal_subscribers(organisation))
    return render(
        request,
        "console/print.html",
        {
            "member": membership,
            "week": f"{year}-W{week:02d}",
            "week_error": error,
            "announcements": [
                {"a": a, "title": a.text().title, "print_locales": print_locales(a)}
                for a in announcements
            ],
            "postal": ngettext(
                ui, "{count} abonné par courrier", "{count} abonnés par courrier", postal
            ).format(count=postal),
            "languages": settings.LANGUAGES,
        },
    )


@login_required
@require_GET
def weekly_letters_zip(request):
    """One letter per postal subscriber concerned by the week's announcements, in one zip."""
    organisation = member(request).organisation
    chosen = parse_week(request.GET.get("week", ""))
    ui = ui_locale()
    if chosen is None:
        messages.error(
            request, gettext(ui, "Semaine invalide : choisissez une semaine comme 2026-W47.")
        )
        return redirect("console:print")
    year, week = chosen
    with tempfile.TemporaryDirectory() as folder:
        result = weekly_letters(organisation, year, week, Path(folder))
        if not result.letters and not result.rejected:
            messages.error(request, gettext(ui, "Aucun courrier à imprimer cette semaine."))
            return redirect(f"{_print_url()}?week={year}-W{week:02d}")
        return _zip(folder, f"weekly-letters-{year}-W{week:02d}.zip")


def _print_url() -> str:
    from django.urls import reverse

    return reverse("console:print")
