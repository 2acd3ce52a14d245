"""The site's charts: SVG files that work offline, in both colour schemes, whatever the records' labels say."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import pytest

from site_builder import charts
from site_builder.charts import Chart, bar_chart, line_chart

NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
ROOT = Path(__file__).resolve().parent.parent

MONTHS = ["2025-12", *(f"2026-{m:02d}" for m in range(1, 12))]
CHANNELS: dict[str, list[float]] = {
    "电话": [3, 4, 5, 2, 6, 1, 3, 4, 2, 5, 3, 4],
    "微信": [5, 6, 8, 4, 3, 2, 6, 7, 5, 4, 3, 2],
    "拜访": [1, 2, 5, 1, 0, 1, 2, 1, 3, 1, 2, 1],
    "Email": [0, 1, 0, 2, 1, 1, 0, 2, 1, 0, 1, 1],
}
QUARTERS = ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
SATISFACTION: dict[str, list[float | None]] = {"华星科技": [72, 75, None, 80, 84], "远航物流": [60, 66, 65, 70, 71]}


def interactions_chart(language: str = "en") -> Chart:
    return bar_chart(
        "interactions-by-month",
        "Interactions per month by channel",
        MONTHS,
        CHANNELS,
        stacked=True,
        value_label="interactions",
        language=language,
    )


def satisfaction_chart(language: str = "en") -> Chart:
    return line_chart(
        "satisfaction-by-quarter",
        "满意度 by quarter",
        QUARTERS,
        SATISFACTION,
        value_label="score",
        value_range=(0, 100),
        language=language,
    )


def parse(svg: str) -> ET.Element:
    """The SVG as a browser's XML parser sees it: a parse error here is a broken image on the site."""
    return ET.fromstring(svg.encode("utf-8"))


def texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{NS}text")]


def text_fills(root: ET.Element) -> set[str]:
    return {m.group(1) for t in root.iter(f"{NS}text") if (m := re.search(r"fill: (#[0-9a-f]{6})", t.get("style", "")))}


def assert_self_contained_and_inert(svg: str) -> None:
    """Nothing in the SVG runs, and nothing in it reaches outside the file (the site works offline)."""
    assert "<!DOCTYPE" not in svg and "<!ENTITY" not in svg  # the DTD is a w3.org URL
    root = parse(svg)
    for element in root.iter():
        assert element.tag.rpartition("}")[2].lower() not in {"script", "foreignobject", "image", "a", "iframe"}
        for name, value in element.attrib.items():
            local = name.rpartition("}")[2].lower()
            assert not local.startswith("on"), f"event attribute {name}={value!r}"
            if local == "href":
                assert value.startswith("#"), f"href to {value!r}"
            assert "url(" not in value or re.fullmatch(r".*url\(#[\w-]+\).*", value), value
            assert "http" not in value.lower() and "javascript:" not in value.lower(), value
    for style in root.iter(f"{NS}style"):
        assert "@import" not in (style.text or "") and "url(" not in (style.text or "")
    # Any other "http" must be text the records wrote (drawn as a label), never a reference.
    without_namespaces = re.sub(r'xmlns(?::\w+)?="[^"]*"', "", svg)
    assert without_namespaces.count("http") == sum(text.count("http") for text in root.itertext())


# --- well-formed, labelled, responsive --------------------------------------------------------------------


def test_monthly_stacked_bar_chart_is_an_svg_with_title_desc_months_and_channels() -> None:
    chart = interactions_chart()

    assert chart.key == "interactions-by-month"
    assert chart.title == "Interactions per month by channel"
    for svg in (chart.svg_light, chart.svg_dark):
        root = parse(svg)
        assert root.tag == f"{NS}svg"
        first, second = list(root)[:2]
        assert (first.tag, first.text) == (f"{NS}title", chart.title)
        assert (second.tag, second.text) == (f"{NS}desc", chart.alt)
        shown = texts(root)
        assert set(MONTHS) <= set(shown), "12 months fit: every month is labelled"
        assert set(CHANNELS) <= set(shown), "four channels: the legend names each one"
        assert "interactions" in shown
        assert_self_contained_and_inert(svg)


