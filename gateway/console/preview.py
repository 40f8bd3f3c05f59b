"""What every citizen will get, from unsaved compose data or a saved announcement.

Per language: the SMS as sent (encoding, segments, cost), the post per social account with its
counter, the call's script (and an audio player), the notice and the letter's first page as
images; and the warnings an agent should see before asking for approval.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pypdfium2
from django.conf import settings
from django.http import HttpResponse
from django.utils import translation

from gateway.accounts.preview import account_cards, with_words
from gateway.mapping import to_message
from gateway.models import Announcement, Area, Organisation, Topic, Urgency
from gateway.renditions import CELL_BROADCAST, render_form, try_render
from renderers.errors import RenderError
from renderers.i18n import gettext
from renderers.message import Message
from renderers.print import PostalRecipient, render_letter

KEY = re.compile(r"[0-9a-f]{64}")
PAGE_SCALE = 0.75  # 72 dpi × 0.75: an A4 page as a 446 × 631 image, enough to judge a layout
SPECIMEN_ADDRESS = ("1 place de la Mairie", "00000 EXEMPLE")

FIELDS = ("title", "summary", "body")


@dataclass
class Preview:
    locale: str
    renditions: dict = field(default_factory=dict)  # form -> Rendition | RenderError
    social: list = field(default_factory=list)  # AccountCard: one per broadcast account
    pages: dict = field(default_factory=dict)  # "notice"/"letter" -> data: URI | RenderError
    cell_broadcast: object = None  # urgent only: the FR-Alert text, Rendition | RenderError


def source_locale(data, organisation: Organisation) -> str:
    """The compose data's language, if it is one of ours (else the organisation's)."""
    locale = data.get("locale")
    return locale if locale in dict(settings.LANGUAGES) else organisation.default_locale


def texts_from_data(data, source: str) -> dict[str, dict[str, str]]:
    """{locale: {title, summary, body}} from compose form data (possibly incomplete)."""
    texts = {source: {f: (data.get(f) or "").strip() for f in FIELDS}}
    for code, _name in settings.LANGUAGES:
        if code == source:
            continue
        given = {f: (data.get(f"{f}_{code}") or "").strip() for f in FIELDS}
        if any(given.values()):
            texts[code] = given
    return texts


def message_from_data(data, organisation: Organisation, locale: str) -> Message:
    """The Message the renderers would get once these compose data are saved and published."""
    source = source_locale(data, organisation)
    texts = texts_from_data(data, source)
    urgency = data.get("urgency")
    text = texts.get(locale) or texts[source]
    link = (data.get("links") or "").strip()
    return Message(
        organisation=organisation.name,
        locale=locale if locale in texts else source,
        title=text["title"],
        summary=text["summary"],
        body=text["body"],
        urgency=urgency if urgency in Urgency.values else Urgency.INFO,
        topics=tuple(
            Topic.objects.filter(
                organisation=organisation, slug__in=data.getlist("topics")
            ).values_list("name", flat=True)
        ),
        areas=tuple(
            Area.objects.filter(
                organisation=organisation, slug__in=data.getlist("areas")
            ).values_list("name", flat=True)
        ),
        links=(link,) if link else (),
        contact=(data.get("contact") or "").strip(),
        timezone=organisation.timezone,
        organisation_address=tuple(line for line in organisation.address_lines or () if line),
        verification_code="XXXX-XXXX",  # made at saving; same length, so the SMS counts hold
        public_url=f"{settings.PUBLIC_URL}/v/XXXX-XXXX",
    )


def preview(
    message: Message,
    organisation: Organisation,
    cards: list | None = None,
    page_url: Callable[[str], str] | None = None,
    renditions: dict | None = None,
) -> Preview:
    """Every form of `message`; `cards` (gateway.accounts.preview.account_cards) show each
    social account's post in its own language (default: in the message's). With `page_url`,
    the notice and letter pages are URLs the browser loads lazily (`page_response`), not
    images made now: the text forms answer while the agent types. `renditions`: the SMS and
    call already made (`try_render`), not made twice."""
    result = Preview(locale=message.locale)
    made = renditions or {}
    if all(form in made for form in ("sms", "voice")):
        result.renditions = {form: made[form] for form in ("sms", "voice")}
    else:
        result.renditions = try_render(("sms", "voice"), message, organisation)
    if message.urgency == Urgency.URGENT:
        result.cell_broadcast = try_render((CELL_BROADCAST,), message, organisation)[CELL_BROADCAST]
    if cards is None:
        cards = account_cards(
            organisation,
            lambda _locale: message,
            {message.locale},
            source=message.locale,
            fallback=message.locale,
        )
    result.social = with_words(cards, translation.get_language() or settings.LANGUAGE_CODE)
    for form, render in PAGES.items():
        if page_url is not None:
            result.pages[form] = page_url(form)
            continue
        try:
            result.pages[form] = first_page_png(render(message, organisation))
        except RenderError as error:
            result.pages[form] = error
    return result


def page_key(message: Message, organisation: Organisation, form: str) -> str:
    """The hash of everything a page image shows: its URL changes when the text does."""
    from gateway.media.preview import card_key

    # The organisation is in the key: its JSON is only ever read back for that organisation.
    return card_key(message, f"page:{form}:{organisation.pk}:{organisation.city}:{PAGE_SCALE}")


def remember_page(message: Message, organisation: Organisation, form: str) -> str:
    """Keep what the page will show under its hash (a small JSON file, nothing rendered yet);
    the key the browser asks the image by. The text stays out of the URL: a long one would
    pass the servers' request-line limit (4 KB in gunicorn)."""
    from gateway.media.jobs import message_values

    key = page_key(message, organisation, form)
    path = _folder() / f"{key}.json"
    if not path.exists():
        values = {"organisation": organisation.pk, "message": message_values(message)}
        _write(path, json.dumps(values, ensure_ascii=False).encode())
    return key


