"""Typed render errors: a renderer that cannot fit raises, it never truncates."""

from __future__ import annotations

from enum import StrEnum


class RenderErrorCode(StrEnum):
    TOO_LONG = "too_long"
    MISSING_FIELD = "missing_field"
    UNSUPPORTED_LOCALE = "unsupported_locale"
    INVALID_ADDRESS = "invalid_address"
    INVALID_INPUT = "invalid_input"


class RenderError(ValueError):
    """A message cannot be rendered into a form; `code` says why, `form` says which form."""

    def __init__(self, code: RenderErrorCode, detail: str, *, form: str = "") -> None:
        self.code = code
        self.form = form
        self.detail = detail
        super().__init__(f"{form}: {detail}" if form else detail)
