"""Server-rendered SVG: deliveries sent over time, one cumulative line per channel."""

from __future__ import annotations

from datetime import datetime

WIDTH, HEIGHT, MARGIN, LEGEND = 640, 240, 40, 150
# Distinct for colour-blind readers (Okabe–Ito) and dark enough on white (contrast ≥ 3:1).
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A6D00", "#56B4E9", "#000000")


def timeline(series: dict[str, list[datetime]], start: datetime, end: datetime) -> dict:
    """Plot data for the template: a polyline per channel, axis labels, the peak count."""
    span = max((end - start).total_seconds(), 1.0)
    peak = max((len(times) for times in series.values()), default=0) or 1
    right = WIDTH - MARGIN - LEGEND  # the legend sits right of the plot, never over a line
    inner_w, inner_h = right - MARGIN, HEIGHT - 2 * MARGIN
    lines = []
    for index, (channel, times) in enumerate(sorted(series.items())):
        points = [(MARGIN, HEIGHT - MARGIN)]
        for count, moment in enumerate(sorted(times), start=1):
            x = round(MARGIN + inner_w * max((moment - start).total_seconds(), 0) / span, 1)
            y = round(HEIGHT - MARGIN - inner_h * count / peak, 1)
            points += [(x, points[-1][1]), (x, y)]  # a step: the count rises at that moment
        if times:
            points.append((right, points[-1][1]))
        lines.append(
            {
                "channel": channel,
                "count": len(times),
                "colour": COLOURS[index % len(COLOURS)],
                "points": " ".join(f"{x},{y}" for x, y in points),
                "legend_y": MARGIN + 16 * index,
            }
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": MARGIN,
        "right": right,
        "legend_x": right + 16,
        "top": MARGIN,
        "bottom": HEIGHT - MARGIN,
        "peak": peak,
        "lines": lines,
    }
