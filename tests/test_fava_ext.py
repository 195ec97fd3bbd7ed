"""Fava's OneBox page (onebox_ledger.fava_ext) in real Fava, through Flask's test client.

The page's tables must be the CLI's reports, value for value, for Fava's time
filter, in words for people (headers, customer names, thousands separators); its
charts (server-side SVG) must carry the report commands' numbers for each month;
its status panel what is sealed and what is due; its USD income must be what
Fava's own query sums; it follows changes to the files; a missing exchange rate
is one line on the page, not a 500; and it has no endpoint that writes.
``test_browser.py`` checks what only a browser shows (the sidebar link, Fava's
client-side navigation and its time filter, the charts drawn, hover, dark mode).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import Result
from conftest import Seal, copy_demo
from fava.application import create_app

from onebox_ledger.fava_ext import charts, customer_filter

TODAY = "2026-12-15"  # conftest.fixed_today

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "main.beancount"
SLUG = "demo-onebox-partner"
PAGE = f"/{SLUG}/extension/OneBox/"

Run = Callable[..., Result]
Ok = Callable[[Result], list[str]]


def client(main: Path = MAIN, *, read_only: bool = True) -> Any:
    """Fava with its polling watcher: a request sees every change made before it."""
    return create_app([str(main)], read_only=read_only, poll_watcher=True).test_client()


def get(fava: Any, path: str, **params: str) -> str:
    response = fava.get(path, query_string=params)
    assert response.status_code == 200, response.data[:300]
    return str(response.data.decode("utf-8"))


def report_json(fava: Any, **params: str) -> dict[str, Any]:
    return dict(json.loads(get(fava, PAGE + "report", **params)))


class Cells(HTMLParser):
    """The text of every table cell, per section (or figure) id and table:
    {section: [[row cells], ...]}; each cell's title and link in `attrs`; the text of
    every element with an id (to its end, for p, h2 and li) in `texts`."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, list[list[list[str]]]] = {}
        self.attrs: dict[str, list[list[list[tuple[str | None, str | None]]]]] = {}
        self.texts: dict[str, str] = {}
        self._section: str | None = None
        self._row: list[str] | None = None
        self._row_attrs: list[tuple[str | None, str | None]] = []
        self._cell: list[str] | None = None
        self._cell_attrs: tuple[str | None, str | None] = (None, None)
        self._ids: list[tuple[str, str]] = []  # open elements with an id: (tag, id)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        ident = values.get("id")
        if ident and tag in ("section", "figure", "h2", "p", "li"):
            self._ids.append((tag, ident))
            self.texts[ident] = ""
        if tag in ("section", "figure") and ident:
            self._section = ident
            self.sections[ident], self.attrs[ident] = [], []
        elif tag == "table" and self._section:
            self.sections[self._section].append([])
            self.attrs[self._section].append([])
        elif tag == "tr" and self._section:
            self._row, self._row_attrs = [], []
        elif tag in ("td", "th") and self._row is not None:
            self._cell, self._cell_attrs = [], (values.get("title"), None)
        elif tag == "a" and self._cell is not None:
            self._cell_attrs = (self._cell_attrs[0], values.get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._row_attrs.append(self._cell_attrs)
            self._cell = None
        elif tag == "tr" and self._row is not None and self._section:
            self.sections[self._section][-1].append(self._row)
            self.attrs[self._section][-1].append(self._row_attrs)
            self._row = None
        if tag in ("section", "figure"):
            self._section = None
        if self._ids and self._ids[-1][0] == tag:
            self._ids.pop()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        for _, ident in self._ids:
            self.texts[ident] += data


def parse(html: str) -> Cells:
    cells = Cells()
    cells.feed(html)
    return cells


def cli_json(run: Run, ok: Ok, main: Path, *args: str) -> dict[str, Any]:
    return dict(json.loads("\n".join(ok(run(main, "report", *args, "--format", "json")))))


def cli_csv(run: Run, ok: Ok, main: Path, *args: str) -> list[list[str]]:
    return [line.split(",") for line in ok(run(main, "report", *args, "--format", "csv"))]


@pytest.fixture
def demo_copy(fixed_today: None, tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    copy_demo(root)
    return (root / "main.beancount").resolve()


# The words the page uses, written out here (not imported) so that a change shows.
NAMES = {  # ledger/customers.beancount
    "acme-realty": "Acme Realty", "berlin-immo": "Berlin Immo GmbH",
    "casa-verde": "Casa Verde Inmobiliaria", "delta-logistics": "Delta Logistics",
    "everest-dental": "Everest Dental", "fjord-marine": "Fjord Marine",
    "granite-law": "Granite Law LLP", "harbor-clinic": "Harbor Clinic",
    "iris-travel": "Iris Travel", "juniper-schools": "Juniper Schools",
}  # fmt: skip
LABELS = {
    "cloud": "Cloud", "data": "Data", "product": "Product", "services": "Services",
    "adjustment": "Adjustment", "total": "Total", "current": "Not yet due",
    "1-30": "1-30 days", "31-60": "31-60 days", "61-90": "61-90 days", "90+": "Over 90 days",
    "credit": "Credit", "(none)": "No customer", "bad debt": "Bad debt",
    "kept after bad debt": "Kept after bad debt", "commission": "Commission",
    "kept after commission": "Kept after commission",
    "kept after commission and bad debt": "Kept after commission and bad debt",
}  # fmt: skip
HEADERS = {
    "onebox-keep-stream": [["Stream", "Sold", "OneBox cost", "Kept", "Kept %"]],
    "onebox-keep-customer": [["Customer", "Sold", "OneBox cost", "Kept", "Kept %"]],
    "onebox-receivables": [
        ["Customer", "Invoice", "Date", "Due", "Currency", "Open", "Days past due", "Aging"],
        [
            "Customer",
            "Not yet due",
            "1-30 days",
            "31-60 days",
            "61-90 days",
            "Over 90 days",
            "Credit",
            "Total",
        ],
    ],
    "onebox-payables": [
        [
            "Bill",
            "Date",
            "Currency",
            "Accrued",
            "Billed by OneBox",
            "Difference",
            "Paid",
            "Open",
            "Due",
            "Status",
        ],
        ["Status", "Currency", "Open"],
    ],
    "onebox-mrr": [["Stream", "MRR", "Quantity", "Customers"]],
}
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def shown(text: str) -> str:
    """A CLI cell as the page shows it: a number with thousands separators and every digit,
    a customer id as its name, a stream or bucket as words; the rest as it is."""
    if NUMBER.fullmatch(text):
        return f"{Decimal(text):,f}"
    return NAMES.get(text) or LABELS.get(text) or text


def for_people(rows: list[list[str]]) -> list[list[str]]:
    return [[shown(cell) for cell in row] for row in rows]


def headline(rows: list[dict[str, str]]) -> str:
    """The page's headline for the totals of ``report keep --format json``: the total row, and
    when costs below it (bad debt, a tax, commission) follow, what is kept after them."""
    total, last = rows[0], rows[-1]
    text = (
        f"Sold {shown(total['sold'])} USD; OneBox cost {shown(total['onebox_cost'])} USD;"
        f" kept {shown(total['kept'])} USD ({total['kept_pct']}%)."
    )
    if len(rows) > 1:
        what = next(iter(last.values()))
        text += f" {what.capitalize()} {shown(last['kept'])} USD ({last['kept_pct']}%)."
    return text


def test_fava_lists_the_page_in_its_sidebar(fixed_today: None) -> None:
    html = get(client(), f"/{SLUG}/income_statement/")
    start = html.index('<script type="application/json" id="ledger-data">')
    data = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert data["extensions"] == [
        {"has_js_module": False, "name": "OneBox", "report_title": "OneBox"}
    ]


def test_the_page_is_the_cli_reports_in_words_for_people(run: Run, ok: Ok) -> None:
    fava = client()
    page = parse(get(fava, PAGE))
    assert page.texts["onebox-title"] == "OneBox, start to end"
    keep = cli_json(run, ok, MAIN, "keep", "--by", "stream")
    assert page.texts["onebox-headline"] == headline(keep["totals"])
    today = ("--as-of", TODAY)
    cli = {
        "onebox-keep-stream": [cli_csv(run, ok, MAIN, "keep", "--by", "stream")],
        "onebox-keep-customer": [cli_csv(run, ok, MAIN, "keep", "--by", "customer")],
        "onebox-mrr": [cli_csv(run, ok, MAIN, "mrr", *today)],
    }
    for two_tables in ("receivables", "payables"):  # rows, then totals with their own columns
        lines = cli_csv(run, ok, MAIN, two_tables, *today)
        gap = lines.index([""])
        cli[f"onebox-{two_tables}"] = [lines[:gap], lines[gap + 1 :]]
    for section, tables in cli.items():
        assert [table[0] for table in page.sections[section]] == HEADERS[section], section
        assert [table[1:] for table in page.sections[section]] == [
            for_people(table[1:]) for table in tables
        ], section
    # by hand: OneBox billed May 783.61 against the 783.58 accrued (2026-06-03): a cost of
    # 0.03, no sale, no kept %; its bill reconciled line by line puts it on Acme Realty's line
    assert page.sections["onebox-keep-stream"][0][1] == ["Adjustment", "0.00", "0.03", "-0.03", ""]
    # Acme Realty, by hand (the arithmetic is test_trends' test_months_of_a_year_...): cloud
    # 3 x 125.00 + 165.00 + 6 x 200.00 and the implementation 2,000.00; OneBox cost 1,071.00
    # and the 0.03
    assert page.sections["onebox-keep-customer"][0][1] == [
        "Acme Realty", "3,740.00", "1,071.03", "2,668.97", "71.4",
    ]  # fmt: skip
    # commission and bad debt are rows of their own: Nadia's 10% of Acme Realty's 3,540.00
    # received (354.00); Everest Dental's June invoice, 3 x 25.00 for 20/30 days (the contract
    # ended 06-20) = 50.00, written off on 2026-09-05; the notes say what else is outside the
    # streams, as the CLI words them
    assert [(r["stream"], r["kept"]) for r in keep["totals"][1:]] == [
        ("commission", "-354.00"), ("bad debt", "-50.00"),
        ("kept after commission and bad debt", "14053.22"),
    ]  # fmt: skip
    assert page.texts["onebox-keep-stream"].endswith("\nnotes: " + "; ".join(keep["notes"]))
    assert keep["notes"][-1].startswith("outside the streams: Expenses:FX-Losses ")
    assert page.sections["onebox-receivables"][0][1] == [
        "Harbor Clinic", "inv-2026-08-harbor-clinic", "2026-08-31", "2026-09-30", "USD",
        "504.00", "76", "61-90 days",
    ]  # fmt: skip


def test_customers_have_their_id_on_hover_and_link_to_their_journal(fixed_today: None) -> None:
    fava = client()
    page = parse(get(fava, PAGE))
    # every row names a customer (OneBox's bill adjustment too: reconciled line by line), then
    # the totals: total, commission, bad debt, what is kept after them
    names = [row[0] for row in page.sections["onebox-keep-customer"][0][1:-4]]
    attrs = [row[0] for row in page.attrs["onebox-keep-customer"][0][1:-4]]
    assert names == list(NAMES.values())
    assert [title for title, _ in attrs] == list(NAMES)
    for customer, (_, href) in zip(NAMES, attrs, strict=True):
        url = urlparse(unescape(str(href)))
        assert url.path == f"/{SLUG}/journal/"
        wanted = parse_qs(url.query)["filter"]
        assert wanted == [f'customer:"^{customer}$"']
        # Fava's own filter, applied by Fava's API, selects that customer's entries only
        response = fava.get(f"/{SLUG}/api/journal", query_string={"filter": wanted[0]})
        entries = json.loads(response.data)["data"]
        assert entries and {e["meta"].get("customer") for e in entries} == {customer}, customer
    # the receivables table and the per-customer totals use the same names and links
    receivables = page.attrs["onebox-receivables"]
    assert receivables[0][1][0][0] == "harbor-clinic"
    assert receivables[1][-2][0] == attrs[NAMES_INDEX["juniper-schools"]]


NAMES_INDEX = {customer: i for i, customer in enumerate(NAMES)}


def test_the_aging_hover_names_the_largest_amounts_first_credit_too() -> None:
    """Credit is negative: the most credit is the largest amount, as the most owed is."""
    columns = ["customer", "1-30", "credit", "total"]
    rows = [
        ["a", Decimal("10.00"), Decimal("-100.00"), Decimal("-90.00")],
        ["b", Decimal("30.00"), Decimal("-300.00"), Decimal("-270.00")],
        ["c", Decimal("20.00"), Decimal("0.00"), Decimal("20.00")],
    ]
    names = {"a": "Acme", "b": "Berlin"}
    assert charts.customers_in(rows, columns, "credit", names) == "Berlin -300.00; Acme -100.00"
    assert charts.customers_in(rows, columns, "1-30", names) == "Berlin 30.00; c 20.00; Acme 10.00"


def test_a_customer_filter_matches_the_whole_id_only() -> None:
    assert customer_filter("acme") == 'customer:"^acme$"'  # not acme-realty too
    assert customer_filter("a.b") == 'customer:"^a\\.b$"'  # a regex character, escaped
    assert customer_filter('say "hi"') == "customer:'^say \"hi\"$'"
    assert customer_filter('it\'s "x"') is None  # cannot be quoted: no link


def test_the_json_endpoint_is_the_cli_json(run: Run, ok: Ok) -> None:
    data = report_json(client())
    assert data["error"] is None
    mrr = cli_json(run, ok, MAIN, "mrr", "--as-of", TODAY)
    # the one rate MRR used: Berlin Immo's cloud, 4 x 23.00 EUR (the metered data is in USD)
    assert len(mrr["notes"]) == 2 and mrr["notes"][1].startswith("rate EUR->USD ")
    assert data["tables"] == {
        "keep-stream": cli_json(run, ok, MAIN, "keep", "--by", "stream"),
        "keep-customer": cli_json(run, ok, MAIN, "keep", "--by", "customer"),
        "receivables": cli_json(run, ok, MAIN, "receivables", "--as-of", TODAY),
        "payables": cli_json(run, ok, MAIN, "payables", "--as-of", TODAY),
        "mrr": mrr,
    }


THREE_MONTHS = (("2026-01-01", "2026-01-31"), ("2026-06-01", "2026-06-30"), ("2026-10-01", "2026-10-31"))  # fmt: skip


def test_the_json_series_are_the_report_commands_month_by_month(run: Run, ok: Ok) -> None:
    series = report_json(client())["series"]
    assert sorted(series) == ["aging", "keep", "mrr"]
    for first, last in THREE_MONTHS:
        month = first[:7]
        keep = cli_json(run, ok, MAIN, "keep", "--from", first, "--to", last)
        assert [{**r, "month": month} for r in keep["rows"]] == [
            r for r in series["keep"]["rows"] if r["month"] == month
        ]
        mrr = cli_json(run, ok, MAIN, "mrr", "--as-of", last)
        assert [{**r, "month": month, "as_of": last} for r in mrr["rows"]] == [
            r for r in series["mrr"]["rows"] if r["month"] == month
        ]
        aging = cli_json(run, ok, MAIN, "receivables", "--as-of", last)["totals"][-1]
        assert aging.pop("customer") == "total"
        assert [{**aging, "month": month, "as_of": last}] == [
            r for r in series["aging"]["rows"] if r["month"] == month
        ]
    # the sum of a month's sold, by hand: October 2026 is 3147.40 (the headline of ?time=2026-10)
    october = [Decimal(r["sold"]) for r in series["keep"]["rows"] if r["month"] == "2026-10"]
    assert sum(october) == Decimal("3147.40")


class Svg(HTMLParser):
    """Each chart's marks: figure id -> [{month, series, x, y, width, height, title}]."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: dict[str, list[dict[str, Any]]] = {}
        self._figure: str | None = None
        self._mark: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "figure":
            self._figure = values["id"]
            self.marks[str(self._figure)] = []
        elif tag == "rect" and "onebox-mark" in str(values.get("class")) and self._figure:
            self._mark = {
                "month": values["data-month"], "series": values["data-series"],
                **{k: float(str(values[k])) for k in ("x", "y", "width", "height")},
                "class": values["class"], "title": "",
            }  # fmt: skip
            self.marks[self._figure].append(self._mark)

    def handle_endtag(self, tag: str) -> None:
        if tag == "rect":
            self._mark = None
        elif tag == "figure":
            self._figure = None

    def handle_data(self, data: str) -> None:
        if self._mark is not None:
            self._mark["title"] += data


def svg_marks(html: str) -> dict[str, list[dict[str, Any]]]:
    svg = Svg()
    svg.feed(html)
    return svg.marks


MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]  # the last 12 months to 2026-12-15
MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def money(text: str) -> str:
    return f"{Decimal(text):,f}"


def test_the_charts_draw_one_mark_per_month_and_series_with_the_reports_numbers(
    run: Run, ok: Ok
) -> None:
    html = get(client(), PAGE)
    marks, page = svg_marks(html), parse(html)
    series = {  # a stream with nothing in any month is not drawn: services has no OneBox
        # cost, the adjustment (June's 0.03, OneBox's May bill over its accrual) no sales;
        # the aging chart has every column of the receivables' total row, credit too
        "onebox-chart-keep-sold": ["cloud", "data", "product", "services"],
        "onebox-chart-keep-onebox_cost": ["cloud", "data", "product", "adjustment"],
        "onebox-chart-keep-kept": ["cloud", "data", "product", "services", "adjustment"],
        "onebox-chart-mrr": ["cloud", "data", "product"],
        "onebox-chart-aging": ["current", "1-30", "31-60", "61-90", "90+", "credit"],
    }
    assert list(marks) == list(series)
    for figure, names in series.items():
        drawn = [(m["month"], m["series"]) for m in marks[figure]]
        assert drawn == [(month, name) for month in MONTHS for name in names], figure
        assert page.sections[figure][0][0] == ["Month", *(LABELS[n] for n in names), "Total"]
        assert [row[0] for row in page.sections[figure][0][1:]] == [
            f"{MONTH_NAMES[i]} 2026" for i in range(12)
        ]
    for first, last in THREE_MONTHS:
        month, index = first[:7], MONTHS.index(first[:7]) + 1
        keep = cli_json(run, ok, MAIN, "keep", "--from", first, "--to", last)
        for column in ("sold", "onebox_cost", "kept"):
            figure = f"onebox-chart-keep-{column}"
            by_stream = {r["stream"]: r[column] for r in keep["rows"]}
            expected = [money(by_stream.get(s, "0.00")) for s in series[figure]]
            assert page.sections[figure][0][index][1:] == [
                *expected,
                money(keep["totals"][-1][column]),  # kept: after commission and bad debt
            ]
            for mark in marks[figure]:
                if mark["month"] == month:
                    value = money(by_stream.get(mark["series"], "0.00"))
                    assert mark["title"].split("\n")[0] == (
                        f"{MONTH_NAMES[int(month[5:]) - 1]} 2026, {LABELS[mark['series']]}:"
                        f" {value} USD"
                    )
        mrr = cli_json(run, ok, MAIN, "mrr", "--as-of", last)
        by_stream = {r["stream"]: r["mrr"] for r in mrr["rows"]}
        assert page.sections["onebox-chart-mrr"][0][index][1:] == [
            *(money(by_stream.get(s, "0.00")) for s in series["onebox-chart-mrr"]),
            money(mrr["totals"][0]["mrr"]),
        ]
        aging = cli_json(run, ok, MAIN, "receivables", "--as-of", last)["totals"][-1]
        assert page.sections["onebox-chart-aging"][0][index][1:] == [
            money(aging[b]) for b in (*series["onebox-chart-aging"], "total")
        ]
    # October's sold, stacked: the title of each mark says the month's total, worked out in
    # the headline test of ?time=2026-10
    october = [m for m in marks["onebox-chart-keep-sold"] if m["month"] == "2026-10"]
    assert {m["title"].split("\n")[1] for m in october} == {"Total sold: 3,147.40 USD"}
    # June's adjustment: 0.03 of cost, -0.03 kept, on hover
    (june,) = [
        m
        for m in marks["onebox-chart-keep-kept"]
        if (m["month"], m["series"]) == ("2026-06", "adjustment")
    ]
    assert june["title"].split("\n")[0] == "Jun 2026, Adjustment: -0.03 USD"
    # who is 61-90 days behind at the last month end, on hover: Harbor Clinic alone, its
    # August invoice (12 x 42.00, due 09-30, 76 days on 12-15)
    (harbor,) = [
        m for m in marks["onebox-chart-aging"] if (m["month"], m["series"]) == ("2026-12", "61-90")
    ]
    total = cli_json(run, ok, MAIN, "receivables", "--as-of", TODAY)["totals"][-1]["total"]
    assert harbor["title"] == (
        f"Dec 2026, 61-90 days: 504.00 USD\nTotal: {money(total)} USD\nHarbor Clinic 504.00"
    )
    # Casa Verde's annual cloud ended 08-20 with 321.29 unearned (720.00 paid, six twelfths
    # and 20/31 of August's served: 360.00 + 38.71), credited at 08-31; September's close
    # applies 240.00 of it: August's and September's bars draw it below zero, on hover
    aging = {m["month"]: m for m in marks["onebox-chart-aging"] if m["series"] == "credit"}
    for month, label, credit in (("2026-08", "Aug", "-321.29"), ("2026-09", "Sep", "-81.29")):
        end = "2026-08-31" if month == "2026-08" else "2026-09-30"
        total = cli_json(run, ok, MAIN, "receivables", "--as-of", end)["totals"][-1]["total"]
        assert aging[month]["title"] == (
            f"{label} 2026, Credit: {credit} USD\nTotal: {money(total)} USD\n"
            f"Casa Verde Inmobiliaria {credit}"
        )
        assert aging[month]["height"] > 0
    assert aging["2026-07"]["height"] == aging["2026-10"]["height"] == 0
    # Delta Logistics' upgrade on 07-01 (5 x 22.00 x 12 x 215/365 days = 777.53, invoiced by
    # July's close) is July's largest amount not yet due
    (july,) = [
        m
        for m in marks["onebox-chart-aging"]
        if (m["month"], m["series"]) == ("2026-07", "current")
    ]
    assert july["title"].split("\n")[2].startswith("Delta Logistics 777.53; ")


def test_the_bars_are_drawn_to_scale(fixed_today: None) -> None:
    """Each mark's height is its value at one scale per chart (to the 0.1 px the positions are
    rounded to), stacked from zero; a zero is a mark of no height."""
    data = report_json(client())["series"]
    marks = svg_marks(get(client(), PAGE))
    values = {(r["month"], r["stream"]): Decimal(r["sold"]) for r in data["keep"]["rows"]}
    sold = marks["onebox-chart-keep-sold"]
    scale = max(m["height"] for m in sold) / float(max(values.values()))
    for mark in sold:
        value = float(values.get((mark["month"], mark["series"]), Decimal(0)))
        assert abs(mark["height"] - value * scale) <= 0.11, mark
    bottom = {m["y"] + m["height"] for m in sold if m["series"] == "cloud"}
    assert len(bottom) == 1  # every month's stack starts at the same zero line
    assert [m["height"] for m in sold if m["month"] in ("2026-11", "2026-12")] == [0.0] * 8


def test_the_status_panel(run: Run, ok: Ok, demo_head: Seal) -> None:
    head, source = demo_head.digest, f"{demo_head.path}:{demo_head.line}"
    assert (demo_head.month, demo_head.date) == ("2026-10", "2026-10-31")
    fava = client()
    html = get(fava, PAGE, time="2026-10")  # the status is as of today whatever the period
    page = parse(html)
    texts = page.texts
    assert texts["onebox-status"].startswith("\nStatus as of today, 2026-12-15\n")
    assert texts["onebox-status-sealed"] == "Sealed: 2026-01..2026-10 (10 months)."
    assert texts["onebox-status-head"] == (
        f"Chain head: 2026-10 {head}; note it, and onebox-ledger verify --head {head} checks it"
        " at the next audit."
    )
    assert texts["onebox-status-last-close"] == (
        f"Last close: 2026-10, its seal dated 2026-10-31 ({source});"
        " the ledger records the month and the seal's date, not when the close ran."
    )
    assert texts["onebox-status-unclosed"] == (
        "Ended, not closed: 2026-11; run onebox-ledger close 2026-11."
    )
    # October's bill, 1193.36, worked out by hand in the time filter test below
    assert texts["onebox-status-bills"] == (
        "OneBox bills due within 7 days or overdue:\nonebox-2026-10 1,193.36 USD, due 2026-11-30"
        ' (overdue); pay with onebox-ledger onebox pay "1193.36 USD" --date 2026-12-15 --bill'
        " onebox-2026-10, or record a grace period with onebox-ledger onebox grace."
    )
    # the invoices past due and their buckets are the receivables report's; Harbor Clinic's
    # August and September invoices (12 x 42.00 each) alone are over 30 days: 76 and 46 days
    receivables = cli_json(run, ok, MAIN, "receivables", "--as-of", TODAY)
    late = [r for r in receivables["rows"] if r["days_past_due"] not in ("", "0")]
    grand = receivables["totals"][-1]
    past_due = sum(Decimal(grand[b]) for b in ("1-30", "31-60", "61-90", "90+"))
    assert (grand["31-60"], grand["61-90"], grand["90+"]) == ("504.00", "504.00", "0.00")
    assert texts["onebox-status-past-due"].startswith(
        f"Invoices past due: {len(late)} invoices, {money(str(past_due))} USD (1-30 days:"
        f" {money(grand['1-30'])}; 31-60 days: 504.00; 61-90 days: 504.00). Most days past"
        " due:\ninv-2026-08-harbor-clinic (Harbor Clinic, 504.00 USD, 76 days);"
        " inv-2026-09-harbor-clinic (Harbor Clinic, 504.00 USD, 46 days);"
    )
    assert texts["onebox-status-checks"] == (
        "Checks: Fava's load of the ledger reported 0 errors, 0 of them from the seal plugin,"
        " which checked every seal's digest and the chain while loading. Whether every close"
        " re-derives from the directives is not checked here (it is too costly for a page):"
        " run onebox-ledger verify."
    )
    links = dict(
        re.findall(
            r'<a href="([^"]+)">([^<]+)</a>', html[: html.index('<section id="onebox-charts"')]
        )
    )
    by_text = {text: unescape(href) for href, text in links.items()}
    assert by_text["2026-11"] == f"/{SLUG}/journal/?time=2026-11"
    assert by_text[source] == (
        f"/{SLUG}/editor/?file_path={ROOT}/{demo_head.path}&line={demo_head.line}&time=2026-10"
    )
    assert by_text["0 errors"] == f"/{SLUG}/errors/?time=2026-10"
    assert query_rows(fava, by_text["onebox-2026-10"])[-1][3] == {"USD": Decimal("-1193.36")}
    assert report_json(fava)["status"] == {
        "today": "2026-12-15",
        "sealed": {"first": "2026-01", "last": "2026-10", "months": 10},
        "head": {"month": "2026-10", "digest": head},
        "last_close": {"month": "2026-10", "seal_date": "2026-10-31"},
        "unclosed": ["2026-11"],
        "bills": [  # the payables report's row (see the bill's text above)
            {"bill": "onebox-2026-10", "date": "2026-10-31", "currency": "USD",
             "accrued": "1193.36", "billed": "1193.36", "difference": "0.00", "paid": "0.00",
             "open": "1193.36", "due": "2026-11-30", "status": "overdue"},
        ],
        "past_due": {
            "invoices": len(late), "total": str(past_due),
            "buckets": {b: grand[b] for b in ("1-30", "31-60", "61-90", "90+")},
        },
        "checks": {"errors": 0, "seal_findings": 0, "seal_plugin": True,
                   "verify": "not run by the page: run onebox-ledger verify"},
    }  # fmt: skip


def test_a_changed_sealed_month_shows_in_the_checks(demo_copy: Path) -> None:
    march = demo_copy.parent / "ledger" / "journal" / "2026-03.beancount"
    march.write_text(march.read_text().replace('"Payment received"', '"Payment  received"', 1))
    texts = parse(get(client(demo_copy), PAGE)).texts
    assert texts["onebox-status-checks"].startswith(
        "Checks: Fava's load of the ledger reported 1 error, 1 of them from the seal plugin,"
    )


def test_without_the_seal_plugin_the_page_says_seals_were_not_checked(demo_copy: Path) -> None:
    text = demo_copy.read_text()
    demo_copy.write_text(text.replace('plugin "onebox_ledger.plugins.seal"\n', ""))
    texts = parse(get(client(demo_copy), PAGE)).texts
    assert texts["onebox-status-checks"].startswith(
        "Checks: Fava's load of the ledger reported 0 errors; main.beancount does not name the"
        " seal plugin, so the seals were not checked."
    )


def test_usd_income_on_the_page_is_what_favas_own_query_sums(fixed_today: None) -> None:
    fava = client()
    response = fava.get(
        f"/{SLUG}/api/query",
        query_string={
            "query_string": "SELECT account, sum(number) AS total WHERE account ~ '^Income'"
            " AND currency = 'USD' GROUP BY account ORDER BY account"
        },
    )
    rows = json.loads(response.data, parse_float=Decimal)["data"]["rows"]
    fava_income = {account.split(":")[1].lower(): -total for account, total in rows}
    page = {row["stream"]: Decimal(row["sold"]) for row in report_json(fava)["tables"]["keep-stream"]["rows"]}  # fmt: skip
    # every stream is booked in USD, Berlin Immo's EUR cloud at each invoice's rate
    for stream in ("cloud", "data", "product", "services"):
        assert page[stream] == fava_income[stream]


def test_the_time_filter_sets_the_period_and_the_as_of_date(run: Run, ok: Ok) -> None:
    fava = client()
    html = get(fava, PAGE, time="2026-10")
    page = parse(html)
    assert page.texts["onebox-title"] == "OneBox, 2026-10-01 to 2026-10-31"
    # by hand, from ledger/journal/2026-10.beancount: sold 200.00 (Acme, 8 x 25.00) + 92.00
    # EUR x 1.08 (99.36, Berlin) + 240.00 (Casa Verde, 6 x 40.00) + 332.11 (Delta's year: the
    # twelfth of 10 x 22.00 x 12 = 220.00, and the 07-01 upgrade's 777.53 by days, 31/215 of
    # it = 112.11) + 52.00 + 14.95 (Fjord, 2 x 26.00 and 5 blocks x 2.99) + 243.00 (Granite,
    # 9 x 27.00, recognised) + 950.00 (Granite's consulting, 10 x 95.00) + 504.00 (Harbor) +
    # 192.00 (Iris) + 315.00 + 4.98 (Juniper, 15 x 21.00 and 2 blocks x 2.49) = 3147.40;
    # OneBox cost, the bill onebox-2026-10, at 60% of 25.00 a user (1.99 a data block): 120.00
    # + 60.00 + 90.00 + 225.00 (Delta's 15) + 30.00 + 5.97 + 135.00 + 180.00 + 120.00 + 225.00
    # + 2.39 = 1193.36; kept 1954.04, 62.1%
    assert page.texts["onebox-headline"] == (
        "Sold 3,147.40 USD; OneBox cost 1,193.36 USD; kept 1,954.04 USD (62.1%). Kept after"
        " commission 1,934.04 USD (61.4%)."
    )
    data = report_json(fava, time="2026-10")
    october = ("--from", "2026-10-01", "--to", "2026-10-31")
    assert data["tables"]["keep-stream"] == cli_json(run, ok, MAIN, "keep", *october)
    assert data["tables"]["receivables"] == cli_json(
        run, ok, MAIN, "receivables", "--as-of", "2026-10-31"
    )
    assert data["tables"]["payables"]["rows"][-1] == {
        "bill": "onebox-2026-10", "date": "2026-10-31", "currency": "USD", "accrued": "1193.36",
        "billed": "1193.36", "difference": "0.00", "paid": "0.00", "open": "1193.36",
        "due": "2026-11-30", "status": "open",
    }  # fmt: skip
    # the charts show the filter's one month
    assert {m["month"] for marks in svg_marks(html).values() for m in marks} == {"2026-10"}
    assert [row["month"] for row in data["series"]["aging"]["rows"]] == ["2026-10"]


def query_rows(fava: Any, href: str) -> list[list[Any]]:
    """Run a link's BQL query through Fava's query API: the result rows, numbers exact."""
    query = parse_qs(urlparse(unescape(href)).query)["query_string"][0]
    response = fava.get(f"/{SLUG}/api/query", query_string={"query_string": query})
    assert response.status_code == 200, response.data[:300]
    return list(json.loads(response.data, parse_float=Decimal)["data"]["rows"])


def test_each_invoice_and_bill_links_to_the_query_of_its_life(run: Run, ok: Ok) -> None:
    """beanquery, independently of onebox_ledger.openitems, ends each item's running
    balance at the open amount the page shows."""
    fava = client()
    page = parse(get(fava, PAGE))
    links = {
        text: str(href)
        for section in ("onebox-receivables", "onebox-payables")
        for table, attrs in zip(page.sections[section], page.attrs[section], strict=True)
        for row, row_attrs in zip(table, attrs, strict=True)
        for text, (_, href) in zip(row, row_attrs, strict=True)
        if href and "/query/" in href
    }
    invoices = page.sections["onebox-receivables"][0][1:]
    bills = page.sections["onebox-payables"][0][1:]
    # one link per row of the CLI's receivables and payables (each id once)
    cli_rows = [cli_json(run, ok, MAIN, name, "--as-of", TODAY)["rows"] for name in ("receivables", "payables")]  # fmt: skip
    assert len(links) == len(invoices) + len(bills) == sum(map(len, cli_rows))
    for customer, invoice, *_, currency, open_amount, _days, _bucket in invoices:
        rows = query_rows(fava, links[invoice])
        assert rows[0][0] <= rows[-1][0] and rows[0][2]["units"]["number"] > 0, rows  # billed first
        assert rows[-1][3] == {currency: Decimal(open_amount.replace(",", ""))}, (customer, rows)
    for bill, _date, currency, _accrued, billed, _diff, paid, open_amount, _due, _status in bills:
        rows = query_rows(fava, links[bill])
        assert sum(
            -r[2]["units"]["number"] for r in rows if r[2]["units"]["number"] < 0
        ) >= Decimal(billed.replace(",", ""))
        open_number = Decimal(open_amount.replace(",", ""))
        expected = {currency: -open_number} if open_number else {}
        assert rows[-1][3] == expected, (bill, paid, rows)
    assert unescape(links["onebox-2026-10"]) == (
        f"/{SLUG}/query/?query_string=SELECT+date,+narration,+position,+balance+WHERE+"
        "any_meta('bill')+%3D+'onebox-2026-10'+AND+account+~+'%5ELiabilities:OneBox:'"
    )


def test_credit_and_prepaid_are_rows_in_words_linking_to_their_life(
    demo_copy: Path, run: Run, ok: Ok
) -> None:
    """Acme Realty pays 300.00 on 12-10 with one invoice open, October's 8 x 25.00 = 200.00:
    100.00 is held as its credit. OneBox is paid its October bill, then 100.00 more with no
    bill open: prepaid. Both are rows of the tables, as the CLI has them; each id links to
    the query of its life; the aging chart draws the credit below zero."""
    (october,) = [
        row
        for row in cli_json(run, ok, demo_copy, "payables", "--as-of", TODAY)["rows"]
        if row["bill"] == "onebox-2026-10"
    ]
    ok(run(demo_copy, "receive", "acme-realty", "300 USD", "--date", "2026-12-10",
           "--ref", "BANK-1"))  # fmt: skip
    ok(run(demo_copy, "onebox", "pay", f"{october['open']} USD", "--date", "2026-12-11",
           "--bill", "onebox-2026-10", "--ref", "BANK-2"))  # fmt: skip
    ok(run(demo_copy, "onebox", "pay", "100 USD", "--date", "2026-12-11", "--ref", "BANK-3"))
    fava = client(demo_copy)
    html = get(fava, PAGE)
    page = parse(html)
    for name in ("receivables", "payables"):
        lines = cli_csv(run, ok, demo_copy, name, "--as-of", TODAY)
        gap = lines.index([""])
        assert [table[1:] for table in page.sections[f"onebox-{name}"]] == [
            for_people(lines[1:gap]),
            for_people(lines[gap + 2 :]),
        ], name
    receivables, payables = page.sections["onebox-receivables"], page.sections["onebox-payables"]
    assert receivables[0][-1] == [
        "Acme Realty", "receive/BANK-1", "2026-12-10", "", "USD", "-100.00", "", "Credit",
    ]  # fmt: skip
    assert receivables[1][1] == [
        "Acme Realty", "0.00", "0.00", "0.00", "0.00", "0.00", "-100.00", "-100.00",
    ]  # fmt: skip
    assert payables[0][-1] == [
        "pay/BANK-3", "2026-12-11", "USD", "", "", "", "100.00", "-100.00", "", "prepaid",
    ]  # fmt: skip
    assert payables[1][1:] == [["paid", "USD", "0.00"], ["prepaid", "USD", "-100.00"]]
    # the ids link to their life: the credit's balance (a liability) ends at -100.00, the
    # prepaid's (an asset) at 100.00; Acme's credit was not used, so one posting each
    credit = query_rows(fava, str(page.attrs["onebox-receivables"][0][-1][1][1]))
    prepaid = query_rows(fava, str(page.attrs["onebox-payables"][0][-1][0][1]))
    assert [(row[1], row[3]) for row in credit] == [
        ("Payment received", {"USD": Decimal("-100.00")})
    ]
    assert [(row[1], row[3]) for row in prepaid] == [
        ("Payment to OneBox, prepaid", {"USD": Decimal("100.00")})
    ]
    # nothing is due to OneBox now: prepaid is not a bill
    assert page.texts["onebox-status-bills"] == "No OneBox bill is due within 7 days or overdue."
    # the aging chart's December (as of today): Acme's credit, drawn down from the zero line
    # where December's stack starts; the table beside is the report's total row
    grand = cli_json(run, ok, demo_copy, "receivables", "--as-of", TODAY)["totals"][-1]
    assert grand["credit"] == "-100.00"
    marks = {
        m["series"]: m for m in svg_marks(html)["onebox-chart-aging"] if m["month"] == "2026-12"
    }
    assert marks["credit"]["title"] == (
        f"Dec 2026, Credit: -100.00 USD\nTotal: {money(grand['total'])} USD\nAcme Realty -100.00"
    )
    assert marks["current"]["height"] == 0  # nothing current on 12-15: it sits on zero
    assert marks["credit"]["y"] == marks["current"]["y"] and marks["credit"]["height"] > 0
    assert marks["1-30"]["y"] + marks["1-30"]["height"] == marks["current"]["y"]
    buckets = ("current", "1-30", "31-60", "61-90", "90+", "credit", "total")
    assert page.sections["onebox-chart-aging"][0][-1] == [
        "Dec 2026",
        *(money(grand[b]) for b in buckets),
    ]


def test_a_period_not_yet_ended_is_seen_as_of_today(run: Run, ok: Ok) -> None:
    data = report_json(client(), time="2026")
    assert data["title"] == "OneBox, 2026-01-01 to 2026-12-31"
    assert data["tables"]["keep-stream"] == cli_json(
        run, ok, MAIN, "keep", "--from", "2026-01-01", "--to", "2026-12-31"
    )
    for name in ("receivables", "payables", "mrr"):  # as of today, 2026-12-15, not 2026-12-31
        assert data["tables"][name] == cli_json(run, ok, MAIN, name, "--as-of", TODAY)


def test_the_page_notes_what_is_dated_after_its_date(demo_copy: Path, run: Run, ok: Ok) -> None:
    """A receipt recorded ahead (--future) is not in receivables as of today: the page says so
    under each table as of today, as the report commands do; keep's period (2026, not ended)
    holds it, so keep has no such note."""
    ok(run(demo_copy, "receive", "acme-realty", "200 USD", "--date", "2026-12-20", "--future"))
    data = report_json(client(demo_copy), time="2026")
    # the receipt and the commission it earns Acme Realty's agent
    note = "2 transactions dated after 2026-12-15 are not counted (the last on 2026-12-20)"
    for name in ("receivables", "payables", "mrr"):
        assert data["tables"][name]["notes"][-1] == note
        assert data["tables"][name] == cli_json(run, ok, demo_copy, name, "--as-of", TODAY)
    assert note not in data["tables"]["keep-stream"]["notes"]
    assert (
        "not counted"
        in parse(get(client(demo_copy), PAGE, time="2026")).texts["onebox-receivables"]
    )
    # a period that has ended: every table, keep too, leaves the receipt out and says so
    data = report_json(client(demo_copy), time="2026-11")
    later = "2 transactions dated after 2026-11-30 are not counted (the last on 2026-12-20)"
    assert data["tables"]["keep-stream"]["notes"][-1] == later
    assert data["tables"]["receivables"]["notes"][-1] == later


def test_the_page_keeps_the_last_eight_periods(fixed_today: None) -> None:
    app = create_app([str(MAIN)], read_only=True, poll_watcher=True)
    fava = app.test_client()
    months = [f"2026-{m:02d}" for m in range(1, 11)]
    for month in months:
        get(fava, PAGE, time=month)
    get(fava, PAGE, time="2026-03")  # asked again: now the newest
    extension = app.config["LEDGERS"][SLUG].extensions.get_extension("OneBox")
    kept = [period for (period, _) in extension._pages]
    assert [str(first)[:7] for first, _ in kept] == [*months[3:], "2026-03"]


def test_the_page_follows_changes_to_the_files(demo_copy: Path, run: Run, ok: Ok) -> None:
    """The sale opens the first file of 2026-11: Fava sees it because main.beancount's
    modification time moves (its bytes do not)."""
    fava = client(demo_copy)
    main_bytes = demo_copy.read_bytes()
    before = parse(get(fava, PAGE))
    # services: no OneBox cost, all kept; the CLI's sold, then 500.00 more
    (services,) = [r for r in cli_json(run, ok, demo_copy, "keep")["rows"] if r["stream"] == "services"]  # fmt: skip
    sold = Decimal(services["sold"])
    assert before.sections["onebox-keep-stream"][0][5] == [
        "Services", money(str(sold)), "0.00", money(str(sold)), "100.0",
    ]  # fmt: skip
    ok(run(demo_copy, "sell", "acme-realty", "500 USD", "--stream", "services",
           "--date", "2026-11-20", "--memo", "Training"))  # fmt: skip
    after = parse(get(fava, PAGE))
    assert after.sections["onebox-keep-stream"][0][5] == [
        "Services", money(str(sold + 500)), "0.00", money(str(sold + 500)), "100.0",
    ]  # fmt: skip
    # the headline is the CLI's, before and after the sale: 500.00 more sold and kept
    was_all = cli_json(run, ok, MAIN, "keep")["totals"]
    now_all = cli_json(run, ok, demo_copy, "keep")["totals"]
    was, now = was_all[0], now_all[0]
    assert before.texts["onebox-headline"] == headline(was_all)
    assert after.texts["onebox-headline"] == headline(now_all)
    assert [Decimal(now[c]) - Decimal(was[c]) for c in ("sold", "onebox_cost", "kept")] == [
        500, 0, 500,
    ]  # fmt: skip
    # November's bar gains the sale
    november = after.sections["onebox-chart-keep-sold"][0][11]
    assert november == ["Nov 2026", "0.00", "0.00", "0.00", "500.00", "500.00"]
    assert demo_copy.read_bytes() == main_bytes


def test_a_missing_exchange_rate_is_one_line_on_the_page(
    new_ledger: Path, run: Run, ok: Ok
) -> None:
    """The open EUR invoice is valued at the rate of each month end; without one, one line.
    The first value the page needs is the invoice's at the end of March, the first month end
    of the charts' months (the last 12 to 2026-12-15) at which it is open."""
    ok(run(new_ledger, "customer", "add", "koln", "--name", "Koln GmbH", "--currency", "EUR",
           "--date", "2026-03-01"))  # fmt: skip
    ok(run(new_ledger, "price", "EUR", "1.10 USD", "--date", "2026-03-10"))
    ok(run(new_ledger, "sell", "koln", "100 EUR", "--stream", "services", "--date", "2026-03-10",
           "--memo", "Setup"))  # fmt: skip
    prices = new_ledger.parent / "ledger" / "prices.beancount"
    prices.write_text(prices.read_text().replace("2026-03-10 price EUR 1.10 USD\n", ""))
    fava = client(new_ledger)
    page = parse(get(fava, "/onebox-partner/extension/OneBox/"))
    assert page.texts["onebox-error"] == (
        "no exchange rate EUR->USD on or before 2026-03-31"
        ' (add one: onebox-ledger price EUR "1.00 USD" --date 2026-03-31)'
    )
    assert page.sections == {}


def test_the_page_has_no_endpoint_that_writes(demo_copy: Path) -> None:
    before = demo_copy.read_bytes()
    fava = client(demo_copy, read_only=False)
    for method in ("post", "put", "delete"):
        assert getattr(fava, method)(PAGE + "report").status_code == 404
    assert fava.get(PAGE + "anything").status_code == 404
    assert demo_copy.read_bytes() == before
