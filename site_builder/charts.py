"""Build-time SVG charts for the site, drawn by matplotlib and shipped as plain files.

Why it is built this way:

* The site must work offline and behind a firewall, so a chart is a static SVG written at build time: no chart
  library in the browser, no CDN, and the SVG references nothing outside itself (no fonts, no DTD, no metadata
  links).
* Material for MkDocs shows an image only in light or dark mode when its URL ends in `#only-light` /
  `#only-dark`, so every chart comes in two variants, with text, grid and series colours for each scheme, on a
  transparent background. matplotlib draws the light one; the dark one is that SVG with the theme's colours
  swapped, which is the same drawing at half the cost.
* Labels are stage names, channels or months from the records, often Chinese. `svg.fonttype = "none"` keeps
  them as `<text>` that the reader's browser draws with its own fonts, so the build machine needs no CJK font
  (matplotlib only uses a font to measure the text for the layout). That measuring font is always the DejaVu
  Sans file shipped inside matplotlib, registered under a private name: whatever fonts a machine has and
  whatever its font cache holds, the layout is the same; the SVG then names `FONT_FAMILIES` for the browser.
* Labels are user data: mathtext is off (a `$` is a dollar sign), control characters that XML forbids are
  replaced, and matplotlib's SVG writer escapes the rest, so a label can never become markup or script.
* The site builder rewrites only files whose content changed, so the same input gives byte-identical SVG
  in any process on any machine: fixed hash salt, no date, no creator metadata, no system font.
* Nothing global leaks: the figure is a bare `Figure` with an SVG canvas (no pyplot, no figure registry) and
  every setting lives in an `rc_context` that is undone afterwards. matplotlib's rcParams (and Python's warning
  filters) are process-global, so charts are drawn one at a time under a lock; a builder may call this from
  threads, but gains no parallelism from it.
"""

from __future__ import annotations

import functools
import io
import json
import math
import re
import threading
import unicodedata
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar
from xml.sax.saxutils import escape

from crmdata.records.vocabulary import LABELS
from site_builder.kept import code_of, kept

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

__all__ = ["FONT_FAMILIES", "Chart", "bar_chart", "funnel_chart", "line_chart"]

#: Fonts the browser should try, in order: the first CJK font a reader's system has wins, then the system UI
#: font. matplotlib never measures with these (see `_METRICS_FAMILY`); the SVG lists them all for the browser.
FONT_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "PingFang SC",
    "Microsoft YaHei",
    "DejaVu Sans",
)

_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")
_KEY_MAX = 100

