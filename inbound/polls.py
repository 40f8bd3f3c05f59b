"""Which answer of a poll a text means: its number (`1`, `2.`, `#2`, Arabic-Indic digits) or
its words in any language the poll is written in, accents, case and punctuation ignored."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from inbound.text import words

MIN_ANSWERS, MAX_ANSWERS = 2, 9


class PollTextError(ValueError):
    """A question or answers that cannot make a poll; the message names the field."""


def check_answers(answers: Sequence[str], *, field: str = "answers") -> None:
    if not MIN_ANSWERS <= len(answers) <= MAX_ANSWERS:
        raise PollTextError(
            f"{field}: a poll has {MIN_ANSWERS} to {MAX_ANSWERS} answers, not {len(answers)}"
        )
    seen: dict[str, int] = {}
    for number, answer in enumerate(answers, start=1):
        key = " ".join(words(answer))
        if not key:
            raise PollTextError(f"{field}.{number}: an answer needs words")
        if key.isdigit():
            raise PollTextError(f"{field}.{number}: an answer cannot be a number (it is typed)")
        if key in seen:
            raise PollTextError(f"{field}.{number}: same words as answer {seen[key]}")
        seen[key] = number


def choice_of(text: str, answers: Mapping[str, Sequence[str]] | Sequence[str]) -> int | None:
    """The answer number (from 1) `text` means, or None.

    `answers` are the answers in one language, or by locale. Accepted: the number alone
    (`2`, `2.`, `(2)`, `#2`, `٢`), the number followed by its answer's words (`2 non`), or the
    words of one answer in any of its languages (`non`, `NO`, `Non !`).
    """
    by_locale: Iterable[Sequence[str]] = (
        answers.values() if isinstance(answers, Mapping) else [answers]
    )
    texts = [list(a) for a in by_locale]
    count = max((len(a) for a in texts), default=0)
    found = words(text)
    if not found or count == 0:
        return None
    if found[0].isdigit():
        number = int(found[0])
        if not 1 <= number <= count:
            return None
        rest = " ".join(found[1:])
        if not rest or any(" ".join(words(a[number - 1])) == rest for a in texts):
            return number
        return None
    said = " ".join(found)
    matches = {
        number
        for answer_texts in texts
        for number, answer in enumerate(answer_texts, start=1)
        if " ".join(words(answer)) == said
    }
    return matches.pop() if len(matches) == 1 else None
