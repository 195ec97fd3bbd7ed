"""The page's charts: stacked bars per month, as geometry for server-side SVG. Pure.

A chart is built from a table of the page's series (onebox_ledger.trends): one
bar per month, one mark (an SVG ``rect``) per month and series, stacked
(positive values up from zero, negative ones down). Every mark carries its exact
number in its hover title, and the table beside the chart has every number
(``Chart.header`` and ``Chart.rows``)::

    month    stream   sold          Sold per month, by stream
    2026-09  cloud    1052.52   ->  Sep 2026, Cloud: 1,052.52 USD   (the mark's <title>)
    2026-09  data       17.44       Sep 2026, Data: 17.44 USD
    2026-10  cloud    1052.52       ...

Which series a chart draws: on the keep and MRR charts, each stream (and keep's
"adjustment" row) with a value other than zero in some month shown; on the aging chart,
every column of the receivables' total row: the five buckets, drawn up from zero, and
the customers' credit, which is negative and drawn down from it, so that each month's
marks net to the report's total (buckets + credit), the number in every hover title and
in the table's Total column::

    as_of       current  1-30    31-60   61-90   90+   credit   total
    2026-12-15  0.00     200.00  504.00  504.00  0.00  -100.00  1108.00
    -> up: 1-30 200.00, 31-60 504.00, 61-90 504.00; down: Credit -100.00; Total: 1,108.00

The template draws it (``templates/OneBox.html``) with no script and no network:
colours are fixed CSS classes whose colours read on Fava's light and dark
backgrounds alike (each at least 3:1 against both white and Fava's dark #262626),
and text and axes use Fava's own theme variables (``--text-color``,
``--chart-axis``, ``--chart-line-at-zero``). Pixel positions are floats rounded
to 0.1; the numbers are never derived from them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .. import reports
from .words import MONTH_NAMES, amount, month_label, word

WIDTH, HEIGHT = 600, 240
LEFT, RIGHT, TOP, BOTTOM = 62, 8, 10, 34
ZERO = Decimal("0.00")

# fill colours, each with contrast >= 3:1 against #fff and against #262626 (tests check it)
STREAM_COLORS = {
    "cloud": "#3d7cc9",
    "data": "#1a9a8a",
    "product": "#9b6bcc",
    "services": "#d9730d",
    "adjustment": "#708090",  # keep's row of OneBox's bill over or under the accrual: cost only
}
OTHER_COLORS = ("#8a8f1c", "#a8713a", "#d1497b", "#7f7f7f", "#2e8fb0", "#c04fc0")
BUCKET_COLORS = {
    "current": "#3f9a3f",
    "1-30": "#b8860b",
    "31-60": "#d9620d",
    "61-90": "#d93a3a",
    "90+": "#a94ca8",
    "credit": "#4d86a8",  # customers' credit: negative, drawn down from zero
}


def palette() -> dict[str, str]:
    """CSS class suffix -> colour, for the template's style rules."""
    out = {f"s-{name}": color for name, color in STREAM_COLORS.items()}
    out.update({f"o{i}": color for i, color in enumerate(OTHER_COLORS)})
    out.update({f"b{i}": color for i, color in enumerate(BUCKET_COLORS.values())})
    return out


def colors(names: Sequence[str], *, buckets: bool = False) -> dict[str, str]:
    """A class suffix per series name: fixed for the known streams and buckets, so a stream
    has the same colour in every chart; the others take the remaining colours in turn."""
    known = list(BUCKET_COLORS) if buckets else list(STREAM_COLORS)
    out: dict[str, str] = {}
    other = 0
    for name in names:
        if name in known:
            out[name] = f"b{known.index(name)}" if buckets else f"s-{name}"
        else:
            out[name] = f"o{other % len(OTHER_COLORS)}"
            other += 1
    return out