# Okabe–Ito, the palette that colour-blind readers can tell apart. Each theme keeps a series' hue (blue stays
# blue) but picks the shade that reads on its background: dark blue and black vanish on material's dark slate,
# yellow vanishes on white.
_LIGHT_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#882255", "#999999")
_DARK_PALETTE = ("#56B4E9", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#F0E442", "#EE99AA", "#BBBBBB")
# No pure black: matplotlib leaves black fills out of the SVG (black is SVG's default), so the dark
# variant could not recolour them.

_FIGSIZE = (4.8, 2.7)  # inches at 72 pt/in: a 345.6 × 194.4 viewBox, drawn about that many CSS px wide
_FONT_SIZE = 11.5
"""The chart's text in viewBox units. A phone 390 px wide gives a chart about 340 px (its column less the
page's margins), so 11.5 units are drawn at least 11 px high there; the page's CSS keeps a chart from growing
much past its natural width on a laptop, so its text stays the size of the page's text."""
_VALUE_LABELS_MAX = 12
"""Bars (categories × series) up to which each bar carries its value: a few bars are read by their numbers,
many by their shape."""
_TICK_LABEL_EM = 14.0  # a category label longer than this (in em) is shortened with "…"; the page's table has it
_LEGEND_LABEL_EM = 24.0
_PLOT_WIDTH_PT = 300.0  # roughly what is left of the 345.6 pt width for the plot once the value axis is drawn
_SVG_ROOT = re.compile(r"<svg\b[^>]*>")
# Characters XML 1.0 cannot carry even escaped: a label with one would make the whole SVG unreadable.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_draw_lock = threading.Lock()

_METRICS_FAMILY = "crm-chart-metrics"
"""The private family name of matplotlib's own DejaVu Sans file, the only font charts are measured with."""
_METRICS_STYLE = re.compile(r"font-family: '" + _METRICS_FAMILY + "'")
_V = TypeVar("_V")
_P = ParamSpec("_P")


@functools.cache
def _code() -> str:
    """This module and matplotlib's version: part of every chart's recipe (site_builder.kept)."""
    return code_of(__file__, packages=("matplotlib",))


def _remembered(function: Callable[_P, Chart]) -> Callable[_P, Chart]:
    """`function`'s chart as drawn before with the same arguments (site_builder.kept: matplotlib takes about
    80 ms a chart, and a build after a one-record edit draws mostly the charts the last one drew). The
    arguments are text, numbers and lists and mappings of them, whose repr is the same in every process."""

    @functools.wraps(function)
    def remembered(*args: _P.args, **kwargs: _P.kwargs) -> Chart:
        recipe = repr(("chart", _code(), function.__name__, args, sorted(kwargs.items())))

        def draw() -> bytes:
            return json.dumps(function(*args, **kwargs).__dict__, ensure_ascii=False).encode()

        return Chart(**json.loads(kept(recipe, draw)))

    return remembered


@dataclass(frozen=True)
class Chart:
    """One chart, ready for the page: it writes `svg_light`/`svg_dark` to `<key>-light.svg`/`<key>-dark.svg`."""

    key: str  # file stem, e.g. "interactions-by-month"
    title: str  # shown above the chart by the page; also the SVG's <title>
    alt: str  # a text alternative summarising the data, also the SVG's <desc>
    svg_light: str  # complete SVG document for material's light scheme
    svg_dark: str  # the same chart for the dark scheme


@dataclass(frozen=True)
class _Theme:
    """What differs between the light and the dark variant: ink, the page behind the chart, the palette."""

    ink: str  # text, axis and grid colour
    page: str  # material's page background, used only for the thin gaps between stacked segments
    palette: tuple[str, ...]

    def colour(self, index: int) -> str:
        """The colour of the `index`-th series; series past the palette's end reuse it from the start."""
        return self.palette[index % len(self.palette)]


_LIGHT = _Theme(ink="#333333", page="#ffffff", palette=_LIGHT_PALETTE)
_DARK = _Theme(ink="#dddddd", page="#1e2129", palette=_DARK_PALETTE)
_LIGHT_TO_DARK = {
    light.lower(): dark
    for light, dark in zip(
        (_LIGHT.ink, _LIGHT.page, *_LIGHT.palette), (_DARK.ink, _DARK.page, *_DARK.palette), strict=True
    )
}
_STYLE_ATTR = re.compile(r'\sstyle="[^"]*"')
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b")


# --- the public API -----------------------------------------------------------------------------------------


@_remembered
def bar_chart(
    key: str,
    title: str,
    categories: list[str],
    series: Mapping[str, Sequence[float]],
    *,
    stacked: bool = False,
    horizontal: bool = False,
    value_label: str = "",
    language: str = "zh",
) -> Chart:
    """Bars per category, one colour per series, side by side or `stacked`; `horizontal` for long labels.

    A few bars (up to `_VALUE_LABELS_MAX`) carry their value, or stacked ones their total, written as
    `_number` writes it (a count as an integer). The text alternative is worded in `language` (the site's).

    Raises ValueError for a bad key, no categories or series, a series whose length differs from the
    categories, or a value that is not a finite number (stacked bars must also not be negative).
    """
    _check_key(key)
    cats = _clean_categories(categories)
    data = _check_series(series, len(cats), allow_none=False)
    values = {label: [_finite(v) for v in vs] for label, vs in data.items()}
    if stacked and any(v < 0 for vs in values.values() for v in vs):
        raise ValueError("stacked bar chart: values must not be negative (a stack of counts or amounts)")

    def draw(fig: Figure, theme: _Theme) -> None:
        ax = fig.add_subplot()
        n_series = len(values)
        positions = list(range(len(cats)))
        width = 0.8 if stacked or n_series == 1 else 0.8 / n_series
        base = [0.0] * len(cats)
        handles = []
        for index, row in enumerate(values.values()):
            colour = theme.colour(index)
            if stacked or n_series == 1:
                where = [float(p) for p in positions]
            else:
                offset = (index - (n_series - 1) / 2) * width
                where = [p + offset for p in positions]
            style: dict[str, Any] = {"color": colour, "edgecolor": theme.page, "linewidth": 0.5 if stacked else 0}
            if horizontal:
                bars = ax.barh(where, row, height=width, left=base if stacked else None, **style)
            else:
                bars = ax.bar(where, row, width=width, bottom=base if stacked else None, **style)
            handles.append(bars.patches[0])
            if stacked:
                base = [b + v for b, v in zip(base, row, strict=True)]
            elif labelled:
                ax.bar_label(bars, labels=[_number(v) for v in row], padding=2)
        if stacked and labelled:  # the total on top of each stack
            ax.bar_label(bars, labels=[_number(v) for v in base], padding=2)
        every = [v for row in values.values() for v in row]
        _style_axes(ax, theme, value_axis="x" if horizontal else "y", integral=all(v.is_integer() for v in every))
        _label_categories(ax, cats, axis="y" if horizontal else "x")
        if horizontal:
            ax.invert_yaxis()  # the first category on top, as it reads in the page's table
            ax.set_xlabel(_shorten(_clean(value_label), _LEGEND_LABEL_EM))
        else:
            ax.set_ylabel(_shorten(_clean(value_label), _LEGEND_LABEL_EM))
        if all(v >= 0 for v in every):
            tallest = max(base) if stacked else max(every)
            low, high = (0.0, None) if tallest > 0 else (0.0, 1.0)
            if labelled and tallest > 0:  # room for the value beside the longest bar
                high = tallest * (1.25 if horizontal else 1.15)
            (ax.set_xlim if horizontal else ax.set_ylim)(low, high)
        _legend(fig, handles, list(values))

    labelled = len(cats) * (1 if stacked else len(values)) <= _VALUE_LABELS_MAX
    height = _FIGSIZE[1]
    if horizontal and len(cats) > 6:  # keep each bar at least about 0.3 in tall instead of squashing them
        height = max(height, 0.3 * len(cats) + 0.8)
    return _chart(key, title, _bar_alt(_clean(title), cats, values, language), draw, (_FIGSIZE[0], height))


@_remembered
def line_chart(
    key: str,
    title: str,
    categories: list[str],
    series: dict[str, list[float | None]],
    *,
    value_label: str = "",
    value_range: tuple[float, float] | None = None,
    language: str = "zh",
) -> Chart:
    """A line per series over the categories (quarters, months); `None` is a gap: no data for that category.

    The text alternative is worded in `language` (the site's).

    `value_range` fixes the value axis (e.g. 0–100 for a score) so charts of different data compare at a glance.
    Raises ValueError for a bad key, no categories or series, a series whose length differs from the
    categories, a value that is neither None nor a finite number, or an empty `value_range`.
    """
    _check_key(key)
    cats = _clean_categories(categories)
    data = _check_series(series, len(cats), allow_none=True)
    values = {label: [None if v is None else _finite(v) for v in vs] for label, vs in data.items()}
    if value_range is not None:
        low, high = (_finite(v) for v in value_range)
        if not low < high:
            raise ValueError(f"value_range must be (low, high) with low < high, got {value_range!r}")

    def draw(fig: Figure, theme: _Theme) -> None:
        ax = fig.add_subplot()
        positions = list(range(len(cats)))
        handles = []
        for index, row in enumerate(values.values()):
            # NaN breaks the line; the markers keep a point between two gaps visible.
            ys = [math.nan if v is None else v for v in row]
            (line,) = ax.plot(positions, ys, color=theme.colour(index), linewidth=1.8, marker="o", markersize=3.5)
            handles.append(line)
        known = [v for row in values.values() for v in row if v is not None]
        _style_axes(ax, theme, value_axis="y", integral=bool(known) and all(v.is_integer() for v in known))
        _label_categories(ax, cats, axis="x")
        ax.set_xlim(-0.5, len(cats) - 0.5)
        ax.set_ylabel(_shorten(_clean(value_label), _LEGEND_LABEL_EM))
        if value_range is not None:
            ax.set_ylim(*value_range)
        elif not known:
            ax.set_ylim(0.0, 1.0)
        _legend(fig, handles, list(values))

    return _chart(key, title, _line_alt(_clean(title), cats, values, language), draw, _FIGSIZE)


@_remembered
def funnel_chart(
    key: str, title: str, stages: list[str], values: Sequence[float], notes: Sequence[str], alt: str
) -> Chart:
    """A funnel: one bar per stage, top to bottom, centred and as wide as the stage's value, with its note
    (a count and an amount, worded by the caller) beside it.

    The notes and `alt` come worded in the site's language: amounts are written as people of that language
    write them (¥1,234,567 / 123.5万), which only the caller knows. A funnel whose values are all 0 (no
    amounts yet) still shows its stages and notes. Raises ValueError for a bad key, no stages, a value or
    note per stage missing, or a value that is negative or not a finite number.
    """
    _check_key(key)
    cats = _clean_categories(stages)
    if len(values) != len(cats) or len(notes) != len(cats):
        raise ValueError(f"a funnel needs one value and one note per stage: {len(cats)} stages")
    widths = [_finite(value) for value in values]
    if any(width < 0 for width in widths):
        raise ValueError("funnel chart: values must not be negative (amounts or counts)")
    texts = [_shorten(_clean(note), _LEGEND_LABEL_EM) for note in notes]

    def draw(fig: Figure, theme: _Theme) -> None:
        ax = fig.add_subplot()
        widest = max(widths) or 1.0
        positions = list(range(len(cats)))
        ax.barh(positions, widths, left=[-width / 2 for width in widths], height=0.72, color=theme.colour(0))
        for position, text in zip(positions, texts, strict=True):
            ax.text(widest * 0.56, position, text, va="center", ha="left")
        ax.set_yticks(positions, [_shorten(cat, _TICK_LABEL_EM) for cat in cats])
        ax.invert_yaxis()  # the first stage on top, as a funnel narrows downwards
        ax.set_xlim(-widest * 0.55, widest * 2.2)  # the notes need the room on the right
        ax.xaxis.set_visible(False)
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", length=0)

    height = max(_FIGSIZE[1], 0.4 * len(cats) + 0.6)
    return _chart(key, title, _clean(alt), draw, (_FIGSIZE[0], height))


# --- checking the input -------------------------------------------------------------------------------------


def _check_key(key: str) -> None:
    """The key becomes a file name in the built site: lowercase letters, digits and hyphens only."""
    if not isinstance(key, str) or len(key) > _KEY_MAX or not _KEY.fullmatch(key):
        raise ValueError(
            f"chart key {key!r} must be lowercase letters, digits and hyphens (not starting with a hyphen), "
            f"at most {_KEY_MAX} characters, e.g. 'interactions-by-month'"
        )


def _check_series(series: Mapping[str, Sequence[_V]], n_categories: int, *, allow_none: bool) -> dict[str, list[_V]]:
    """One value per category in every series: a short series would silently shift every bar after it."""
    if not series:
        raise ValueError("a chart needs at least one series")
    checked: dict[str, list[_V]] = {}
    for label, row in series.items():
        if len(row) != n_categories:
            raise ValueError(
                f"series {label!r} has {len(row)} values but there are {n_categories} categories: "
                "give one value per category" + (" (None for no data)" if allow_none else "")
            )
        checked[_clean(label)] = list(row)
    if len(checked) != len(series):
        raise ValueError("two series have the same label once control characters and spacing are cleaned")
    return checked


def _finite(value: object) -> float:
    """A value as a float; text, NaN and infinity are refused because they cannot be drawn or summed."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"chart values must be finite numbers, got {value!r}")
    return float(value)


def _clean(text: str) -> str:
    """Label text as one line that XML can carry: forbidden control characters become "�", runs of spacing one space."""
    return " ".join(_XML_INVALID.sub("\ufffd", str(text)).split())


def _clean_categories(categories: Sequence[str]) -> list[str]:
    """The category labels, cleaned; a chart without categories has nothing to show."""
    if not categories:
        raise ValueError("a chart needs at least one category")
    return [_clean(label) for label in categories]


# --- drawing ------------------------------------------------------------------------------------------------


def _rc(theme: _Theme) -> dict[RcKeyType, Any]:
    """Every matplotlib setting a chart depends on, so the output never depends on a user's matplotlibrc."""
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": "crm-as-code-charts",
        "text.parse_math": False,
        "text.usetex": False,
        "font.family": [_METRICS_FAMILY],  # one font file, the same on every machine; see _metrics_font()
        "font.size": _FONT_SIZE,
        "axes.unicode_minus": True,
        "figure.facecolor": "none",
        "axes.facecolor": "none",
        "savefig.facecolor": "none",
        "savefig.edgecolor": "none",
        "savefig.transparent": True,
        "text.color": theme.ink,
        "axes.labelcolor": theme.ink,
        "axes.edgecolor": theme.ink,
        "xtick.color": theme.ink,
        "ytick.color": theme.ink,
        "xtick.labelcolor": theme.ink,
        "ytick.labelcolor": theme.ink,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
        "path.simplify": True,
    }


