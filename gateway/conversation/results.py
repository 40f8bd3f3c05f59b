"""Poll results: counts and percentages per answer, per channel, language and area; a bar
chart as server-rendered SVG (like the dashboard's), and a CSV whose cells a spreadsheet will
never run as formulas."""

from __future__ import annotations

import io

from babel import Locale
from babel.numbers import parse_pattern
from django.db.models import Count

from gateway.conversation.models import Poll, PollAnswer
from gateway.conversation.polls import text_in
from renderers.csvsafe import SafeWriter
from renderers.i18n import babel_locale

COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A6D00", "#56B4E9", "#000000")


def _percent(count: int, total: int) -> float:
    return round(100 * count / total, 1) if total else 0.0


def results(poll: Poll, locale: str | None = None) -> dict:
    """Everything a results page shows, answers in `locale` (else the poll's own language)."""
    text = text_in(poll, locale or poll.announcement.locale)
    answers = PollAnswer.objects.filter(poll=poll)
    counts = dict(answers.values_list("choice").annotate(n=Count("pk")))
    total = sum(counts.values())
    rows = [
        {
            "number": number,
            "answer": answer,
            "count": counts.get(number, 0),
            "percent": _percent(counts.get(number, 0), total),
        }
        for number, answer in enumerate(text.answers, start=1)
    ]

    def split(field: str, names: dict | None = None) -> list[dict]:
        table: dict[str, dict[int, int]] = {}
        for value, choice, n in answers.values_list(field, "choice").annotate(n=Count("pk")):
            key = (names or {}).get(value, value) if value is not None else "—"
            table.setdefault(str(key), {})[choice] = table.get(str(key), {}).get(choice, 0) + n
        return [
            {
                "value": value,
                "total": sum(by.values()),
                "cells": [
                    {
                        "count": by.get(r["number"], 0),
                        "percent": _percent(by.get(r["number"], 0), sum(by.values())),
                    }
                    for r in rows
                ],
            }
            for value, by in sorted(table.items())
        ]

    areas = dict(poll.announcement.organisation.areas.values_list("pk", "name"))
    return {
        "question": text.question,
        "locale": text.locale,
        "total": total,
        "answers": rows,
        "by_channel": split("channel"),
        "by_locale": split("locale"),
        "by_area": split("area_id", areas),
        "chart": bar_chart(rows, text.locale),
    }


def bar_chart(rows: list[dict], locale: str = "fr", width: int = 640) -> dict:
    """One horizontal bar per answer, its length the share of answers. Whole pixels: a
    template would print a float with the reader's decimal comma, which SVG does not read."""
    label, gap, bar = 200, 10, 28
    inner = width - label - 90
    bars = []
    for i, row in enumerate(rows):
        y = gap + i * (bar + gap)
        length = round(inner * row["percent"] / 100)
        bars.append(
            {
                "y": y,
                "text_y": y + round(bar * 0.65),
                "x": label,
                "length": length,
                "end_x": label + length + 6,
                "height": bar,
                "colour": COLOURS[i % len(COLOURS)],
                "label": f"{row['number']}. {row['answer']}",
                "value": f"{row['count']} ({percent_text(row['percent'], locale)})",
            }
        )
    return {
        "width": width,
        "height": len(rows) * (bar + gap) + gap,
        "label_x": label - 8,
        "bars": bars,
    }


def percent_text(percent: float, locale: str) -> str:
    """`60,0 %` in French, `60.0%` in English: the locale's percent pattern, one decimal."""
    lang = Locale.parse(babel_locale(locale))
    pattern = parse_pattern(lang.percent_formats[None].pattern)
    pattern.frac_prec = (1, 1)
    return pattern.apply(percent / 100, lang)


def results_csv(poll: Poll) -> str:
    """`dimension, value, answer number, answer, count, percent`, one line per cell."""
    data = results(poll)
    out = io.StringIO()
    writer = SafeWriter(out)  # cells that a spreadsheet would run are neutralised
    writer.writerow(["dimension", "value", "answer_number", "answer", "count", "percent"])
    for row in data["answers"]:
        writer.writerow(["total", "", row["number"], row["answer"], row["count"], row["percent"]])
    for dimension in ("channel", "locale", "area"):
        for line in data[f"by_{dimension}"]:
            for row, cell in zip(data["answers"], line["cells"], strict=True):
                writer.writerow(
                    [
                        dimension,
                        line["value"],
                        row["number"],
                        row["answer"],
                        cell["count"],
                        cell["percent"],
                    ]
                )
    return out.getvalue()
