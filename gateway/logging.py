"""A last line of defence: no phone number, query string or signed link in any log line.

The code never logs personal data on purpose (it logs citizen references). Access logs do:
`GET /v/+33698765432`, `GET /console/subscribers/?q=Dupont`, a preference link's token. So
every record is redacted when it is made (a log record factory), before any handler sees it:
ours, Django's `django.server`, gunicorn's access log, Celery's own handlers, and any handler a
library adds later.
"""

from __future__ import annotations

import logging
import logging.config
import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

REDACTED = "[redacted]"

# A query string after a path: its values may be names searched, phone numbers, tokens.
QUERY = re.compile(r"(/[^\s?\"'<>]*)\?[^\s\"'<>]+")
# Django's signed values (`payload:timestamp:signature`, `value:signature`): a signature is
# at least 26 characters of URL-safe base64.
SIGNED = re.compile(r"(?<![\w\-])[\w\-]+(?::[\w\-]+)*:[\w\-]{26,}(?![\w\-])")
# Eight digits or more, grouped by spaces, dots or dashes, with `+` or `00` in front or not.
PHONE = re.compile(r"(?<![\w\-.])(?:\+|00)?\d(?:[ .\-]?\d){7,16}(?!\w)")
# Shapes of numbers that are not phone numbers: decimals (durations), IPv4, ISO dates.
NOT_PHONE = re.compile(r"\d+\.\d+|\d{1,3}(?:\.\d{1,3}){3}|\d{4}-\d{2}-\d{2}(?: \d{2})?")
ESCAPES = {"%2B": "+", "%2b": "+", "%20": " "}
ESCAPED = re.compile("|".join(ESCAPES))

_redacting = True


def redact(text: str) -> str:
    """`text` without phone numbers (any common writing, URL-encoded too), query strings or
    signed values."""
    text = QUERY.sub(rf"\1?{REDACTED}", text)
    text = SIGNED.sub(REDACTED, text)
    text = ESCAPED.sub(lambda m: ESCAPES[m.group()], text)
    return PHONE.sub(_phone, text)


def _phone(match: re.Match) -> str:
    return match.group() if NOT_PHONE.fullmatch(match.group()) else REDACTED


def redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it when the record is emitted
        return
    redacted = redact(message)
    if redacted != message:
        record.msg, record.args = redacted, None
    if record.exc_info and not record.exc_text:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = redact(text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


_make_record = logging.getLogRecordFactory()


def _redacting_factory(*args, **kwargs) -> logging.LogRecord:
    record = _make_record(*args, **kwargs)
    if _redacting:
        redact_record(record)
    return record


def install() -> None:
    """Redact every log record of this process from now on (idempotent)."""
    if logging.getLogRecordFactory() is not _redacting_factory:
        logging.setLogRecordFactory(_redacting_factory)


def configure(config: dict) -> None:
    """Django's LOGGING_CONFIG: the dictionary configuration, then the redaction."""
    if config:
        logging.config.dictConfig(config)
    install()


@contextmanager
def raw_records() -> Iterator[None]:
    """Records as the code made them, for tests that prove the code logs no personal data
    even before this redaction."""
    global _redacting
    _redacting = False
    try:
        yield
    finally:
        _redacting = True


class RedactPersonalDataFilter(logging.Filter):
    """The same redaction as a filter, for a handler configured outside Crieur."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True