@contextmanager
def _quiet_matplotlib(theme: _Theme) -> Iterator[None]:
    """matplotlib configured for one chart, one chart at a time, without noise about fonts the build lacks.

    Without a CJK font matplotlib measures Chinese labels with DejaVu Sans and warns about each missing glyph;
    the browser draws them with the reader's fonts, so that warning says nothing about the result.
    """
    import matplotlib  # here: a build whose charts are all kept (site_builder.kept) never imports it (0.6 s)

    with _draw_lock, matplotlib.rc_context(_rc(theme)), warnings.catch_warnings():
        _register_metrics_font()
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning)
        yield


def _register_metrics_font() -> None:
    """Make `_METRICS_FAMILY` name matplotlib's bundled DejaVu Sans, and nothing else, in this process.

    A family name matplotlib looks up among the system's fonts would be measured with whatever the machine
    has (Noto Sans CJK on one, nothing on another) and with whatever its font cache remembers; a file inside
    matplotlib's own package is the same wherever the locked matplotlib is installed.
    """
    import matplotlib
    from matplotlib import font_manager

    manager = font_manager.fontManager
    if any(entry.name == _METRICS_FAMILY for entry in manager.ttflist):
        return
    bundled = Path(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")
    manager.ttflist.append(font_manager.FontEntry(fname=str(bundled), name=_METRICS_FAMILY, size="scalable"))
    manager._findfont_cached.cache_clear()  # type: ignore[attr-defined]


def _style_axes(ax: Axes, theme: _Theme, *, value_axis: Literal["x", "y"], integral: bool) -> None:
    """Quiet axes: grid lines on the value axis only, no frame but the category baseline, tidy numbers."""
    ax.set_axisbelow(True)
    ax.grid(True, axis=value_axis, color=theme.ink, alpha=0.18, linewidth=0.6)
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    value = ax.xaxis if value_axis == "x" else ax.yaxis
    value.set_major_formatter(FuncFormatter(lambda v, _pos: _number(v)))
    value.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=integral, min_n_ticks=2))
    ax.spines["left" if value_axis == "y" else "bottom"].set_visible(False)
    ax.spines["bottom" if value_axis == "y" else "left"].set_alpha(0.6)
    ax.tick_params(axis=value_axis, length=0)
    ax.tick_params(axis="y" if value_axis == "x" else "x", length=3, width=0.6)


