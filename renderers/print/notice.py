"""The A4 notice for the town-hall board: one announcement, as many pages as it needs."""

from __future__ import annotations

from babel.dates import format_date
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, Spacer

from renderers.i18n import babel_locale, gettext
from renderers.message import Message, Rendition
from renderers.poll import Poll, how_to_answer
from renderers.print.dates import full_date
from renderers.print.layout import (
    MARGIN,
    RULE_GREY,
    Footer,
    Sizes,
    banner,
    build_flowing_pdf,
    para,
    paragraphs,
    sizes_for,
    styles,
    typeset_message,
)

FORM = "notice"


def render_notice(message: Message, *, large_print: bool = False) -> Rendition:
    """`render_notice(message, *, large_print=False) -> Rendition` (form "notice", a PDF).

    Organisation, urgency banner, title, date, body, contact; flows onto more pages, never cuts.
    """
    sizes = sizes_for(large_print, poster=True)
    footer = Footer(message, message.locale, sizes)
    pdf, pages = build_flowing_pdf(
        lambda: notice_story(message, sizes),
        footer.draw,
        top=MARGIN,
        bottom=footer.top + 6 * mm,
        title=message.title,
    )
    return Rendition(
        form=FORM,
        locale=message.locale,
        media_type="application/pdf",
        body=pdf,
        meta={"pages": pages, "large_print": large_print},
    )


def notice_story(message: Message, sizes: Sizes) -> list[Flowable]:
    """The flowables of one announcement as a notice (also one section of the weekly notice)."""
    return [
        para(message.organisation, styles(sizes, message.locale)["heading"]),
        HRFlowable(width="100%", thickness=1, color=RULE_GREY, spaceAfter=sizes.body),
        *announcement_story(message, sizes, title_style="title"),
    ]


def announcement_story(message: Message, sizes: Sizes, *, title_style: str) -> list[Flowable]:
    """Banner, title, publication date, body, contact and links of one announcement."""
    message = typeset_message(message)
    locale = message.locale
    style = styles(sizes, locale)
    story: list[Flowable] = []
    urgency_banner = banner(message.urgency, locale, sizes)
    if urgency_banner is not None:
        story += [urgency_banner, Spacer(1, sizes.body * 0.8)]
    story.append(para(message.title, style[title_style]))
    # Labelled: a bare date under the title reads like the day of the event.
    published = gettext(locale, "Publié le {date}").format(date=full_date(message))
    story.append(para(published, style["heading"]))
    for flowable in story:
        # Banner, title and date never end a page apart from the text they announce.
        flowable.keepWithNext = 1
    story += paragraphs(message.body, style["body"])
    if message.contact:
        label = gettext(locale, "Contact : {contact}").format(contact=message.contact)
        story.append(para(label, style["body"]))
    for link in message.links:
        label = gettext(locale, "Plus d’informations : {link}").format(link=link)
        story.append(para(label, style["body"]))
    if message.poll is not None:
        story += poll_story(message.poll, locale, style)
    return story


def poll_story(poll: Poll, locale: str, style) -> list[Flowable]:
    """The consultation: its question, the numbered answers and every way to answer."""
    story: list[Flowable] = [
        Spacer(1, 4 * mm),
        para(
            gettext(locale, "Consultation : {question}").format(question=poll.question),
            style["heading"],
        ),
    ]
    story[-1].keepWithNext = 1
    for number, answer in enumerate(poll.answers, start=1):
        story.append(para(f"{number}. {answer}", style["body"]))
    story += [para(line, style["body"]) for line in how_to_answer(poll, locale)]
    if poll.closes_at is not None:
        story.append(
            para(
                gettext(locale, "Réponses jusqu’au {date}.").format(
                    date=format_date(poll.closes_at, "long", locale=babel_locale(locale))
                ),
                style["body"],
            )
        )
    return story