def test_the_svg_scales_to_the_page_width() -> None:
    root = parse(interactions_chart().svg_light)

    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert root.get("viewBox") == "0 0 345.6 194.4"  # 4.8 × 2.7 in: about 346 × 194 px at its natural size


def test_line_chart_leaves_a_gap_where_a_quarter_has_no_data() -> None:
    chart = satisfaction_chart()
    root = parse(chart.svg_light)

    assert set(QUARTERS) <= set(texts(root))
    assert {"华星科技", "远航物流"} <= set(texts(root))
    first_colour = charts._LIGHT_PALETTE[0].lower()
    lines = [
        p.get("d", "")
        for p in root.iter(f"{NS}path")
        if f"stroke: {first_colour}" in p.get("style", "") and "fill: none" in p.get("style", "")
    ]
    assert len(lines) == 2, "the series' line in the plot and its sample in the legend"
    plotted = max(lines, key=len)
    assert plotted.count("M") == 2, "None splits the line in two instead of dropping to zero"
    markers = [u for u in root.iter(f"{NS}use") if f"fill: {first_colour}" in u.get("style", "")]
    assert len(markers) == 4 + 1, "one marker per quarter with data (and one in the legend)"


def test_chinese_labels_stay_text_for_the_browsers_fonts() -> None:
    chart = bar_chart("customers-by-stage", "客户阶段", ["潜在", "接洽中", "活跃", "流失"], {"客户": [12, 5, 30, 4]})
    root = parse(chart.svg_light)

    assert {"潜在", "接洽中", "活跃", "流失"} <= set(texts(root))
    assert root.find(f"{NS}title") is not None and root.find(f"{NS}title").text == "客户阶段"  # type: ignore[union-attr]
    style = next(root.iter(f"{NS}text")).get("style", "")
    assert "font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei'" in style
    assert style.rstrip("; ").split("font-family: ")[1].split(";")[0].endswith("sans-serif")


def test_a_single_series_needs_no_legend() -> None:
    chart = bar_chart("customers-by-stage", "Customers by stage", ["潜在", "活跃"], {"customers": [3, 9]})

    assert "customers" not in texts(parse(chart.svg_light))


def test_horizontal_bars_list_the_first_category_on_top_as_the_table_does() -> None:
    stages = ["潜在", "接洽中", "活跃", "流失"]
    root = parse(bar_chart("stages", "Stages", stages, {"n": [12, 5, 30, 4]}, horizontal=True).svg_light)

    y = {"".join(t.itertext()): float(t.get("y", "nan")) for t in root.iter(f"{NS}text")}
    assert y["潜在"] < y["接洽中"] < y["活跃"] < y["流失"]


def test_three_years_of_months_are_thinned_rather_than_overlapping() -> None:
    months = [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(36)]
    shown = [t for t in texts(parse(bar_chart("m", "M", months, {"n": [1.0] * 36}).svg_light)) if t in months]

    assert months[0] in shown
    assert 12 <= len(shown) < 36


def test_a_very_long_stage_name_is_shortened_on_the_axis() -> None:
    long_name = "一个非常非常长的客户阶段名称需要在图上截断显示"
    shown = texts(parse(bar_chart("s", "S", [long_name, "活跃"], {"n": [1, 2]}, horizontal=True).svg_light))

    assert long_name not in shown
    assert any(t.endswith("…") and long_name.startswith(t[:-1]) for t in shown)


# --- light and dark ---------------------------------------------------------------------------------------


def test_light_and_dark_variants_differ_in_text_colour() -> None:
    chart = interactions_chart()

    assert text_fills(parse(chart.svg_light)) == {"#333333"}
    assert text_fills(parse(chart.svg_dark)) == {"#dddddd"}
    assert "#0072b2" in chart.svg_light and "#56b4e9" in chart.svg_dark.lower()  # blue that reads on dark slate