@dataclass(frozen=True)
class Mark:
    month: str  # "2026-10"
    series: str  # the data's name: "cloud", "31-60"
    x: float
    y: float
    width: float
    height: float
    color: str  # class suffix (see palette)
    title: str  # hover text, exact numbers


@dataclass(frozen=True)
class Tick:
    y: float
    label: str
    zero: bool


@dataclass(frozen=True)
class XLabel:
    x: float
    text: str  # "Oct"
    year: str  # "2026" under the first month and each January, else ""


@dataclass(frozen=True)
class Legend:
    name: str
    label: str
    color: str


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    marks: list[Mark]
    ticks: list[Tick]
    xlabels: list[XLabel]
    legend: list[Legend]
    header: list[str]  # the table beside: Month, each series, Total
    rows: list[tuple[str, str, list[str]]]  # (month, "Oct 2026", cells)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    notes: list[str] = field(default_factory=list)


@dataclass
class Grid:
    """A chart's numbers: value per (month, series), total per month."""

    months: list[str]
    series: list[str]
    values: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    totals: dict[str, Decimal] = field(default_factory=dict)
    extra: dict[tuple[str, str], str] = field(default_factory=dict)  # more hover text


def ordered(names: set[str], known: Sequence[str]) -> list[str]:
    """Known names in their order, then the others sorted."""
    return [n for n in known if n in names] + sorted(names - set(known))


def long_grid(
    table: reports.Table, months: Sequence[str], series_column: str, value_column: str
) -> Grid:
    """A grid from a long table (a row per month and series), totals from its total rows.

    The series are the rows' names with a value other than zero in some month: a name that
    is zero in every month adds nothing to any total and is not drawn (OneBox's adjustment
    has cost but never sales: it is a series of the cost and kept charts, not of sold)."""
    col = {name: i for i, name in enumerate(table.columns)}
    m, s, v = col["month"], col[series_column], col[value_column]
    values: dict[tuple[str, str], Decimal] = {}
    for row in table.rows:
        if isinstance(row[v], Decimal):
            values[(str(row[m]), str(row[s]))] = row[v]
    names = {name for (_, name), value in values.items() if value != 0}
    grid = Grid(list(months), ordered(names, list(STREAM_COLORS)))
    grid.values = {key: value for key, value in values.items() if key[1] in names}
    for row in table.totals:
        if isinstance(row[v], Decimal):
            grid.totals[str(row[m])] = row[v]
    return grid


def wide_grid(table: reports.Table, months: Sequence[str], skip: Sequence[str]) -> Grid:
    """A grid from a wide table (a row per month, a column per series); its "total" column
    gives the totals; columns in `skip` are not series. Every other column is a series, zero
    or not (the aging chart: the five buckets and credit, so the marks net to the total)."""
    columns = [c for c in table.columns if c not in (*skip, "total", "month")]
    grid = Grid(list(months), columns)
    col = {name: i for i, name in enumerate(table.columns)}
    for row in table.rows:
        month = str(row[col["month"]])
        for name in columns:
            if isinstance(row[col[name]], Decimal):
                grid.values[(month, name)] = row[col[name]]
        if "total" in col and isinstance(row[col["total"]], Decimal):
            grid.totals[month] = row[col["total"]]
    return grid


def _nice_step(span: float) -> float:
    raw = span / 4
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw)


def _tick_label(value: float, step: float) -> str:
    size = abs(value)
    if size >= 1_000_000:
        return f"{value / 1_000_000:,.{2 if step < 100_000 else 1}f}".rstrip("0").rstrip(".") + "M"
    if size >= 10_000:
        return f"{value / 1_000:,.{1 if step < 1_000 else 0}f}".rstrip("0").rstrip(".") + "k"
    return f"{value:,.0f}" if step >= 1 else f"{value:,.2f}"