def _label_categories(ax: Axes, cats: list[str], *, axis: Literal["x", "y"]) -> None:
    """Category tick labels that do not overlap: shortened when long, slanted when crowded, thinned when many.

    The layout is estimated from the label lengths rather than measured, so it does not depend on which fonts
    the build machine happens to have.
    """
    labels = [_shorten(c, _TICK_LABEL_EM) for c in cats]
    positions = list(range(len(cats)))
    if axis == "y":
        ax.set_yticks(positions, labels)
        return
    slot = _PLOT_WIDTH_PT / len(cats)
    widest = max(_em(label) for label in labels) * _FONT_SIZE
    if widest <= 0.85 * slot:
        ax.set_xticks(positions, labels)
        return
    step = max(1, math.ceil(1.6 * _FONT_SIZE / slot))  # slanted labels need about 1.6 em of width each
    ax.set_xticks(positions[::step], labels[::step], rotation=40, ha="right", rotation_mode="anchor")
    if step > 1:
        ax.set_xticks(positions, minor=True)  # keep a tick for every category, labelled or not
        ax.tick_params(axis="x", which="minor", length=2, width=0.5)


def _legend(fig: Figure, handles: list[Any], labels: list[str]) -> None:
    """A legend above the plot, where it never covers a bar; a single series is named by the title instead."""
    if len(labels) < 2:
        return
    # Explicit labels: matplotlib would otherwise drop a series whose label starts with "_".
    fig.legend(
        handles,
        [_shorten(label, _LEGEND_LABEL_EM) for label in labels],
        loc="outside upper center",
        ncols=min(len(labels), 5),
        handlelength=1.2,
        columnspacing=1.2,
        borderaxespad=0.2,
    )