def test_dark_variant_is_the_same_drawing_with_other_colours() -> None:
    chart = interactions_chart()
    colours = re.compile(r"#[0-9a-fA-F]{6}")

    assert colours.sub("#", chart.svg_light) == colours.sub("#", chart.svg_dark)


def test_a_label_that_looks_like_a_colour_is_not_recoloured() -> None:
    chart = bar_chart("c", "Colours", ["#333333", "#0072B2"], {"n": [1, 2]})

    assert {"#333333", "#0072B2"} <= set(texts(parse(chart.svg_dark)))


def test_background_is_transparent_in_both_variants() -> None:
    chart = satisfaction_chart()
    for svg in (chart.svg_light, chart.svg_dark):
        figure_patch = parse(svg).find(f".//{NS}g[@id='patch_1']/{NS}path")
        assert figure_patch is not None and figure_patch.get("style") == "fill: none"


def test_same_input_gives_byte_identical_svg() -> None:
    first, second = interactions_chart(), interactions_chart()
    assert first == second

    first_line, second_line = satisfaction_chart(), satisfaction_chart()
    assert (first_line.svg_light, first_line.svg_dark) == (second_line.svg_light, second_line.svg_dark)


def test_same_input_gives_byte_identical_svg_in_another_process() -> None:
    """The site builder rewrites only changed files: a new build (new process, new hash seed) changes nothing."""
    program = (
        "import sys; from tests.test_charts import interactions_chart; c = interactions_chart(); "
        "sys.stdout.buffer.write((c.svg_light + c.svg_dark).encode())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, check=True)

    chart = interactions_chart()
    assert done.stdout.decode() == chart.svg_light + chart.svg_dark


def test_svg_does_not_depend_on_the_fonts_the_build_machine_has(tmp_path: Path) -> None:
    """Another machine has another CJK font (here: DejaVu Serif as Microsoft YaHei) and a fresh font cache;
    its charts are the same bytes, so a build on a laptop and in CI rewrite no page."""
    program = (
        "import sys, matplotlib.font_manager as fm; from pathlib import Path; import matplotlib; "
        "serif = Path(matplotlib.get_data_path(), 'fonts', 'ttf', 'DejaVuSerif-Bold.ttf'); "
        "fm.fontManager.ttflist = [f for f in fm.fontManager.ttflist if 'CJK' not in f.name]; "
        "fm.fontManager.ttflist.insert(0, fm.FontEntry(fname=str(serif), name='Microsoft YaHei', size='scalable')); "
        "fm.fontManager._findfont_cached.cache_clear(); "
        "from tests.test_charts import interactions_chart; c = interactions_chart(); "
        "sys.stdout.buffer.write((c.svg_light + c.svg_dark).encode())"
    )
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, check=True)

    chart = interactions_chart()
    assert done.stdout.decode() == chart.svg_light + chart.svg_dark


def test_drawing_a_chart_leaves_matplotlib_settings_as_they_were() -> None:
    before = dict(matplotlib.rcParams)
    interactions_chart()
    assert dict(matplotlib.rcParams) == before


