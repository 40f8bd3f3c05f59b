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
from renderers.print.digest import render_weekly_letter, render_weekly_notice
from renderers.print.letter import render_letter
from renderers.print.mailmerge import MergeOutput, MergeResult, merge_letters
from renderers.print.notice import render_notice

__all__ = [
    "MergeOutput",
    "MergeResult",
    "PostalRecipient",
    "check_address",
    "format_address",
    "merge_letters",
    "render_letter",
    "render_notice",
    "render_weekly_letter",
    "render_weekly_notice",
]