def chart(
    key: str, title: str, grid: Grid, currency: str, *, buckets: bool = False, what: str = ""
) -> Chart:
    """Stacked bars of `grid`: one mark per month and series (zero-high when zero)."""
    color = colors(grid.series, buckets=buckets)
    stacks: dict[tuple[str, str], tuple[float, float]] = {}
    low = high = 0.0
    for month in grid.months:
        up = down = 0.0
        for name in grid.series:
            size = float(grid.values.get((month, name), ZERO))
            if size >= 0:
                stacks[(month, name)] = (up, up + size)
                up += size
            else:
                stacks[(month, name)] = (down + size, down)
                down += size
        high, low = max(high, up), min(low, down)
    if high == low:
        step, top, bottom = 1.0, 1.0, 0.0
    else:
        step = _nice_step(high - low)
        top, bottom = math.ceil(high / step) * step, math.floor(low / step) * step
    plot = HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return round(TOP + (top - value) / (top - bottom) * plot, 1)

    ticks = []
    count = round((top - bottom) / step)
    for i in range(count + 1):
        at = bottom + i * step
        ticks.append(Tick(y(at), _tick_label(at, step), abs(at) < step / 2))
    if high == low:
        ticks = [Tick(y(0.0), "0", True)]
    band = (WIDTH - RIGHT - LEFT) / max(len(grid.months), 1)
    bar = max(band * 0.72, 1.0)
    marks: list[Mark] = []
    xlabels: list[XLabel] = []
    every = max(1, math.ceil(len(grid.months) / 12))
    shown_year = ""
    for i, month in enumerate(grid.months):
        x = LEFT + i * band + (band - bar) / 2
        year, month_number = month.split("-")
        if i % every == 0:
            xlabels.append(
                XLabel(round(LEFT + (i + 0.5) * band, 1), MONTH_NAMES[int(month_number) - 1],
                       year if year != shown_year else "")
            )  # fmt: skip
            shown_year = year
        total = grid.totals.get(month)
        for name in grid.series:
            value = grid.values.get((month, name), ZERO)
            lo, hi = stacks[(month, name)]
            lines = [f"{month_label(month)}, {word(name)}: {amount(value)} {currency}"]
            if total is not None:
                lines.append(f"{word('total')}{what}: {amount(total)} {currency}")
            if (month, name) in grid.extra:
                lines.append(grid.extra[(month, name)])
            marks.append(
                Mark(month, name, round(x, 1), y(hi), round(bar, 1), round(y(lo) - y(hi), 1),
                     color[name], "\n".join(lines))
            )  # fmt: skip
    rows = []
    for month in grid.months:
        cells = [amount(grid.values.get((month, name), ZERO)) for name in grid.series]
        total = grid.totals.get(month)
        cells.append(amount(total) if total is not None else "")
        rows.append((month, month_label(month), cells))
    return Chart(
        key=key,
        title=title,
        marks=marks,
        ticks=ticks,
        xlabels=xlabels,
        legend=[Legend(name, word(name), color[name]) for name in grid.series],
        header=[word("month"), *(word(name) for name in grid.series), word("total")],
        rows=rows,
    )


def customers_in(
    rows: Sequence[Sequence[Any]], columns: Sequence[str], bucket: str, names: dict[str, str]
) -> str:
    """Who is in an aging bucket (or holds credit) at a month end, the largest amount first
    (up to 5): hover text for the aging chart's marks ("Harbor Clinic 504.00; ...";
    "Acme Realty -100.00"). `rows` are the receivables table's per-customer totals, `columns`
    its total columns."""
    index = list(columns).index(bucket) if bucket in columns else -1
    if index < 0:
        return ""
    amounts = [(row[index], str(row[0])) for row in rows if isinstance(row[index], Decimal)]
    amounts = [(value, customer) for value, customer in amounts if value != 0]
    amounts.sort(key=lambda pair: (-abs(pair[0]), pair[1]))  # credit is negative
    shown = [f"{names.get(c, c)} {amount(value)}" for value, c in amounts[:5]]
    if len(amounts) > 5:
        shown.append(f"and {len(amounts) - 5} more")
    return "; ".join(shown)
