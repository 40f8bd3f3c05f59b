"""The A4 notice for the town-hall board: one announcement, as many pages as it needs."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, Spacer

from renderers.i18n import gettext
from renderers.message import Message, Rendition
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
    """Banner, title, date, body, contact and links of one announcement."""
    locale = message.locale
    style = styles(sizes, locale)
    story: list[Flowable] = []
    urgency_banner = banner(message.urgency, locale, sizes)
    if urgency_banner is not None:
        story += [urgency_banner, Spacer(1, sizes.body * 0.8)]
    story.append(para(message.title, style[title_style]))
    story.append(para(full_date(message), style["heading"]))
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
    return story