def _chart(key: str, title: str, alt: str, draw: Any, figsize: tuple[float, float]) -> Chart:
    """Both variants of a chart: matplotlib draws the light one, the dark one is the same drawing recoloured.

    Colours do not change the layout, so drawing the chart a second time for the dark scheme would give the same
    SVG with other colours at twice the cost. Only colours inside `style` attributes are swapped: user text is
    element content, never an attribute, so a label that reads "#333333" stays as it is.
    """
    light = _METRICS_STYLE.sub(_browser_fonts(), _render(draw, figsize))
    dark = _STYLE_ATTR.sub(lambda attr: _HEX_COLOUR.sub(_to_dark, attr.group(0)), light)
    return Chart(
        key=key,
        title=title,
        alt=alt,
        svg_light=_finish_svg(light, _clean(title), alt),
        svg_dark=_finish_svg(dark, _clean(title), alt),
    )


def _browser_fonts() -> str:
    """The CSS font-family the SVG asks the reader's browser for, in place of the measuring font."""
    return "font-family: " + ", ".join([*(repr(family) for family in FONT_FAMILIES), "sans-serif"])


def _to_dark(colour: re.Match[str]) -> str:
    """The dark scheme's counterpart of one light-scheme colour; colours not from the theme stay."""
    return _LIGHT_TO_DARK.get(colour.group(0).lower(), colour.group(0))


