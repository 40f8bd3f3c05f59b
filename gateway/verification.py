"""The public verification page `/v/<code>`: the official text of a published announcement.

The code is printed on notices and letters, ends the link of every SMS and social post. The page
shows the text in the visitor's language when a translation exists (`?lang=`, then the
browser's Accept-Language), the organisation, the publication date, whether and how it was
approved (the role, not the person), and the SHA-256 of each archived rendition, so a printed
notice can be checked against the archive. Rate limited per client address.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format
from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.http import require_safe

from gateway.audience.subscriptions import available_languages
from gateway.conversation.polls import public_summary
from gateway.models import Announcement, AuditEvent, Rendition, Role, Status
from gateway.public.languages import language_links
from gateway.ratelimit import TokenBucket, rate_limited
from renderers.i18n import gettext

PUBLIC = TokenBucket("public-verify", rate=settings.PUBLIC_RATE, burst=settings.PUBLIC_BURST)


def normalise(code: str) -> str:
    """`k7qm2xpa`, `K7QM 2XPA` and `K7QM-2XPA` are the same code."""
    raw = "".join(c for c in code.upper() if c.isascii() and c.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw  # never a NUL to the database


def published(code: str, *, with_renditions: bool = True) -> Announcement:
    rows = Announcement.objects.select_related("organisation").prefetch_related("texts")
    if with_renditions:  # their hashes and meta, never their bytes (PDFs, pictures, videos)
        rows = rows.prefetch_related(
            Prefetch("renditions", queryset=Rendition.objects.defer("data", "text"))
        )
    announcement = rows.filter(
        verification_code=normalise(code), published_at__isnull=False
    ).first()
    if announcement is None:
        raise Http404(code)
    return announcement


def pick_locale(request, available: list[str], default: str) -> str:
    """`?lang=`, then the Accept-Language preferences, then the announcement's own locale."""
    wanted = [request.GET.get("lang", "")]
    accepted = parse_accept_lang_header(request.headers.get("Accept-Language", ""))
    wanted += [lang for lang, _ in accepted]
    for lang in wanted:
        lang = lang.replace("-", "_").lower()
        for candidate in (lang, lang.split("_")[0]):
            if candidate in available:
                return candidate
    return default


@require_safe
@rate_limited(PUBLIC)
def verification(request, code: str) -> HttpResponse:
    try:
        announcement = published(code)
    except Http404:
        with translation.override(pick_locale(request, list(available_languages()), "fr")):
            page = {"code": code[:20], "language_links": language_links(request)}
            return render(request, "gateway/verification_unknown.html", page, status=404)
    locale = pick_locale(request, announcement.locales, announcement.locale)
    with translation.override(locale):
        page = context(announcement, locale)
        page["language_links"] = language_links(request, sorted(announcement.locales))
        return render(request, "gateway/verification.html", page)


def context(announcement: Announcement, locale: str) -> dict:
    organisation = announcement.organisation
    zone = ZoneInfo(organisation.timezone)

    def when(moment):
        """The long date and the short time ("21 novembre 2026 à 09:00"), in the town's zone."""
        local, lang = moment.astimezone(zone), _locale(locale)
        return (
            get_datetime_format("long", locale=lang)
            .replace("'", "")
            .replace("{1}", format_date(local, "long", locale=lang))
            .replace("{0}", format_time(local, "short", locale=lang))
        )

    events = AuditEvent.objects.filter(
        object_type="announcement", object_id=str(announcement.pk)
    ).order_by("at", "pk")
    approved = [e for e in events if e.action == "announcement.approved"]
    alert = any(e.action == "announcement.published" and e.data.get("alert") for e in events)
    approval = None
    if alert:
        approval = gettext(
            locale,
            "Publiée en urgence, sans validation préalable, par une personne habilitée à "
            "diffuser des alertes.",
        )
    elif approved:
        last = approved[-1]
        roles = {Role.ADMIN: gettext(locale, "administration")}
        role = roles.get(last.data.get("role"), gettext(locale, "validation"))
        approval = gettext(
            locale, "Validée avant publication par une personne chargée de la {role}, le {date}."
        ).format(role=role, date=when(last.at))
    text = announcement.text(locale)
    renditions = sorted(
        (r for r in announcement.renditions.all() if r.locale == locale),
        key=lambda r: r.form,
    )
    return {
        **media_context(announcement, renditions),
        "announcement": announcement,
        "organisation": organisation,
        "text": text,
        "paragraphs": [p.strip() for p in text.body.split("\n\n") if p.strip()],
        "locale": locale,
        "published": when(announcement.published_at),
        "cancelled": announcement.status == Status.CANCELLED,
        "approval": approval,
        "renditions": renditions,
        "conversation_poll": public_summary(announcement, locale),
    }


def media_context(announcement: Announcement, renditions: list) -> dict:
    """The card (with its alt text) and the video (captions track, transcript) of this
    language, when they were archived; their links name the language, so they never vary."""
    by_form = {r.form: r for r in renditions}
    code, page = announcement.verification_code, {}
    card, video = by_form.get("card"), by_form.get("video")
    links = {}
    for r in renditions:
        if r.form in ("card", "card-square", "video"):
            name = {"card": "card.jpg", "card-square": "card-square.jpg", "video": "video.mp4"}
            links[r.form] = (
                f"{reverse('verification_media', args=[code, name[r.form]])}?lang={r.locale}"
            )
        elif r.form == "notice":
            links[r.form] = reverse("verification_notice", args=[code, r.locale])
    for r in renditions:
        r.link = links.get(r.form, "")
    if card is not None:
        page["card"] = {
            "url": links["card"],
            "alt": card.meta.get("alt", ""),
            "width": card.meta.get("width", 1080),
            "height": card.meta.get("height", 1350),
        }
    if video is not None:
        page["video"] = {
            "url": links["video"],
            "captions": reverse("verification_captions", args=[code, "captions", video.locale]),
            "transcript_url": reverse(
                "verification_transcript", args=[code, "transcript", video.locale]
            ),
            "transcript": str(video.meta.get("transcript", "")),
            "width": video.meta.get("width", 1080),
            "height": video.meta.get("height", 1920),
            "poster": links.get("card", ""),
        }
    return page


def _locale(code: str) -> Locale:
    return Locale.parse(code.replace("-", "_"))


@require_safe
@rate_limited(PUBLIC)
def archived_notice(request, code: str, locale: str) -> HttpResponse:
    """The notice PDF exactly as archived at publication (its SHA-256 is on the page)."""
    announcement = published(code, with_renditions=False)
    row = announcement.renditions.filter(form="notice", locale=locale).first()
    if row is None or row.data is None:
        raise Http404(locale)
    response = HttpResponse(bytes(row.data), content_type=row.media_type)
    response["Content-Disposition"] = (
        f'inline; filename="{announcement.verification_code}-{locale}.pdf"'
    )
    return response
