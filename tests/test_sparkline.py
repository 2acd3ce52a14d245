"""The KPI trend line (site_builder.sparkline): gaps where a day is not known, a level line for a value that
never moved, nothing for fewer than two values, and its label escaped (it holds values as the page shows them)."""

from __future__ import annotations

import re

from site_builder.sparkline import HEIGHT, trend_svg


def test_unknown_days_break_the_line_and_a_lone_point_is_a_dot() -> None:
    svg = str(trend_svg([1.0, None, 2.0, 3.0], "x"))
    assert svg.count("<polyline") == 1 and svg.count('r="1.2"') == 1  # [1] alone, then 2-3 joined
    assert 'class="crm-spark-now"' in svg  # the last value marked


def test_a_value_that_never_moved_is_level_across_the_middle() -> None:
    points = re.search(r'points="([^"]+)"', str(trend_svg([5.0, 5.0, 5.0], "x")))
    assert points is not None
    assert {float(point.split(",")[1]) for point in points.group(1).split()} == {HEIGHT / 2}


def test_fewer_than_two_known_values_draw_nothing() -> None:
    assert str(trend_svg([None, 4.0, None], "x")) == ""
    assert str(trend_svg([], "x")) == ""


def test_the_label_is_escaped() -> None:
    svg = str(trend_svg([1.0, 2.0], '2026-05-31: <script>"x"</script>'))
    assert "<script>" not in svg and "&lt;script&gt;&quot;x&quot;" in svg
