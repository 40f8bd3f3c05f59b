"""The reach estimate of an announcement not yet published, from `estimate_reach`.

Loaded after the page (htmx) because it routes every citizen: seconds in a large town.
"""

from __future__ import annotations

from babel import Locale
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from gateway.console.access import member, own_announcement
from gateway.console.subscriber_forms import ui
from gateway.console.views.announcements import available_actions, not_published
from gateway.console.words import channel_word
from gateway.models import Area
from gateway.routing.reach import reach_of
from renderers.i18n import gettext, language, ngettext


@login_required
def reach(request, announcement_id: int):
    membership = member(request)
    announcement = own_announcement(membership, announcement_id)
    partial = request.headers.get("HX-Request") == "true"
    context = {"member": membership, "announcement": announcement, "partial": partial}
    if not_published(announcement):
        context.update(reach_context(announcement))
        context["can_publish"] = "publish" in available_actions(
            announcement, membership, request.user
        )
    return render(request, "console/_reach.html" if partial else "console/reach.html", context)


def reach_context(announcement) -> dict:
    found = reach_of(announcement)
    lc = ui()
    names = Locale.parse(language(lc)).languages
    areas = dict(
        Area.objects.filter(organisation=announcement.organisation).values_list("slug", "name")
    )
    by_channel = [(channel_word(c, lc), n) for c, n in found["by_channel"].items()]
    return {
        "reach": found,
        "by_channel": by_channel,
        "by_locale": [(names.get(c, c), c, n) for c, n in found["by_locale"].items()],
        "by_area": [
            (areas.get(a, a) if a else gettext(lc, "Sans quartier"), n)
            for a, n in found["by_area"].items()
        ],
        "confirmation": confirmation(found["citizens"], by_channel, lc),
    }


def confirmation(citizens: int, by_channel: list[tuple[str, int]], lc: str) -> str:
    """`This will reach 4 citizens: SMS 3, voice call 1.`: said before the publish button."""
    if not citizens:
        return gettext(lc, "Cette publication n’atteindra aucun abonné.")
    detail = ", ".join(
        gettext(lc, "{channel} : {count}").format(channel=word, count=n) for word, n in by_channel
    )
    return ngettext(
        lc,
        "Cette publication atteindra {count} abonné — {detail}.",
        "Cette publication atteindra {count} abonnés — {detail}.",
        citizens,
    ).format(count=citizens, detail=detail)
