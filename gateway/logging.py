"""A last line of defence: phone numbers never reach a log record, even by mistake.

The code never logs them on purpose (it logs citizen references); this filter redacts anything
shaped like an international phone number in the final message.
"""

from __future__ import annotations

import logging
import re

PHONE = re.compile(r"(?<![\w/])\+?\d[\d .\-]{7,}\d(?!\w)")


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = PHONE.sub("[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