def _render(draw: Any, figsize: tuple[float, float]) -> str:
    """The chart in the light scheme as matplotlib writes it, drawn by `draw(fig, theme)` on a fresh figure."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    with _quiet_matplotlib(_LIGHT):
        fig = Figure(figsize=figsize, layout=ConstrainedLayoutEngine(w_pad=0.04, h_pad=0.04))
        FigureCanvasSVG(fig)
        draw(fig, _LIGHT)
        buffer = io.StringIO()
        # None drops matplotlib's date (never the same twice) and its creator link from the <metadata>.
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return buffer.getvalue()


def _finish_svg(svg: str, title: str, alt: str) -> str:
    """matplotlib's SVG made self-contained and responsive, with its title and description for screen readers.

    The DOCTYPE is dropped because it points at w3.org; the fixed pt width and height give way to
    `width="100%"` so the viewBox scales the chart to a phone; <title> and <desc> become the root's first children.
    """
    svg = re.sub(r"\A<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r"\A<!DOCTYPE[^>]*>\s*", "", svg)
    root = _SVG_ROOT.match(svg)
    if root is None or "viewBox=" not in root.group(0):
        raise RuntimeError("matplotlib's SVG did not start with an <svg> element that has a viewBox")
    tag = re.sub(r'\s(?:width|height)="[^"]*"', "", root.group(0))
    tag = tag.replace("<svg", '<svg width="100%"', 1)
    head = f"\n <title>{escape(title)}</title>\n <desc>{escape(_clean(alt))}</desc>"
    return '<?xml version="1.0" encoding="utf-8"?>\n' + tag + head + svg[root.end() :]


# --- text ---------------------------------------------------------------------------------------------------


def _em(text: str) -> float:
    """The rough width of `text` in em: CJK characters are a full em wide, others about 0.6."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)


