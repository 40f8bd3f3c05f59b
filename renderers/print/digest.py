"""The weekly digest: the week's announcements on one notice, or in one letter per subscriber.

The gateway selects the announcements (per organisation for the notice; per subscriber's
topics, area and language for the letter); these functions only lay them out.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, Spacer

from renderers.i18n import gettext
from renderers.message import Message, Rendition
from renderers.print.address import PostalRecipient
from renderers.print.dates import iso_week_days, weekly_title
from renderers.print.layout import (
    CONTENT_WIDTH,
    MARGIN,
    RULE_GREY,
    Footer,
    Sizes,
    VerificationBlock,
    build_flowing_pdf,
    para,
    sizes_for,
    styles,
)
from renderers.print.letter import LetterContent, closing, opening, render_content_letter
from renderers.print.notice import announcement_story


def render_weekly_notice(
    messages: Sequence[Message],
    *,
    year: int,
    week: int,
    locale: str,
    organisation: str,
    large_print: bool = False,
) -> Rendition:
    """`render_weekly_notice(messages, *, year, week, locale, organisation) -> Rendition`.

    Form "weekly_notice": "Avis à la population — semaine du …", one section per announcement
    (each with its QR and verification code), in `locale`.
    """
    sizes = sizes_for(large_print, poster=True)
    title = weekly_title(year, week, locale)
    footer = Footer(None, locale, sizes)

    def story() -> list[Flowable]:
        style = styles(sizes, locale)
        return [
            para(organisation, style["heading"]),
            HRFlowable(width="100%", thickness=1, color=RULE_GREY, spaceAfter=sizes.body),
            para(title, style["title"]),
            *sections(messages, locale, sizes),
        ]

    pdf, pages = build_flowing_pdf(
        story, footer.draw, top=MARGIN, bottom=footer.top + 6 * mm, title=title
    )
    return Rendition(
        form="weekly_notice",
        locale=locale,
        media_type="application/pdf",
        body=pdf,
        meta={"pages": pages, "announcements": len(messages), "year": year, "week": week},
    )


def render_weekly_letter(
    messages: Sequence[Message],
    recipient: PostalRecipient,
    *,
    year: int,
    week: int,
    organisation: str,
    place: str = "",
    large_print: bool = False,
) -> Rendition:
    """`render_weekly_letter(messages, recipient, *, year, week, organisation) -> Rendition`.

    Form "weekly_letter", in the recipient's locale, dated the Monday of the week; large print
    when the recipient needs it. Raises `RenderError(INVALID_ADDRESS)` for a bad address.
    """
    locale = recipient.locale
    title = weekly_title(year, week, locale)
    monday, _ = iso_week_days(year, week)

    def story(sizes: Sizes) -> list[Flowable]:
        style = styles(sizes, locale)
        intro = gettext(locale, "Voici les annonces de la semaine.")
        civility = recipient.civility
        return [
            *opening(monday, locale, sizes, place=place, subject=title, civility=civility),
            para(intro, style["body"]),
            *sections(messages, locale, sizes),
            *closing(organisation, locale, sizes, civility=civility),
        ]

    content = LetterContent(
        locale=locale,
        organisation=organisation,
        title=title,
        story=story,
        sender_address=messages[0].organisation_address if messages else (),
    )
    letter = render_content_letter(content, recipient, large_print=large_print)
    meta = {**letter.meta, "announcements": len(messages), "year": year, "week": week}
    return Rendition("weekly_letter", locale, letter.media_type, letter.body, meta)


def sections(messages: Sequence[Message], locale: str, sizes: Sizes) -> list[Flowable]:
    """One section per announcement, separated by rules; a sentence when there is none."""
    style = styles(sizes, locale)
    if not messages:
        return [para(gettext(locale, "Aucune annonce cette semaine."), style["body"])]
    story: list[Flowable] = []
    for message in messages:
        story.append(HRFlowable(width="100%", thickness=0.5, color=RULE_GREY, spaceAfter=6))
        section = announcement_story(message, sizes, title_style="heading")
        if message.verification_code:
            section[-1].keepWithNext = 1  # the code stays with the text it vouches for
            section.append(VerificationBlock(message, locale, sizes, CONTENT_WIDTH))
        story += section
        story.append(Spacer(1, sizes.body))
    return story