def test_no_warning_when_the_build_machine_lacks_the_cjk_fonts(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(charts, "FONT_FAMILIES", ("No Such CJK Sans", "DejaVu Sans"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chart = bar_chart("stages", "客户阶段", ["潜在", "活跃"], {"客户": [3, 9]})

    assert not [r for r in caplog.records if r.name.startswith("matplotlib") and r.levelname != "DEBUG"]
    assert "font-family: 'No Such CJK Sans', 'DejaVu Sans', sans-serif" in chart.svg_light
    assert {"潜在", "活跃"} <= set(texts(parse(chart.svg_light)))


# --- hostile labels -------------------------------------------------------------------------------------------

# Short enough to be drawn whole (a longer category label is shortened with "…").
HOSTILE = ["<script>x()</script>", "$\\frac{", 'a & b "q"', "]]>", "http://x.example/a.js"]


def test_hostile_labels_are_literal_text_and_nothing_runs() -> None:
    title = '</title><script>alert("t")</script>'
    bars = bar_chart(
        "hostile",
        title,
        HOSTILE,
        {"<img src=x onerror=alert(1)>": [1, 2, 3, 4, 5], "_starts_with_underscore": [1, 1, 1, 1, 1]},
        value_label="$x^2$ & <b>",
    )
    line = line_chart("hostile-line", title, HOSTILE, {"$\\frac{": [1, None, 3, 4, 5], "]]>": [2, 2, 2, 2, 2]})

    for svg in (bars.svg_light, bars.svg_dark, line.svg_light, line.svg_dark):
        assert_self_contained_and_inert(svg)
        root = parse(svg)
        shown = texts(root)
        assert set(HOSTILE) <= set(shown), "each label is drawn as written: escaped, not interpreted, not math"
        assert root.find(f"{NS}title").text == title  # type: ignore[union-attr]
        assert "<script" not in svg and "]]>" not in svg
    assert {"<img src=x onerror=alert(1)>", "_starts_with_underscore", "$x^2$ & <b>"} <= set(
        texts(parse(bars.svg_light))
    )
    assert "<script>x()</script>" in bars.alt  # the page escapes the alt; the SVG's <desc> is escaped above


def test_characters_xml_cannot_carry_do_not_break_the_svg() -> None:
    chart = bar_chart("ctl", "Control\x00chars\x1b", ["a\x01b", "line\nbreak"], {"n": [1, 2]})

    root = parse(chart.svg_light)
    assert {"a\ufffdb", "line break"} <= set(texts(root))
    assert root.find(f"{NS}title").text == "Control\ufffdchars\ufffd"  # type: ignore[union-attr]


# --- input checks ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["", "Interactions", "by month", "../etc", "a/b", "-x", "x\n", "图表", "a.svg"])
def test_a_key_that_is_not_a_plain_file_stem_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match="chart key"):
        bar_chart(key, "T", ["a"], {"n": [1]})


def test_a_series_with_a_value_missing_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match=r"series 'Email' has 11 values but there are 12 categories"):
        bar_chart("m", "M", MONTHS, {**CHANNELS, "Email": CHANNELS["Email"][:11]})
    with pytest.raises(ValueError, match=r"series '华星科技' has 6 values but there are 5 categories"):
        line_chart("q", "Q", QUARTERS, {"华星科技": [1, 2, 3, 4, 5, 6]})


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), None, "3"])
def test_a_bar_value_that_is_not_a_number_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="finite numbers"):
        bar_chart("b", "B", ["a", "b"], {"n": [1, bad]})  # type: ignore[list-item]


def test_other_impossible_charts_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one category"):
        bar_chart("b", "B", [], {"n": []})
    with pytest.raises(ValueError, match="at least one series"):
        line_chart("l", "L", ["a"], {})
    with pytest.raises(ValueError, match="must not be negative"):
        bar_chart("b", "B", ["a", "b"], {"n": [1, -1]}, stacked=True)
    with pytest.raises(ValueError, match="value_range"):
        line_chart("l", "L", ["a"], {"n": [1]}, value_range=(100, 0))


def test_negative_values_are_fine_side_by_side() -> None:
    chart = bar_chart("net", "Net change", ["2026Q1", "2026Q2"], {"customers": [3, -2]})
    assert "−2" in texts(parse(chart.svg_light)) or "-2" in texts(parse(chart.svg_light))


# --- the text alternative -------------------------------------------------------------------------------------


def test_alt_text_names_the_title_the_months_the_total_and_the_busiest_month() -> None:
    alt = interactions_chart().alt

    assert alt.startswith("Interactions per month by channel, 2025-12 to 2026-11: 127 in all; most in 2026-02 (18).")
    assert "电话 42, 微信 55, 拜访 20, Email 10" in alt


