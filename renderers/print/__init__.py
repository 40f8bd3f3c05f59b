"""Print renderers (ReportLab): notices, window-envelope letters, weekly digests, mail merge.

Public API, called by the gateway with plain values (never Django objects):

- `render_notice(message, *, large_print=False) -> Rendition`
- `render_letter(message, recipient, *, large_print=False, place="") -> Rendition`
- `render_weekly_notice(messages, *, year, week, locale, organisation) -> Rendition`
- `render_weekly_letter(messages, recipient, *, year, week, organisation) -> Rendition`
- `merge_letters(message_for_locale, recipients, out_dir, *, progress=None) -> MergeResult`
- `format_address(lines, *, country="FR") -> tuple[str, ...]`, `check_address(...) -> list[str]`
"""

from renderers.print.address import PostalRecipient, check_address, format_address
from renderers.print.letter import render_letter
from renderers.print.notice import render_notice

__all__ = [
    "PostalRecipient",
    "check_address",
    "format_address",
    "render_letter",
    "render_notice",
]
