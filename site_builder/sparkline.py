"""A KPI's trend as a small inline SVG line (a sparkline): one per row of the KPI and owner pages.

Written here rather than drawn by matplotlib (site_builder.charts): thirty lines of a few points each, in every
owner's page, would be hundreds of files and seconds of drawing; a polyline in the page is a few hundred bytes,
takes the text colour of the theme (light and dark alike: `currentColor`) and needs no request. The values
are numbers the site computed; the label (each point's day and value as the page shows them) is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from markupsafe import Markup

WIDTH, HEIGHT, MARGIN = 96.0, 20.0, 2.0


def trend_svg(values: Sequence[float | None], label: str) -> Markup:
    """An inline SVG of `values` in order (None: a day whose value is not known, a gap in the line), with
    `label` as its accessible name and tooltip; "" when fewer than two values are known."""
    known = [value for value in values if value is not None]
    if len(known) < 2:
        return Markup("")
    low, high = min(known), max(known)
    span = (high - low) or 1.0  # a value that never moved: a level line across the middle
    step = (WIDTH - 2 * MARGIN) / max(1, len(values) - 1)
    runs: list[list[str]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
            continue
        x = MARGIN + index * step
        y = HEIGHT / 2 if high == low else HEIGHT - MARGIN - (value - low) / span * (HEIGHT - 2 * MARGIN)
        runs[-1].append(f"{x:.1f},{y:.1f}")
    lines = "".join(
        f'<polyline points="{" ".join(run)}"/>'
        if len(run) > 1
        else f'<circle cx="{run[0].split(",")[0]}" cy="{run[0].split(",")[1]}" r="1.2"/>'
        for run in runs
        if run
    )
    last = runs[-1][-1].split(",") if runs[-1] else None
    end = f'<circle class="crm-spark-now" cx="{last[0]}" cy="{last[1]}" r="1.8"/>' if last else ""
    name = html.escape(label, quote=True)
    return Markup(  # markup made here, the label escaped above
        f'<svg class="crm-spark" viewBox="0 0 {WIDTH:g} {HEIGHT:g}" width="{WIDTH:g}" height="{HEIGHT:g}" '
        f'role="img" aria-label="{name}"><title>{name}</title>{lines}{end}</svg>'
    )
