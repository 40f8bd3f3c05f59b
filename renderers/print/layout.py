"""Page furniture shared by notices and letters: sizes, styles, the verification block.

Every page of a notice or letter carries the QR code and short code of the announcement so
that a citizen can check a paper is genuine on the public verification page.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from renderers.i18n import gettext
from renderers.message import Message, Urgency
from renderers.print.bidi import RTLParagraph, has_rtl, is_rtl, mirrored
from renderers.print.fonts import BOLD, REGULAR, register_fonts
from renderers.print.qr import draw_qr
from renderers.visual.typography import typeset

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
BOTTOM = 12 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
RULE_GREY = HexColor("#777777")
BANNER_COLOURS: dict[Urgency, tuple[Color, Color]] = {
    # Background and text; the important banner keeps dark text for contrast on amber.
    Urgency.URGENT: (HexColor("#B00020"), white),
    Urgency.IMPORTANT: (HexColor("#F2A900"), HexColor("#000000")),
}


@dataclass(frozen=True)
class Sizes:
    """Type sizes in points; large print keeps body >= 16 and headings >= 20."""

    body: float
    heading: float
    title: float
    footer: float
    address: float
    qr: float

    @property
    def large(self) -> bool:
        return self.body >= 16


NORMAL = Sizes(body=11, heading=13, title=16, footer=9, address=10, qr=20 * mm)
POSTER = Sizes(body=13, heading=16, title=26, footer=9, address=10, qr=22 * mm)
LARGE = Sizes(body=17, heading=21, title=28, footer=16, address=12, qr=28 * mm)


def sizes_for(large_print: bool, *, poster: bool = False) -> Sizes:
    """Letters use NORMAL; notices read from a metre away use POSTER; LARGE for both."""
    if large_print:
        return LARGE
    return POSTER if poster else NORMAL


def styles(sizes: Sizes, locale: str = "fr") -> dict[str, ParagraphStyle]:
    """Paragraph styles keyed by role, mirrored for a right-to-left locale; DejaVu throughout."""
    register_fonts()
    base = ParagraphStyle(
        "body",
        fontName=REGULAR,
        fontSize=sizes.body,
        leading=sizes.body * 1.35,
        spaceAfter=sizes.body * 0.6,
        alignment=TA_LEFT,
    )
    roles = {
        "body": base,
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "signature": ParagraphStyle("signature", parent=base, leftIndent=CONTENT_WIDTH / 2),
        "heading": ParagraphStyle(
            "heading",
            parent=base,
            fontName=BOLD,
            fontSize=sizes.heading,
            leading=sizes.heading * 1.25,
            spaceBefore=sizes.heading * 0.4,
            spaceAfter=sizes.heading * 0.4,
        ),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=BOLD,
            fontSize=sizes.title,
            leading=sizes.title * 1.2,
            spaceAfter=sizes.title * 0.4,
        ),
        "footer": ParagraphStyle(
            "footer",
            parent=base,
            fontSize=sizes.footer,
            leading=sizes.footer * 1.25,
            spaceAfter=0,
        ),
    }
    if is_rtl(locale):
        return {role: mirrored(style) for role, style in roles.items()}
    return roles


def typeset_message(message: Message) -> Message:
    """The message with its language's typography: French spacing, `8 h` and `12 h`, phone
    numbers and a day with its month kept on one line. U+00A0 everywhere: ReportLab breaks
    lines at the narrow no-break space U+202F."""

    def fix(value: str) -> str:
        return typeset(value, message.locale).replace("\u202f", "\u00a0")

    return replace(
        message,
        title=fix(message.title),
        summary=fix(message.summary),
        body=fix(message.body),
        contact=fix(message.contact),
    )


def text(value: str) -> str:
    """Plain text made safe for a ReportLab paragraph."""
    return escape(value)


def para(value: str, style: ParagraphStyle, *, bold: bool = False) -> Paragraph:
    """A paragraph of plain text; right-to-left script is shaped and reordered line by line."""
    if has_rtl(value):
        if bold:
            style = ParagraphStyle("bold-" + style.name, parent=style, fontName=BOLD)
        return RTLParagraph(value, style)
    markup = text(value).replace("\n", "<br/>")  # `\n`: a list item keeps its own line
    return Paragraph(f"<b>{markup}</b>" if bold else markup, style)


def paragraphs(body: str, style: ParagraphStyle) -> list[Paragraph]:
    """One paragraph per blank-line-separated block.

    Single line breaks are the author's wrapping, so they become spaces, except before a
    list item ("- ", "• ") which keeps its own line.
    """
    blocks = [block.strip() for block in body.replace("\r\n", "\n").split("\n\n")]
    return [para(_joined_lines(block), style) for block in blocks if block]


def _joined_lines(block: str) -> str:
    out = ""
    for line in block.split("\n"):
        line = line.strip()
        if not line:
            continue
        separator = "\n" if line.startswith(("- ", "• ", "* ")) else " "
        out += (separator if out else "") + line
    return out


def banner(message_urgency: Urgency, locale: str, sizes: Sizes) -> Table | None:
    """The coloured urgency banner (important / urgent), or None for plain information."""
    if message_urgency not in BANNER_COLOURS:
        return None
    background, colour = BANNER_COLOURS[message_urgency]
    label = (
        gettext(locale, "Urgent")
        if message_urgency is Urgency.URGENT
        else gettext(locale, "Important")
    )
    style = ParagraphStyle(
        "banner",
        fontName=BOLD,
        fontSize=sizes.heading,
        leading=sizes.heading * 1.25,
        textColor=colour,
        alignment=1,
    )
    table = Table([[para(label.upper(), style)]], colWidths=[CONTENT_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), background),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return table


class VerificationBlock(Flowable):
    """QR code + "Vérifier l'authenticité : CODE" + public URL, side by side."""

    def __init__(self, message: Message, locale: str, sizes: Sizes, width: float) -> None:
        super().__init__()
        self.code = message.verification_code
        self.url = message.public_url
        self.sizes = sizes
        label = gettext(locale, "Vérifier l’authenticité : {code}").format(code=self.code)
        style = styles(sizes, locale)["footer"]
        if has_rtl(label):  # one plain paragraph: RTLParagraph takes no markup
            self.caption: Paragraph = RTLParagraph(
                "\n".join(filter(None, [label, self.url])), style
            )
        else:
            lines = [f"<b>{text(label)}</b>"] + ([text(self.url)] if self.url else [])
            self.caption = Paragraph("<br/>".join(lines), style)
        self.width = width
        # A gutter on the right keeps the caption clear of the page number.
        self.caption_width = width - sizes.qr - 4 * mm - 14 * mm
        _, self.caption_height = self.caption.wrap(self.caption_width, PAGE_HEIGHT)
        self.height = max(sizes.qr, self.caption_height)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.draw_at(self.canv, 0, 0)

    def draw_at(self, canvas: Canvas, x: float, y: float) -> None:
        qr_data = self.url or self.code  # the URL leads to the verification page
        draw_qr(canvas, qr_data, x, y + self.height - self.sizes.qr, self.sizes.qr)
        caption_y = y + self.height - self.caption_height
        self.caption.drawOn(canvas, x + self.sizes.qr + 4 * mm, caption_y)


class Footer:
    """The furniture at the foot of every page: verification block (if any) and page n/N."""

    def __init__(self, message: Message | None, locale: str, sizes: Sizes) -> None:
        self.locale = locale
        self.sizes = sizes
        self.block = (
            VerificationBlock(message, locale, sizes, CONTENT_WIDTH)
            if message is not None and message.verification_code
            else None
        )
        # The page number sits at the bottom right, under the top-aligned caption.
        content = self.block.height if self.block else sizes.footer * 1.25
        self.height = content + 4 * mm  # room for the rule above it

    @property
    def top(self) -> float:
        """The highest point of the footer, from the bottom of the page."""
        return BOTTOM + self.height

    def draw(self, canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        canvas.setStrokeColor(RULE_GREY)
        canvas.setLineWidth(0.5)
        rule_y = BOTTOM + self.height - 2 * mm
        canvas.line(MARGIN, rule_y, PAGE_WIDTH - MARGIN, rule_y)
        if self.block:
            self.block.draw_at(canvas, MARGIN, BOTTOM)
        canvas.setFont(REGULAR, self.sizes.footer)
        canvas.setFillColorRGB(0, 0, 0)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, BOTTOM, f"{page}/{pages}")
        canvas.restoreState()


def build_flowing_pdf(
    story_factory: Callable[[], Sequence[Flowable]],
    draw_furniture: Callable[[Canvas, int, int], None],
    *,
    top: float,
    bottom: float,
    title: str,
) -> tuple[bytes, int]:
    """Flow a story onto as many A4 pages as it needs; return the PDF and its page count.

    Built twice when it spans several pages so every page can say "n/N".
    """
    register_fonts()
    pages = 1
    for _ in range(2):
        buffer = io.BytesIO()
        doc = BaseDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=top,
            bottomMargin=bottom,
            title=title,
            invariant=1,
        )
        frame = content_frame(top, bottom, id="content")
        total = pages

        def on_page(canvas: Canvas, document: BaseDocTemplate, total: int = total) -> None:
            draw_furniture(canvas, canvas.getPageNumber(), total)

        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
        doc.build(list(story_factory()))
        if doc.page == pages:
            return buffer.getvalue(), pages
        pages = doc.page
    return buffer.getvalue(), pages


def content_frame(top: float, bottom: float, **kwargs) -> Frame:
    """The full-width text frame between `top` (from the page top) and `bottom`, unpadded."""
    return Frame(
        MARGIN,
        bottom,
        CONTENT_WIDTH,
        PAGE_HEIGHT - top - bottom,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        **kwargs,
    )
