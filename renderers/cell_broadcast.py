"""Message → the text a town hall hands to the préfecture for an FR-Alert cell broadcast.

Crieur never sends it (the préfet triggers FR-Alert); it makes a text that fits. A page carries
82 octets: 93 GSM-7 characters (an extension character such as `€` or `[` costs 2) or 41 UCS-2
characters, and a message has 1 to 15 pages (3GPP TS 23.041). The encoding, its tables and the
smart encoding policy are the SMS renderer's own (`renderers.sms`).
"""

from __future__ import annotations

from dataclasses import dataclass

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import gettext
from renderers.message import Message, Rendition, Urgency
from renderers.sms.gsm import count_units, encoding_of, split_parts
from renderers.sms.smart import SmartPolicy, smart_encode

FORM = "cell-broadcast"
PAGE_UNITS = {"GSM-7": 93, "UCS-2": 41}
MAX_PAGES = 15


@dataclass(frozen=True)
class CellBroadcastAnalysis:
    encoding: str
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    pages: tuple[str, ...]
    per_page: int

    @property
    def limit(self) -> int:
        return self.per_page * MAX_PAGES


def analyse_pages(text: str) -> CellBroadcastAnalysis:
    """Encoding, units and pages of `text` as broadcast (no replacement is made here)."""
    encoding = encoding_of(text)
    per_page = PAGE_UNITS[encoding]
    return CellBroadcastAnalysis(
        encoding=encoding,
        units=count_units(text, encoding),
        pages=split_parts(text, encoding, per_page),
        per_page=per_page,
    )


def compose_cell_broadcast(message: Message, policy: SmartPolicy | str = SmartPolicy.FULL) -> str:
    """Alert, title, summary, the organisation and the link to the full text (when known)."""
    if not message.summary.strip():
        raise RenderError(RenderErrorCode.MISSING_FIELD, "the summary is empty", form=FORM)
    locale = message.locale
    title = message.title.strip()
    if message.urgency is Urgency.URGENT:
        title = f"{gettext(locale, 'ALERTE :')} {title}"
    lines = [title, message.summary, message.organisation]
    if message.public_url:
        lines.append(f"{gettext(locale, 'Détails :')} {message.public_url}")
    text = "\n".join(line.strip() for line in lines if line.strip())
    return smart_encode(text, policy, parts=lambda text: len(analyse_pages(text).pages))


def render_cell_broadcast(
    message: Message, policy: SmartPolicy | str = SmartPolicy.FULL
) -> Rendition:
    """The cell-broadcast text; raises `RenderError(TOO_LONG)` past 15 pages, saying by how much."""
    text = compose_cell_broadcast(message, policy)
    cb = analyse_pages(text)
    if len(cb.pages) > MAX_PAGES:
        unit = "characters" if cb.encoding == "GSM-7" else "UCS-2 characters"
        raise RenderError(
            RenderErrorCode.TOO_LONG,
            f"the cell broadcast needs {len(cb.pages)} pages ({cb.units} {unit}, {cb.encoding}); "
            f"the limit is {MAX_PAGES} pages of {cb.per_page} = {cb.limit}: "
            f"{max(cb.units - cb.limit, 1)} too many",
            form=FORM,
        )
    return Rendition(
        form=FORM,
        locale=message.locale,
        media_type="text/plain",
        body=text,
        meta={
            "encoding": cb.encoding,
            "pages": len(cb.pages),
            "max_pages": MAX_PAGES,
            "per_page": cb.per_page,
            "units": cb.units,
            "limit": cb.limit,
            "characters": len(text),
            "parts": cb.pages,
            "policy": str(SmartPolicy(policy)),
            "sent_by_crieur": False,
        },
    )