def remembered_page(key: str, organisation: Organisation) -> Message | None:
    """The message kept under `key` for this organisation (None: unknown, or another's)."""
    from gateway.media.jobs import message_from_values

    if not KEY.fullmatch(key):
        return None
    path = _folder() / f"{key}.json"
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if values.get("organisation") != organisation.pk:
        return None
    return message_from_values(values["message"])


def _folder():
    return settings.MEDIA_DIR / "preview"


PREVIEW_MAX_AGE = 24 * 3600.0  # seconds: a preview is for the day it is written


def prune_previews(max_age: float = PREVIEW_MAX_AGE, now: float | None = None) -> int:
    """Delete the kept preview files (page images, their texts, card images) older than
    `max_age`; a page still open makes them again on its next keystroke. How many went."""
    import time

    limit = (now or time.time()) - max_age
    removed = 0
    for path in _folder().glob("*") if _folder().is_dir() else ():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another worker pruned it meanwhile
            continue
    return removed


def _write(path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    partial.write_bytes(data)
    os.replace(partial, path)


def page_response(message: Message, organisation: Organisation, form: str) -> HttpResponse:
    """The first page of the notice or letter as a PNG, made once per content hash and kept
    (`MEDIA_DIR/preview/`); 422 with the reason when it cannot be printed."""
    if form not in PAGES:
        return HttpResponse(f"form: unknown page {form!r}", status=422, content_type="text/plain")
    key = page_key(message, organisation, form)
    path = _folder() / f"{key}.png"
    if path.exists():
        data = path.read_bytes()
    else:
        try:
            data = page_png(PAGES[form](message, organisation))
        except RenderError as error:
            return HttpResponse(str(error), status=422, content_type="text/plain; charset=utf-8")
        _write(path, data)
    response = HttpResponse(data, content_type="image/png")
    response["ETag"] = f'"{key}"'
    response["Cache-Control"] = "private, max-age=86400"  # the URL changes with the text
    return response


def saved_message(announcement: Announcement, locale: str) -> Message:
    return to_message(announcement, locale)


def _notice(message: Message, organisation: Organisation) -> bytes:
    return bytes(render_form("notice", message, organisation).body)  # type: ignore[arg-type]


def _letter(message: Message, organisation: Organisation) -> bytes:
    specimen = PostalRecipient(
        reference="SPECIMEN",
        name=gettext(message.locale, "Destinataire exemple"),
        address=tuple(organisation.address_lines) or SPECIMEN_ADDRESS,
        locale=message.locale,
    )
    body = render_letter(message, specimen, place=organisation.city).body
    return bytes(body)  # type: ignore[arg-type]


PAGES = {"notice": _notice, "letter": _letter}


def first_page_png(pdf: bytes) -> str:
    """The first page of a PDF as a PNG data: URI (pypdfium2, no external program)."""
    return "data:image/png;base64," + base64.b64encode(page_png(pdf)).decode("ascii")


# PDFium is not thread-safe: two pages rendered at once in one process (a browser loads the
# notice and the letter together from a threaded server) crashed it with a segmentation fault.
PDFIUM = threading.Lock()


def page_png(pdf: bytes, scale: float = PAGE_SCALE) -> bytes:
    """The first page of a PDF as PNG bytes (one PDFium call at a time in this process)."""
    with PDFIUM:
        document = pypdfium2.PdfDocument(pdf)
        try:
            image = document[0].render(scale=scale).to_pil()
        finally:
            document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def specimen_letter(message: Message, organisation: Organisation) -> bytes:
    """The letter as a citizen would get it, addressed to a specimen recipient (a PDF)."""
    return _letter(message, organisation)
