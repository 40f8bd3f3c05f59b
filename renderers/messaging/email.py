"""Message → an email in one language: subject, plain text and accessible HTML.

Rendered once per (announcement, locale); the unsubscribe link differs per citizen, so both
parts carry `UNSUBSCRIBE_PLACEHOLDER`, which the email channel replaces (`fill_unsubscribe`)
with the citizen's link, and also puts in the `List-Unsubscribe` header (RFC 8058).

The HTML has no image and no remote resource (nothing to block, no tracking), sets `lang`
and `dir` on the document and on the wrapper (some clients drop `<html>`), sets no text or
background colour (the client's own, light or dark, stays readable) and marks an alert with
words and a border, never with colour alone.
"""

from __future__ import annotations

import html

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import gettext
from renderers.message import Message, Rendition, Urgency
from renderers.messaging.compose import (
    contact_line,
    direction,
    extra_links,
    headline,
    language_tag,
    paragraphs,
    verification_label,
)
from renderers.social.counting import URL_RE

FORM = "email"
UNSUBSCRIBE_PLACEHOLDER = "{{crieur_unsubscribe_url}}"
SUBJECT_LIMIT = 250  # characters; RFC 5322 folds longer headers, mail clients cut far earlier

STYLE = """
:root { color-scheme: light dark; supported-color-schemes: light dark; }
body { margin: 0; padding: 0; }
.crieur { max-width: 40em; margin: 0 auto; padding: 1.5em 1em;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  font-size: 1.0625rem; line-height: 1.6; }
.crieur h1 { font-size: 1.5em; line-height: 1.25; margin: 0 0 1em; }
.crieur a { color: #0b57d0; text-decoration: underline; }
.crieur .alert { border: 3px solid #b3261e; padding: 0.5em 0.75em; margin: 0 0 1em; }
.crieur .alert h1 { margin: 0; }
.crieur .code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 1.2em;
  font-weight: bold; }
.crieur footer { border-top: 1px solid #8c8c8c; margin-top: 2em; padding-top: 1em;
  font-size: 0.9375em; }
@media (prefers-color-scheme: dark) {
  .crieur a { color: #a8c7fa; }
  .crieur .alert { border-color: #f2b8b5; }
}
""".strip()


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _linked(text: str) -> str:
    """Escaped text whose URLs are links, lines kept."""
    out = []
    position = 0
    for match in URL_RE.finditer(text):
        out.append(_escape(text[position : match.start()]))
        url = _escape(match.group())
        out.append(f'<a href="{url}">{url}</a>')
        position = match.end()
    out.append(_escape(text[position:]))
    return "".join(out).replace("\n", "<br>\n")


def email_subject(message: Message) -> str:
    subject = headline(message)
    if not subject:
        raise RenderError(RenderErrorCode.MISSING_FIELD, "the title is empty", form=FORM)
    if len(subject) > SUBJECT_LIMIT:
        raise RenderError(
            RenderErrorCode.TOO_LONG,
            f"the subject has {len(subject)} characters, the limit is {SUBJECT_LIMIT}",
            form=FORM,
        )
    return subject


def _footer_words(message: Message) -> tuple[str, str]:
    locale = message.locale
    why = gettext(
        locale,
        "Courriel envoyé par {organisation} : votre adresse est inscrite à ses informations.",
    ).format(organisation=message.organisation)
    return why, gettext(locale, "Se désabonner")


def compose_email_text(message: Message) -> str:
    """The text/plain part."""
    blocks = [headline(message), *paragraphs(message)]
    blocks += [line for line in (contact_line(message), *extra_links(message)) if line]
    verification = [w for w in (verification_label(message), message.public_url) if w]
    if verification:
        blocks.append("\n".join(verification))
    why, _ = _footer_words(message)
    stop = gettext(message.locale, "Se désabonner : {url}").format(url=UNSUBSCRIBE_PLACEHOLDER)
    blocks.append(f"-- \n{message.organisation}\n{why}\n{stop}")
    return "\n\n".join(blocks) + "\n"


def compose_email_html(message: Message) -> str:
    """The text/html part: one self-contained document."""
    locale = message.locale
    lang, dir_ = language_tag(locale), direction(locale)
    subject = _escape(email_subject(message))
    heading = f"<h1>{subject}</h1>"
    if message.urgency is Urgency.URGENT:
        heading = f'<div class="alert" role="alert">{heading}</div>'
    body = [f"<p>{_linked(p)}</p>" for p in paragraphs(message)]
    body += [f"<p>{_linked(line)}</p>" for line in (contact_line(message), *extra_links(message))]
    if message.verification_code or message.public_url:
        # Only the code in a monospace font: Arabic words spaced out like code read badly.
        code = ""
        if message.verification_code:
            words = _escape(gettext(locale, "Vérifier l’authenticité : {code}"))
            code = words.format(
                code=f'<span class="code">{_escape(message.verification_code)}</span>'
            )
        url = _escape(message.public_url)
        page = _escape(gettext(locale, "Page officielle de vérification"))
        link = f'<a href="{url}">{page}</a>' if url else ""
        body.append(f"<p>{code}{'<br>' if code and link else ''}{link}</p>")
    why, stop = (_escape(w) for w in _footer_words(message))
    footer = (
        f"<footer><p>{_escape(message.organisation)}<br>{why}<br>"
        f'<a href="{UNSUBSCRIBE_PLACEHOLDER}">{stop}</a></p></footer>'
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{lang}" dir="{dir_}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="color-scheme" content="light dark">',
            '<meta name="supported-color-schemes" content="light dark">',
            f"<title>{subject}</title>",
            f"<style>\n{STYLE}\n</style>",
            "</head>",
            "<body>",
            f'<div class="crieur" lang="{lang}" dir="{dir_}" role="article" '
            f'aria-roledescription="email" aria-label="{subject}">',
            heading,
            *[line for line in body if line != "<p></p>"],
            footer,
            "</div>",
            "</body>",
            "</html>",
            "",
        ]
    )


def render_email(message: Message) -> Rendition:
    """The email rendition: `body` is the plain text, `meta` the subject, HTML and language."""
    if not (message.body.strip() or message.summary.strip()):
        raise RenderError(RenderErrorCode.MISSING_FIELD, "the body is empty", form=FORM)
    return Rendition(
        form=FORM,
        locale=message.locale,
        media_type="text/plain",
        body=compose_email_text(message),
        meta={
            "subject": email_subject(message),
            "html": compose_email_html(message),
            "language": language_tag(message.locale),
            "direction": direction(message.locale),
            "unsubscribe_placeholder": UNSUBSCRIBE_PLACEHOLDER,
        },
    )


def fill_unsubscribe(rendition: Rendition, url: str) -> tuple[str, str]:
    """The plain text and HTML of `rendition` with the citizen's unsubscribe `url`."""
    text = rendition.text.replace(UNSUBSCRIBE_PLACEHOLDER, url)
    page = str(rendition.meta["html"]).replace(UNSUBSCRIBE_PLACEHOLDER, _escape(url))
    return text, page
