"""Message → WhatsApp: a free-text body (inside the 24-hour window) or the parameters of an
approved UTILITY template (outside it). The gateway picks which one a citizen gets.

Templates are plain data: Meta approves them per name and language; Crieur only fills their
body parameters from the announcement (`title`, `summary`, `link`, …).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import gettext, language
from renderers.message import Message, Rendition
from renderers.messaging.compose import (
    contact_line,
    extra_links,
    headline,
    paragraphs,
    utf16_length,
    verification_line,
)

TEXT_FORM = "whatsapp_text"
TEMPLATE_FORM = "whatsapp_template"
TEXT_LIMIT = 4096  # `text.body`
TEMPLATE_BODY_LIMIT = 1024  # a template body once its parameters are filled in
CATEGORIES = ("UTILITY", "MARKETING", "AUTHENTICATION")

# What a template parameter may be filled with, by name.
PARAMETERS: dict[str, Callable[[Message], str]] = {
    "title": headline,
    "summary": lambda m: m.summary,
    "link": lambda m: m.public_url,
    "code": lambda m: m.verification_code,
    "organisation": lambda m: m.organisation,
    "contact": lambda m: m.contact,
}
_NAME = re.compile(r"^[a-z0-9_]{1,512}$")


@dataclass(frozen=True)
class WhatsAppTemplate:
    """An approved message template as Crieur keeps it per organisation.

    `parameters` name the announcement fields that fill the body's `{{1}}`, `{{2}}`, … in
    order (or its `{{title}}`… when `named`, Meta's NAMED parameter format). `body` is the
    approved text, used for previews and to check the 1,024-character limit.
    """

    name: str
    language: str
    category: str = "UTILITY"
    parameters: tuple[str, ...] = ("title", "summary", "link")
    named: bool = False
    body: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", tuple(self.parameters))
        object.__setattr__(self, "category", self.category.upper())

    def problems(self) -> list[str]:
        """What is wrong with this description, as one-line sentences (empty when fine)."""
        found = []
        if not _NAME.match(self.name):
            found.append(f"template name {self.name!r}: lowercase letters, digits and _ only")
        if self.category not in CATEGORIES:
            found.append(f"category {self.category!r}: one of {', '.join(CATEGORIES)}")
        unknown = [p for p in self.parameters if p not in PARAMETERS]
        if unknown:
            found.append(f"unknown parameter {unknown[0]!r}: known are {', '.join(PARAMETERS)}")
        return found

    def fill(self, values: Sequence[str]) -> str:
        """The body as a citizen reads it, parameters filled in (empty when `body` is unknown)."""
        text = self.body
        for index, (name, value) in enumerate(zip(self.parameters, values, strict=True), 1):
            key = name if self.named else str(index)
            text = text.replace("{{" + key + "}}", value)
        return text


def _one_line(value: str) -> str:
    # Meta refuses parameters with new lines, tabs or more than four spaces in a row.
    return " ".join(value.split())


def compose_whatsapp_text(message: Message, *, short: bool = False) -> str:
    """`*Headline*`, the long form (or the summary when `short`), contact, links, the
    verification line, and how to stop (STOP is read by the gateway's keywords)."""
    title = headline(message)
    blocks = [f"*{title}*" if "*" not in title else title]
    blocks += [message.summary.strip()] if short else paragraphs(message)
    blocks += [line for line in (contact_line(message), *extra_links(message)) if line]
    blocks += [line for line in (verification_line(message),) if line]
    blocks.append(gettext(message.locale, "Pour ne plus recevoir ces messages, répondez STOP."))
    return "\n\n".join(block for block in blocks if block)


def render_whatsapp_text(message: Message, *, limit: int = TEXT_LIMIT) -> Rendition:
    """The free-text message; the summary replaces the body when the whole would not fit."""
    if not message.summary.strip():
        raise RenderError(RenderErrorCode.MISSING_FIELD, "the summary is empty", form=TEXT_FORM)
    text = compose_whatsapp_text(message)
    shortened = utf16_length(text) > limit
    if shortened:
        text = compose_whatsapp_text(message, short=True)
    if utf16_length(text) > limit:
        raise RenderError(
            RenderErrorCode.TOO_LONG,
            f"{utf16_length(text)} characters even with the summary only, the limit is {limit}",
            form=TEXT_FORM,
        )
    return Rendition(
        form=TEXT_FORM,
        locale=message.locale,
        media_type="text/plain",
        body=text,
        meta={"characters": utf16_length(text), "limit": limit, "shortened": shortened},
    )


def pick_template(templates: Sequence[WhatsAppTemplate], locale: str) -> WhatsAppTemplate:
    """The UTILITY template in `locale`'s language (`fr` serves `fr_FR`, `en_US` serves `en`)."""
    wanted = language(locale)
    for template in templates:
        if template.category == "UTILITY" and language(template.language) == wanted:
            return template
    if any(language(t.language) == wanted for t in templates):
        raise RenderError(
            RenderErrorCode.INVALID_INPUT,
            f"no UTILITY template in {wanted!r}: announcements never go out as marketing",
            form=TEMPLATE_FORM,
        )
    raise RenderError(
        RenderErrorCode.UNSUPPORTED_LOCALE, f"no template in {wanted!r}", form=TEMPLATE_FORM
    )


def render_whatsapp_template(
    message: Message, templates: Sequence[WhatsAppTemplate] | WhatsAppTemplate
) -> Rendition:
    """The template message: which template, its language and its filled parameters."""
    if isinstance(templates, WhatsAppTemplate):
        templates = (templates,)
    template = pick_template(templates, message.locale)
    problems = template.problems()
    if problems:
        raise RenderError(RenderErrorCode.INVALID_INPUT, problems[0], form=TEMPLATE_FORM)
    values = []
    for name in template.parameters:
        value = _one_line(PARAMETERS[name](message))
        if not value:
            raise RenderError(
                RenderErrorCode.MISSING_FIELD,
                f"template {template.name!r} needs {name!r}, which is empty",
                form=TEMPLATE_FORM,
            )
        values.append(value)
    filled = template.fill(values)
    size = len(filled) if template.body else sum(len(v) for v in values)
    if size > TEMPLATE_BODY_LIMIT:
        raise RenderError(
            RenderErrorCode.TOO_LONG,
            f"template {template.name!r} filled in has {size} characters, "
            f"the limit is {TEMPLATE_BODY_LIMIT}",
            form=TEMPLATE_FORM,
        )
    preview = filled or "\n".join(values)
    return Rendition(
        form=TEMPLATE_FORM,
        locale=message.locale,
        media_type="text/plain",
        body=preview,
        meta={
            "template": template.name,
            "language": template.language,
            "category": template.category,
            "parameters": tuple(zip(template.parameters, values, strict=True)),
            "named": template.named,
            "characters": size,
            "limit": TEMPLATE_BODY_LIMIT,
        },
    )
