"""Babel extractor for `{% t "..." %}` tags in templates (see `babel.cfg`).

Kept free of Django imports so `pybabel extract` runs without settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

TAG = re.compile(r"""\{%\s*t\s+(?P<q>["'])(?P<text>.*?)(?P=q)""", re.DOTALL)


def extract(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, tuple[None, str], list[str]]]:
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    for match in TAG.finditer(source):
        lineno = source.count("\n", 0, match.start()) + 1
        # Shaped like the Python calls `gettext(locale, "…")`, so the same `-k gettext:2` applies.
        yield lineno, "gettext", (None, match.group("text")), []
