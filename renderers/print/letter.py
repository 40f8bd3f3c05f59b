"""Letters for a French window envelope: the address in the window, the rest laid out once.

What a letter says is the same for every citizen of one locale; only the address block and
the reference change. So the pages are laid out once per document as form XObjects and each
letter draws those forms plus its own address: thousands of letters cost little more than one.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import count

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, Spacer

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import gettext
from renderers.message import Message, Rendition
from renderers.print.address import PostalRecipient
from renderers.print.bidi import visual
from renderers.print.dates import letter_date_line, local_day
from renderers.print.fonts import REGULAR, register_fonts, text_width
from renderers.print.layout import (
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    Footer,
    Sizes,
    banner,
    content_frame,
    para,
    paragraphs,
    sizes_for,
    styles,
    typeset_message,
)

FORM = "letter"

# French "NF" window envelope on A4, measured from the top-left corner of the sheet.
WINDOW_LEFT = 100 * mm
WINDOW_TOP = 35 * mm
WINDOW_WIDTH = 100 * mm
WINDOW_HEIGHT = 45 * mm
WINDOW_INDENT = 10 * mm
WINDOW_PADDING = 3 * mm  # letters move a little in the envelope: keep clear of the edges
FOLDS = (99 * mm, 198 * mm)
FIRST_BODY_TOP = 88 * mm  # below the window
NEXT_BODY_TOP = 20 * mm
ADDRESS_MIN_SIZE = 9.0  # NF Z10-011: 9 to 12 pt
FONT_ASCENT = 0.76  # DejaVu Sans, in em

StoryFactory = Callable[[Sizes], Sequence[Flowable]]


@dataclass(frozen=True)
class LetterContent:
    """What a letter says, whoever receives it: the story and the page furniture."""

    locale: str
    organisation: str
    title: str
    story: StoryFactory
    verification: Message | None = None  # whose QR and code go in every footer
    sender_address: tuple[str, ...] = ()  # the return address, under the organisation


def render_letter(
    message: Message, recipient: PostalRecipient, *, large_print: bool = False, place: str = ""
) -> Rendition:
    """`render_letter(message, recipient, *, large_print=False, place="") -> Rendition`.

    Form "letter", a PDF; large print when asked or when the recipient needs it.
    Raises `RenderError(INVALID_ADDRESS)` when the address cannot follow NF Z10-011.
    """
    content = letter_content(message, place=place, civility=recipient.civility)
    return render_content_letter(content, recipient, large_print=large_print)


def render_content_letter(
    content: LetterContent, recipient: PostalRecipient, *, large_print: bool = False
) -> Rendition:
    """One letter of `content` for `recipient`, as a one-document Rendition."""
    address = recipient.address_lines()
    large = large_print or recipient.large_print
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, title=content.title)
    layout = LetterLayout(canvas, content, sizes_for(large))
    pages = layout.draw(canvas, address, recipient.reference)
    canvas.save()
    return Rendition(
        form=FORM,
        locale=content.locale,
        media_type="application/pdf",
        body=buffer.getvalue(),
        meta={"pages": pages, "large_print": large, "reference": recipient.reference},
    )


def letter_content(message: Message, *, place: str = "", civility: str = "") -> LetterContent:
    """The letter that carries one announcement, greeting "Madame," or "Monsieur," when the
    civility is known (`PostalRecipient.civility`)."""
    return LetterContent(
        locale=message.locale,
        organisation=message.organisation,
        title=message.title,
        story=lambda sizes: message_letter_story(message, sizes, place=place, civility=civility),
        verification=message,
        sender_address=message.organisation_address,
    )


def message_letter_story(
    message: Message, sizes: Sizes, *, place: str, civility: str = ""
) -> list[Flowable]:
    message = typeset_message(message)
    locale = message.locale
    style = styles(sizes, locale)
    day = local_day(message)
    story = opening(day, locale, sizes, place=place, subject=message.title, civility=civility)
    urgency_banner = banner(message.urgency, locale, sizes)
    if urgency_banner is not None:
        story[2:2] = [urgency_banner, Spacer(1, sizes.body * 0.6)]
    story += paragraphs(message.body, style["body"])
    if message.contact:
        label = gettext(locale, "Contact : {contact}").format(contact=message.contact)
        story.append(para(label, style["body"]))
    for link in message.links:
        label = gettext(locale, "Plus d’informations : {link}").format(link=link)
        story.append(para(label, style["body"]))
    return story + closing(message.organisation, locale, sizes, civility=civility)


def greeting(civility: str, locale: str) -> str:
    if civility == "madame":
        return gettext(locale, "Madame,")
    if civility == "monsieur":
        return gettext(locale, "Monsieur,")
    return gettext(locale, "Madame, Monsieur,")


def courtesy(civility: str, locale: str) -> str:
    if civility == "madame":
        return gettext(
            locale,
            "Nous vous prions d’agréer, Madame, l’expression de nos salutations distinguées.",
        )
    if civility == "monsieur":
        return gettext(
            locale,
            "Nous vous prions d’agréer, Monsieur, l’expression de nos salutations distinguées.",
        )
    return gettext(
        locale,
        "Nous vous prions d’agréer, Madame, Monsieur, l’expression de nos salutations distinguées.",
    )


def opening(
    day: date, locale: str, sizes: Sizes, *, place: str, subject: str, civility: str = ""
) -> list[Flowable]:
    """Place and date, subject line and salutation."""
    style = styles(sizes, locale)
    subject_line = gettext(locale, "Objet : {subject}").format(subject=subject)
    return [
        para(letter_date_line(day, place, locale), style["right"]),
        Spacer(1, sizes.body * 0.8),
        para(subject_line, style["heading"]),
        Spacer(1, sizes.body * 0.4),
        para(greeting(civility, locale), style["body"]),
    ]


def closing(organisation: str, locale: str, sizes: Sizes, *, civility: str = "") -> list[Flowable]:
    """Courtesy formula and signature block."""
    style = styles(sizes, locale)
    kept = [para(courtesy(civility, locale), style["body"]), Spacer(1, sizes.body)]
    for flowable in kept:
        flowable.keepWithNext = True  # the signature never stands alone on a page
    return [*kept, para(organisation, style["signature"], bold=True)]


def new_canvas(target, *, title: str) -> Canvas:
    register_fonts()
    canvas = Canvas(target, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1)
    canvas.setTitle(title)
    return canvas


_layout_ids = count(1)


class LetterLayout:
    """The static pages of one letter, defined once on a canvas as form XObjects."""

    def __init__(self, canvas: Canvas, content: LetterContent, sizes: Sizes) -> None:
        self.sizes = sizes
        self.locale = content.locale
        self.footer = Footer(content.verification, content.locale, sizes)
        prefix = f"letter{next(_layout_ids)}"
        bodies = self._lay_out_body(canvas, content, prefix)
        self.reference_y = 0.0
        self.page_forms = []
        for index, body in enumerate(bodies):
            name = f"{prefix}p{index + 1}"
            canvas.beginForm(name)
            canvas.doForm(body)
            if index == 0:
                self._draw_first_page_furniture(canvas, content)
            self.footer.draw(canvas, index + 1, len(bodies))
            canvas.endForm()
            self.page_forms.append(name)

    @property
    def pages(self) -> int:
        return len(self.page_forms)

    def draw(self, canvas: Canvas, address: Sequence[str], reference: str) -> int:
        """Draw one letter (its pages, address and reference); return its page count."""
        for index, form in enumerate(self.page_forms):
            canvas.doForm(form)
            if index == 0:
                draw_address(canvas, address, self.sizes)
                if reference:
                    label = gettext(self.locale, "Réf. : {reference}").format(reference=reference)
                    canvas.setFont(REGULAR, self.sizes.footer if not self.sizes.large else 16)
                    canvas.drawString(MARGIN, self.reference_y, visual(label))
            canvas.showPage()
        return len(self.page_forms)

    def _lay_out_body(self, canvas: Canvas, content: LetterContent, prefix: str) -> list[str]:
        story = list(content.story(self.sizes))
        bottom = self.footer.top + 4 * mm
        forms: list[str] = []
        while story:
            top = FIRST_BODY_TOP if not forms else NEXT_BODY_TOP
            frame = content_frame(top, bottom)
            name = f"{prefix}b{len(forms) + 1}"
            canvas.beginForm(name)
            placed = fill_frame(frame, story, canvas)
            canvas.endForm()
            if not placed:
                raise RenderError(
                    RenderErrorCode.TOO_LONG,
                    "a block of the letter is taller than a page",
                    form=FORM,
                )
            forms.append(name)
        return forms

    def _draw_first_page_furniture(self, canvas: Canvas, content: LetterContent) -> None:
        # The sender sits left of the window whatever the script, like the address block.
        style = styles(self.sizes)["heading" if self.sizes.large else "body"]
        width = WINDOW_LEFT - MARGIN - 8 * mm
        top = PAGE_HEIGHT - 15 * mm
        height = 0.0
        blocks = [para(content.organisation, style, bold=True)]
        if content.sender_address:  # the return address, for the post office and the reply
            small = styles(self.sizes)["body"]
            blocks.append(para("\n".join(content.sender_address), small))
        for block in blocks:
            _, block_height = block.wrap(width, WINDOW_TOP + WINDOW_HEIGHT)
            block.drawOn(canvas, MARGIN, top - height - block_height)
            height += block_height
        reference_size = 16 if self.sizes.large else self.sizes.footer
        self.reference_y = top - height - reference_size * 1.6
        canvas.saveState()
        canvas.setLineWidth(0.5)
        for fold in FOLDS:  # tri-fold marks on the left edge
            canvas.line(4 * mm, PAGE_HEIGHT - fold, 9 * mm, PAGE_HEIGHT - fold)
        canvas.restoreState()


def fill_frame(frame: Frame, story: list[Flowable], canvas: Canvas) -> int:
    """Draw flowables from the head of `story` into `frame`, splitting the one that
    overflows (a paragraph goes on over the page, it is never cut); return how many
    pieces were placed. A run of keep-with-next flowables moves to the next page whole."""
    placed = 0
    while story:
        if placed and not _kept_run_fits(frame, story, canvas):
            break
        if frame.add(story[0], canvas, trySplit=0):
            story.pop(0)
            placed += 1
            continue
        parts = frame.split(story[0], canvas)
        if len(parts) >= 2 and frame.add(parts[0], canvas, trySplit=0):
            story[0:1] = parts[1:]
            placed += 1
        break
    return placed


def _kept_run_fits(frame: Frame, story: list[Flowable], canvas: Canvas) -> bool:
    run = 0
    while run < len(story) - 1 and getattr(story[run], "keepWithNext", False):
        run += 1
    if run == 0:
        return True
    width = frame._getAvailableWidth()
    # The run plus two lines of what follows it must fit, or the run starts the next page.
    height = sum(f.wrapOn(canvas, width, frame._aH)[1] for f in story[:run])
    follower = story[run].wrapOn(canvas, width, frame._aH)[1]
    return height + min(follower, 3 * styles_line(story[run])) <= frame._y - frame._y1p


def styles_line(flowable: Flowable) -> float:
    style = getattr(flowable, "style", None)
    return float(getattr(style, "leading", 0) or 0) or 20.0


def address_font_size(lines: Sequence[str], sizes: Sizes) -> tuple[float, float]:
    """The size (9–12 pt) and horizontal scale (%) that fit the widest line in the window."""
    available = WINDOW_WIDTH - WINDOW_INDENT - WINDOW_PADDING
    size = sizes.address
    while size > ADDRESS_MIN_SIZE and _widest(lines, size) > available:
        size -= 0.5
    widest = _widest(lines, size)
    # Condensing beats cutting: a line that is valid (<= 38 chars) is always printed whole.
    scale = 100.0 if widest <= available else 100.0 * available / widest
    return size, scale


def draw_address(canvas: Canvas, lines: Sequence[str], sizes: Sizes) -> None:
    """The address block inside the window, vertically centred, left-aligned, not bold."""
    size, scale = address_font_size(lines, sizes)
    leading = size * 1.2
    block = leading * len(lines)
    gap = max(WINDOW_PADDING, (WINDOW_HEIGHT - block) / 2)
    first_baseline = PAGE_HEIGHT - WINDOW_TOP - gap - size * FONT_ASCENT
    block_text = canvas.beginText(WINDOW_LEFT + WINDOW_INDENT, first_baseline)
    block_text.setFont(REGULAR, size, leading)
    block_text.setHorizScale(scale)
    for line in lines:
        block_text.textLine(visual(line))
    canvas.drawText(block_text)


def _widest(lines: Sequence[str], size: float) -> float:
    return max((text_width(line, size) for line in lines), default=0.0)
