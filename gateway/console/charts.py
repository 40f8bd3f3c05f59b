"""Server-rendered SVG charts (no JavaScript), each drawn beside a table of the same numbers.

- `timeline`: deliveries sent over time, one cumulative step line per channel, on a time axis
  with real clock times (the organisation's time zone, the agent's language);
- `bars`: a share per key (reach against the estimate), 0–100 %.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from babel.dates import format_datetime

WIDTH, HEIGHT, MARGIN, LEGEND, BOTTOM = 680, 260, 48, 170, 40
# Distinct for colour-blind readers (Okabe–Ito) and dark enough on white (contrast ≥ 3:1).
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A6D00", "#56B4E9", "#000000")
# tick spacings to choose from: the first that gives at most 6 ticks
STEPS = [timedelta(seconds=s) for s in (5, 10, 15, 30)] + [
    timedelta(minutes=m) for m in (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080)
]


def ticks(start: datetime, end: datetime, tz) -> list[datetime]:
    """Round clock times between start and end (at most 6), in the time zone `tz`."""
    span = max(end - start, timedelta(seconds=30))
    step = next((s for s in STEPS if span / s <= 6), STEPS[-1])
    local = start.astimezone(tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    seconds = step.total_seconds()
    offset = (local - midnight).total_seconds()
    first = midnight + timedelta(seconds=-(-offset // seconds) * seconds)
    found = []
    moment = first
    while moment <= end and len(found) < 8:
        found.append(moment)
        moment += step
    return found


def tick_label(moment: datetime, span: timedelta, tz, locale: str) -> str:
    pattern = "HH:mm" if span <= timedelta(days=1) else "d MMM HH:mm"
    if span <= timedelta(minutes=5):
        pattern = "HH:mm:ss"
    if span > timedelta(days=5):
        pattern = "d MMM"
    return format_datetime(moment, pattern, tzinfo=tz, locale=locale)


def timeline(
    series: dict[str, list[tuple[datetime, int]]],
    start: datetime,
    end: datetime,
    *,
    tz,
    locale: str,
    label=lambda channel: channel,
) -> dict:
    """Plot data for the template: a step line per channel from (bucket, count) pairs, the time
    axis's ticks and labels, the peak; `rows` is the same data as a table (cumulative)."""
    span_td = max(end - start, timedelta(minutes=1))
    span = span_td.total_seconds()
    totals = {channel: sum(n for _, n in points) for channel, points in series.items()}
    peak = max(totals.values(), default=0) or 1
    right = WIDTH - MARGIN - LEGEND  # the legend sits right of the plot, never over a line
    bottom = HEIGHT - BOTTOM
    inner_w, inner_h = right - MARGIN, bottom - MARGIN

    def x_of(moment: datetime) -> float:
        return round(
            MARGIN + inner_w * min(max((moment - start).total_seconds(), 0), span) / span, 1
        )

    lines = []
    for index, channel in enumerate(sorted(series)):
        points = [(float(MARGIN), float(bottom))]
        count = 0
        for moment, n in sorted(series[channel]):
            count += n
            x = x_of(moment)
            y = round(bottom - inner_h * count / peak, 1)
            points += [(x, points[-1][1]), (x, y)]  # a step: the count rises at that moment
        points.append((float(right), points[-1][1]))
        lines.append(
            {
                "channel": label(channel),
                "count": totals[channel],
                "colour": COLOURS[index % len(COLOURS)],
                "points": " ".join(f"{x},{y}" for x, y in points),
                "legend_y": MARGIN + 18 * index,
            }
        )
    axis = [
        {"x": str(x_of(t)), "label": tick_label(t, span_td, tz, locale)}  # str: never "12,5"
        for t in ticks(start, start + span_td, tz)
    ]
    buckets = sorted({moment for points in series.values() for moment, _ in points})
    running = dict.fromkeys(series, 0)
    by_bucket = {channel: dict(points) for channel, points in series.items()}
    rows = []
    for moment in buckets:
        for channel in series:
            running[channel] += by_bucket[channel].get(moment, 0)
        rows.append(
            {
                "at": format_datetime(moment, "d MMM HH:mm", tzinfo=tz, locale=locale),
                "counts": [running[c] for c in sorted(series)],
            }
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": MARGIN,
        "right": right,
        "legend_x": right + 16,
        "top": MARGIN,
        "bottom": bottom,
        "peak": peak,
        "lines": lines,
        "axis": axis,
        "channels": [label(c) for c in sorted(series)],
        "rows": rows,
    }


BAR_WIDTH, BAR_HEIGHT, BAR_LABEL = 680, 28, 200


def bars(items: list[tuple[str, int | None]]) -> dict:
    """Horizontal bars of a percentage per key (None: no estimate, no bar); >100 % is capped."""
    inner = BAR_WIDTH - BAR_LABEL - 70
    shown = []
    for index, (name, percent) in enumerate(items):
        value = min(percent or 0, 100)
        shown.append(
            {
                "name": name,
                "percent": percent,
                "y": 10 + index * BAR_HEIGHT,
                "width": str(round(inner * value / 100, 1)),  # str: a template would write 12,5
                "colour": COLOURS[index % len(COLOURS)],
            }
        )
    return {
        "width": BAR_WIDTH,
        "height": 20 + len(items) * BAR_HEIGHT,
        "label_x": BAR_LABEL - 8,
        "bar_x": BAR_LABEL,
        "full": inner,
        "value_x": BAR_LABEL + inner + 8,
        "bars": shown,
    }
