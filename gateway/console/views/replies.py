"""What citizens sent back, in one list: their messages (SMS, WhatsApp, web, social), their
poll answers (SMS, voice menu, web) and the receipts they confirmed in a call (key 2).

One UNION query, paged in the database; the page's citizens, announcements and poll texts are
then read in one query each.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import CharField, F, IntegerField, Q, Value
from django.shortcuts import render

from gateway.audience.text import readable
from gateway.console.access import member
from gateway.console.subscriber_forms import ui
from gateway.console.words import channel_word
from gateway.conversation.models import PollAnswer, PollText
from gateway.models import Announcement, Citizen, Delivery, InboundMessage
from renderers.i18n import gettext, ngettext

PAGE = 50
KINDS = ("message", "poll", "confirmation")
COLUMNS = (
    "r_kind",
    "r_at",
    "r_channel",
    "r_citizen",
    "r_announcement",
    "r_body",
    "r_keyword",
    "r_choice",
    "r_locale",
)


def kind_word(kind: str, lc: str) -> str:
    return {
        "message": gettext(lc, "Message"),
        "poll": gettext(lc, "Réponse à une consultation"),
        "confirmation": gettext(lc, "Réception confirmée (touche 2)"),
    }.get(kind, kind)


def reply_channel_word(channel: str, lc: str) -> str:
    return gettext(lc, "Page web") if channel == "web" else channel_word(channel, lc)


def _text(value: str):
    return Value(value, output_field=CharField())


def replies_of(organisation, params) -> tuple[object, dict[str, str]]:
    """The union of the three kinds, filtered; the filters applied (unknown values ignored)."""
    applied: dict[str, str] = {}
    messages = InboundMessage.objects.filter(organisation=organisation)
    answers = PollAnswer.objects.filter(poll__announcement__organisation=organisation)
    receipts = Delivery.objects.filter(
        announcement__organisation=organisation, confirmed_at__isnull=False
    )
    announcement = params.get("announcement", "")
    if announcement.isdigit():
        applied["announcement"] = announcement
        messages = messages.filter(announcement_id=int(announcement))
        answers = answers.filter(poll__announcement_id=int(announcement))
        receipts = receipts.filter(announcement_id=int(announcement))
    channel = readable(params.get("channel", "")).strip()
    if channel and channel.isidentifier():
        applied["channel"] = channel
        messages, answers, receipts = (
            q.filter(channel=channel) for q in (messages, answers, receipts)
        )
    query = readable(params.get("q", "")).strip()
    if query:
        applied["q"] = query
        messages = messages.filter(Q(body__icontains=query) | Q(keyword__iexact=query))
        answers, receipts = answers.none(), receipts.none()  # they hold no text to search
    kind = params.get("kind", "")
    if kind in KINDS:
        applied["kind"] = kind
    else:
        kind = ""
    parts = []
    if kind in ("", "message"):
        parts.append(
            messages.annotate(
                r_kind=_text("message"),
                r_at=F("received_at"),
                r_channel=F("channel"),
                r_citizen=F("citizen_id"),
                r_announcement=F("announcement_id"),
                r_body=F("body"),
                r_keyword=F("keyword"),
                r_choice=Value(0, output_field=IntegerField()),
                r_locale=_text(""),
            )
            .order_by()
            .values(*COLUMNS)
        )
    if kind in ("", "poll"):
        parts.append(
            answers.annotate(
                r_kind=_text("poll"),
                r_at=F("answered_at"),
                r_channel=F("channel"),
                r_citizen=F("citizen_id"),
                r_announcement=F("poll__announcement_id"),
                r_body=_text(""),
                r_keyword=_text(""),
                r_choice=F("choice"),
                r_locale=F("locale"),
            )
            .order_by()
            .values(*COLUMNS)
        )
    if kind in ("", "confirmation"):
        parts.append(
            receipts.annotate(
                r_kind=_text("confirmation"),
                r_at=F("confirmed_at"),
                r_channel=F("channel"),
                r_citizen=F("citizen_id"),
                r_announcement=F("announcement_id"),
                r_body=_text(""),
                r_keyword=_text(""),
                r_choice=Value(0, output_field=IntegerField()),
                r_locale=F("locale"),
            )
            .order_by()
            .values(*COLUMNS)
        )
    first, *others = parts
    return first.union(*others, all=True) if others else first, applied


@login_required
def replies(request):
    membership = member(request)
    organisation = membership.organisation
    lc = ui()
    rows, applied = replies_of(organisation, request.GET)
    paginator = Paginator(rows.order_by("-r_at", "-r_kind"), PAGE)
    page = paginator.get_page(request.GET.get("page"))
    items = list(page)
    citizens = dict(
        Citizen.objects.filter(
            pk__in={r["r_citizen"] for r in items if r["r_citizen"]}
        ).values_list("pk", "reference")
    )
    announcements = {
        a.pk: a
        for a in Announcement.objects.filter(
            organisation=organisation,
            pk__in={r["r_announcement"] for r in items if r["r_announcement"]},
        )
        .prefetch_related("texts")
        .select_related("organisation")
    }
    polls = {
        (t.poll.announcement_id, t.locale): t.answers
        for t in PollText.objects.filter(
            poll__announcement_id__in=[r["r_announcement"] for r in items if r["r_kind"] == "poll"]
        ).select_related("poll")
    }
    shown = []
    for r in items:
        announcement = announcements.get(r["r_announcement"])
        text = r["r_body"]
        if r["r_kind"] == "poll":
            choices = polls.get((r["r_announcement"], r["r_locale"])) or []
            answer = choices[r["r_choice"] - 1] if 0 < r["r_choice"] <= len(choices) else ""
            text = f"{r['r_choice']}. {answer}".strip()
        shown.append(
            {
                "kind": kind_word(r["r_kind"], lc),
                "at": r["r_at"],
                "channel": reply_channel_word(r["r_channel"], lc),
                "citizen": citizens.get(r["r_citizen"], ""),
                "announcement": announcement,
                "title": announcement.text().title if announcement else "",
                "text": text,
                "keyword": r["r_keyword"],
            }
        )
    filtered_announcement = None
    if "announcement" in applied:
        filtered_announcement = (
            Announcement.objects.filter(organisation=organisation, pk=int(applied["announcement"]))
            .prefetch_related("texts")
            .select_related("organisation")
            .first()
        )
    return render(
        request,
        "console/replies.html",
        {
            "member": membership,
            "rows": shown,
            "page": page,
            "applied": applied,
            "about": filtered_announcement.text().title if filtered_announcement else "",
            "caption": ngettext(lc, "{count} réponse", "{count} réponses", paginator.count).format(
                count=paginator.count
            ),
            "previous": _link(applied, page.previous_page_number()) if page.has_previous() else "",
            "next": _link(applied, page.next_page_number()) if page.has_next() else "",
            "kinds": [(k, kind_word(k, lc)) for k in KINDS],
            "channels": [
                (c, reply_channel_word(c, lc)) for c in ("sms", "voice", "whatsapp", "email", "web")
            ],
        },
    )


def _link(params: dict[str, str], page: int) -> str:
    return "?" + urlencode({**params, "page": page})