def test_alt_text_of_a_line_chart_gives_lowest_highest_and_the_gaps() -> None:
    alt = satisfaction_chart().alt

    assert alt.startswith("满意度 by quarter, 2025Q3 to 2026Q3:")
    assert "lowest 60 (远航物流, 2025Q3)" in alt and "highest 84 (华星科技, 2026Q3)" in alt
    assert "No data for 1 of 10 points." in alt


def test_alt_text_of_a_single_line_says_the_latest_value() -> None:
    chart = line_chart("nps", "NPS", QUARTERS, {"nps": [10, None, 30.5, 20, None]}, language="en")

    assert chart.alt == (
        "NPS, 2025Q3 to 2026Q3: lowest 10 (2025Q3), highest 30.5 (2026Q1), latest 20 (2026Q2). "
        "No data for 2 of 5 points."
    )


def test_alt_text_when_there_is_nothing_to_show() -> None:
    assert bar_chart("z", "Deals won", ["2026Q1"], {"n": [0]}, language="en").alt == "Deals won, 2026Q1: 0 in all."
    assert line_chart("z", "Score", QUARTERS, {"s": [None] * 5}, language="en").alt == (
        "Score, 2025Q3 to 2026Q3: no data."
    )


def test_alt_text_is_in_the_sites_language() -> None:
    """A Chinese site's charts are described in Chinese, an English site's in English (issue 15: the alt
    texts were half English on a Chinese site)."""
    bars = interactions_chart("zh").alt
    assert bars.startswith("Interactions per month by channel，2025-12至2026-11：共 127，最多的是 2026-02（18）。")
    assert "分系列：电话 42，微信 55，拜访 20，Email 10。" in bars
    line = satisfaction_chart("zh").alt
    assert "最低 60（远航物流，2025Q3）" in line and "最高 84（华星科技，2026Q3）" in line
    assert line.endswith("10 个点中有 1 个没有数据。")
    for alt in (bars, line):
        for english in ("in all", "most in", "lowest", "highest", "No data", " to "):
            assert english not in alt, f"{english!r} in a Chinese alt text: {alt}"
    assert line_chart("z", "满意度", QUARTERS, {"s": [None] * 5}).alt == "满意度，2025Q3至2026Q3：没有数据。"


# --- readable on a phone (issue 15) ---------------------------------------------------------------------------

PHONE_CHART_PX = 340  # a 390 px phone less the page's margins: the narrowest a chart is drawn on the site


def font_sizes(svg: str) -> list[float]:
    return [float(size) for size in re.findall(r"font-size: ([\d.]+)px", svg)] + [
        float(size) for size in re.findall(r"font: (?:[a-z]+ )*([\d.]+)px", svg)
    ]


def test_every_text_is_at_least_11_px_when_the_chart_is_drawn_phone_wide() -> None:
    for chart in (interactions_chart(), satisfaction_chart(), bar_chart("few", "T", ["a", "b"], {"n": [3, 4]})):
        root = parse(chart.svg_light)
        width = float(str(root.get("viewBox")).split()[2])
        sizes = font_sizes(chart.svg_light)
        assert sizes, "no font size found in the SVG"
        assert min(sizes) * PHONE_CHART_PX / width >= 11, f"{chart.key}: {min(sizes)} units in a {width} box"


def test_a_few_bars_carry_their_values_as_integers_when_they_count() -> None:
    chart = bar_chart("few", "客户类型", ["企业", "个人", "政府"], {"客户数": [12, 3, 0]})
    labels = texts(parse(chart.svg_light))
    assert {"12", "3", "0"} <= set(labels)
    assert not any(label.endswith(".0") for label in labels)


def test_stacked_bars_carry_their_totals_and_many_bars_carry_none() -> None:
    stacked = bar_chart("s", "T", QUARTERS, {"a": [1, 2, 3, 4, 5], "b": [1, 1, 1, 1, 1]}, stacked=True)
    assert {"2", "3", "4", "5", "6"} <= set(texts(parse(stacked.svg_light)))
    many = interactions_chart()  # twelve stacks: a total over each would crowd the months
    assert "127" not in texts(parse(many.svg_light))
