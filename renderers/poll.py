"""A poll as every renderer reads it: the question and numbered answers in the message's
language, and how to answer (by SMS, by phone, on the web)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from renderers.i18n import gettext


@dataclass(frozen=True)
class Poll:
    """`answers[n - 1]` is answer n, typed `n` on a phone or in an SMS."""

    question: str
    answers: tuple[str, ...]
    sms_number: str = ""  # where to text the answer (the organisation's SMS number)
    phone_number: str = ""  # where to call to answer by voice
    web_url: str = ""  # the public poll page
    closes_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "answers", tuple(self.answers))


def choices_text(poll: Poll, locale: str) -> str:
    """`1 Oui, 2 Non` in the reading order of `locale`."""
    separator = "، " if locale.startswith("ar") else ", "
    return separator.join(
        gettext(locale, "{number} {answer}").format(number=n, answer=a)
        for n, a in enumerate(poll.answers, start=1)
    )


def sms_lines(poll: Poll, locale: str) -> list[str]:
    """The poll in an SMS: the question, then the answers to text back."""
    return [
        gettext(locale, "Consultation : {question}").format(question=poll.question.strip()),
        gettext(locale, "Répondez par SMS : {choices}").format(choices=choices_text(poll, locale)),
    ]


def how_to_answer(poll: Poll, locale: str) -> list[str]:
    """One line per way of answering that exists, for print and the web."""
    lines = []
    if poll.sms_number:
        lines.append(
            gettext(locale, "Par SMS : envoyez le numéro de votre réponse au {number}.").format(
                number=poll.sms_number
            )
        )
    if poll.phone_number:
        lines.append(
            gettext(
                locale, "Par téléphone : appelez le {number} et tapez le numéro de votre réponse."
            ).format(number=poll.phone_number)
        )
    if poll.web_url:
        lines.append(gettext(locale, "Sur internet : {url}").format(url=poll.web_url))
    return lines


def poll_paragraph(poll: Poll, locale: str) -> str:
    """The poll in a social post: the question, the answers, and where to answer."""
    lines = [gettext(locale, "Consultation : {question}").format(question=poll.question.strip())]
    lines.append(choices_text(poll, locale))
    if poll.web_url:
        lines.append(gettext(locale, "Sur internet : {url}").format(url=poll.web_url))
    return "\n".join(lines)