def _shorten(text: str, max_em: float) -> str:
    """`text` cut to about `max_em` wide with "…", so one long stage name cannot squeeze the whole plot."""
    if _em(text) <= max_em:
        return text
    kept, width = [], 0.0
    for ch in text:
        width += _em(ch)
        if width > max_em - 0.6:
            break
        kept.append(ch)
    return "".join(kept).rstrip() + "…"


def _number(value: float) -> str:
    """A number as people write it in a report: 1,234 / 0.25 / 12.5, never 1.0 or 1e6."""
    if value.is_integer():
        return f"{int(value):,}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


def _say(key: str, language: str, **values: object) -> str:
    """A piece of a text alternative in the site's language (the vocabulary's `chart_*` words)."""
    return LABELS[key].text(language, **values)


def _span(cats: list[str], language: str) -> str:
    """The categories a chart covers, as a text alternative names them."""
    return cats[0] if len(cats) == 1 else _say("chart_span", language, first=cats[0], last=cats[-1])


def _lead(title: str, cats: list[str], language: str) -> str:
    """The start every text alternative shares: what the chart is and which categories it covers."""
    return _say("chart_lead", language, title=title.rstrip(" .。"), span=_span(cats, language))


def _bar_alt(title: str, cats: list[str], values: dict[str, list[float]], language: str) -> str:
    """The bar chart in words: the total, the biggest category, and each series' total when there are several."""
    totals = [sum(column) for column in zip(*values.values(), strict=True)]
    grand = sum(totals)
    lead = _lead(title, cats, language)
    if not any(totals):
        text = _say("chart_bar_alt_empty", language, lead=lead, total=_number(grand))
    else:
        top = max(range(len(cats)), key=lambda i: totals[i])
        text = _say(
            "chart_bar_alt", language, lead=lead, total=_number(grand), top=cats[top], top_value=_number(totals[top])
        )
    if len(values) > 1:
        items = _listing([(label, _number(sum(row))) for label, row in values.items()], language)
        text += _say("chart_by_series", language, items=items)
    return text


def _line_alt(title: str, cats: list[str], values: dict[str, list[float | None]], language: str) -> str:
    """The line chart in words: lowest, highest and latest value with where they are, and how much is missing."""
    points = [(label, i, v) for label, row in values.items() for i, v in enumerate(row) if v is not None]
    lead = _lead(title, cats, language)
    if not points:
        return _say("chart_no_data", language, lead=lead)
    several = len(values) > 1

    def where(point: tuple[str, int, float]) -> str:
        label, i, _ = point
        return _say("chart_series_at", language, series=label, at=cats[i]) if several else cats[i]

    low = min(points, key=lambda p: p[2])
    high = max(points, key=lambda p: p[2])
    text = _say(
        "chart_line_alt", language, lead=lead, low=_number(low[2]), low_at=where(low), high=_number(high[2]),
        high_at=where(high),
    )  # fmt: skip
    if not several:
        last = points[-1]
        text += _say("chart_latest", language, value=_number(last[2]), at=cats[last[1]])
    text += _say("chart_end", language)
    missing = len(cats) * len(values) - len(points)
    if missing:
        text += _say("chart_missing", language, missing=missing, total=len(cats) * len(values))
    return text


def _listing(items: list[tuple[str, str]], language: str, limit: int = 8) -> str:
    """`a 80, b 40, …`: at most `limit` entries so the text alternative stays short."""
    separator = _say("chart_separator", language)
    shown = separator.join(f"{label} {figure}" for label, figure in items[:limit])
    return shown + (separator + "…" if len(items) > limit else "")
