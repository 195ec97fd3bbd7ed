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
import shutil
from collections.abc import Callable
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import Result
from fava.application import create_app

from onebox_ledger.fava_ext import customer_filter

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
    shutil.copytree(ROOT / "ledger", root / "ledger", ignore=shutil.ignore_patterns(".lock"))
    shutil.copy(MAIN, root / "main.beancount")
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
    "total": "Total", "current": "Not yet due", "1-30": "1-30 days", "31-60": "31-60 days",
    "61-90": "61-90 days", "90+": "Over 90 days",
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
            "Total",
        ],
    ],
    "onebox-payables": [
        ["Bill", "Date", "Currency", "Billed", "Paid", "Open", "Due", "Status"],
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
    assert page.texts["onebox-headline"] == (
        "Sold 21,156.35 USD; OneBox cost 7,837.84 USD; kept 13,318.51 USD (63.0%)."
    )
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
    assert page.sections["onebox-keep-stream"][0][1:] == [
        ["Adjustment", "0.00", "0.03", "-0.03", ""],  # OneBox billed May 0.03 over the accrual
        ["Cloud", "9,123.76", "5,876.25", "3,247.51", "35.6"],
        ["Data", "114.59", "49.06", "65.53", "57.2"],
        ["Product", "5,168.00", "1,912.50", "3,255.50", "63.0"],
        ["Services", "6,750.00", "0.00", "6,750.00", "100.0"],
        ["Total", "21,156.35", "7,837.84", "13,318.51", "63.0"],
    ]
    assert page.sections["onebox-receivables"][0][1] == [
        "Harbor Clinic", "inv-2026-08-harbor-clinic", "2026-08-31", "2026-09-30", "USD",
        "504.00", "76", "61-90 days",
    ]  # fmt: skip


def test_customers_have_their_id_on_hover_and_link_to_their_journal(fixed_today: None) -> None:
    fava = client()
    page = parse(get(fava, PAGE))
    names = [row[0] for row in page.sections["onebox-keep-customer"][0][1:-1]]
    attrs = [row[0] for row in page.attrs["onebox-keep-customer"][0][1:-1]]
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


def test_a_customer_filter_matches_the_whole_id_only() -> None:
    assert customer_filter("acme") == 'customer:"^acme$"'  # not acme-realty too
    assert customer_filter("a.b") == 'customer:"^a\\.b$"'  # a regex character, escaped
    assert customer_filter('say "hi"') == "customer:'^say \"hi\"$'"
    assert customer_filter('it\'s "x"') is None  # cannot be quoted: no link


def test_the_json_endpoint_is_the_cli_json(run: Run, ok: Ok) -> None:
    data = report_json(client())
    assert data["error"] is None
    mrr = cli_json(run, ok, MAIN, "mrr", "--as-of", TODAY)
    assert mrr["notes"][1:3] == [
        "rate EUR->USD 1.06 of 2026-01-01",
        "rate EUR->USD 1.05 of 2026-02-01",
    ]
    mrr["notes"] = ["active boxes in 2026-12: 9", "rate EUR->USD 1.06 of 2026-10-01"]  # used
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
    # the sum of a month's sold, by hand: October 2026 is 2691.96 (the headline of ?time=2026-10)
    october = [Decimal(r["sold"]) for r in series["keep"]["rows"] if r["month"] == "2026-10"]
    assert sum(october) == Decimal("2691.96")


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
    series = {
        "onebox-chart-keep-sold": ["cloud", "data", "product", "services"],
        "onebox-chart-keep-onebox_cost": ["cloud", "data", "product", "services"],
        "onebox-chart-keep-kept": ["cloud", "data", "product", "services"],
        "onebox-chart-mrr": ["cloud", "data", "product"],
        "onebox-chart-aging": ["current", "1-30", "31-60", "61-90", "90+"],
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
                money(keep["totals"][0][column]),
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
    assert {m["title"].split("\n")[1] for m in october} == {"Total sold: 2,691.96 USD"}
    # who is 61-90 days behind at the last month end, on hover
    (harbor,) = [
        m for m in marks["onebox-chart-aging"] if (m["month"], m["series"]) == ("2026-12", "61-90")
    ]
    assert harbor["title"] == (
        "Dec 2026, 61-90 days: 504.00 USD\nTotal: 3,479.96 USD\nHarbor Clinic 504.00"
    )


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


HEAD = "sha256:18fda933e2dc4701650378055571c274c834b1a7cf29f2c0416a6cdbb9827bbf"


def test_the_status_panel(fixed_today: None) -> None:
    fava = client()
    html = get(fava, PAGE, time="2026-10")  # the status is as of today whatever the period
    page = parse(html)
    texts = page.texts
    assert texts["onebox-status"].startswith("\nStatus as of today, 2026-12-15\n")
    assert texts["onebox-status-sealed"] == "Sealed: 2026-01..2026-10 (10 months)."
    assert texts["onebox-status-head"] == (
        f"Chain head: 2026-10 {HEAD}; note it, and onebox-ledger verify --head {HEAD} checks it"
        " at the next audit."
    )
    assert texts["onebox-status-last-close"] == (
        "Last close: 2026-10, its seal dated 2026-10-31 (ledger/journal/2026-10.beancount:323);"
        " the ledger records the month and the seal's date, not when the close ran."
    )
    assert texts["onebox-status-unclosed"] == (
        "Ended, not closed: 2026-11; run onebox-ledger close 2026-11."
    )
    assert texts["onebox-status-bills"] == (
        "OneBox bills due within 7 days or overdue:\nonebox-2026-10 1,087.16 USD, due 2026-11-30"
        ' (overdue); pay with onebox-ledger onebox pay "1087.16 USD" --date 2026-12-15 --bill'
        " onebox-2026-10, or record a grace period with onebox-ledger onebox grace."
    )
    assert texts["onebox-status-past-due"].startswith(
        "Invoices past due: 11 invoices, 3,479.96 USD (1-30 days: 2,471.96; 31-60 days: 504.00;"
        " 61-90 days: 504.00). Most days past due:\ninv-2026-08-harbor-clinic (Harbor Clinic,"
        " 504.00 USD, 76 days); inv-2026-09-harbor-clinic (Harbor Clinic, 504.00 USD, 46 days);"
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
    assert by_text["ledger/journal/2026-10.beancount:323"] == (
        f"/{SLUG}/editor/?file_path={ROOT}/ledger/journal/2026-10.beancount&line=323&time=2026-10"
    )
    assert by_text["0 errors"] == f"/{SLUG}/errors/?time=2026-10"
    assert query_rows(fava, by_text["onebox-2026-10"])[-1][3] == {"USD": Decimal("-1087.16")}
    assert report_json(fava)["status"] == {
        "today": "2026-12-15",
        "sealed": {"first": "2026-01", "last": "2026-10", "months": 10},
        "head": {"month": "2026-10", "digest": HEAD},
        "last_close": {"month": "2026-10", "seal_date": "2026-10-31"},
        "unclosed": ["2026-11"],
        "bills": [
            {"bill": "onebox-2026-10", "date": "2026-10-31", "currency": "USD",
             "billed": "1087.16", "paid": "0.00", "open": "1087.16", "due": "2026-11-30",
             "status": "overdue"},
        ],
        "past_due": {
            "invoices": 11, "total": "3479.96",
            "buckets": {"1-30": "2471.96", "31-60": "504.00", "61-90": "504.00", "90+": "0.00"},
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
    assert page.texts["onebox-headline"] == (
        "Sold 2,691.96 USD; OneBox cost 1,087.16 USD; kept 1,604.80 USD (59.6%)."
    )
    data = report_json(fava, time="2026-10")
    october = ("--from", "2026-10-01", "--to", "2026-10-31")
    assert data["tables"]["keep-stream"] == cli_json(run, ok, MAIN, "keep", *october)
    assert data["tables"]["receivables"] == cli_json(
        run, ok, MAIN, "receivables", "--as-of", "2026-10-31"
    )
    assert data["tables"]["payables"]["rows"][-1] == {
        "bill": "onebox-2026-10", "date": "2026-10-31", "currency": "USD", "accrued": "1087.16",
        "billed": "1087.16", "difference": "0.00", "paid": "0.00", "open": "1087.16",
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


def test_each_invoice_and_bill_links_to_the_query_of_its_life(fixed_today: None) -> None:
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
    assert len(links) == len(invoices) + len(bills) == 21
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


def test_a_period_not_yet_ended_is_seen_as_of_today(run: Run, ok: Ok) -> None:
    data = report_json(client(), time="2026")
    assert data["title"] == "OneBox, 2026-01-01 to 2026-12-31"
    assert data["tables"]["keep-stream"] == cli_json(
        run, ok, MAIN, "keep", "--from", "2026-01-01", "--to", "2026-12-31"
    )
    for name in ("receivables", "payables", "mrr"):  # as of today, 2026-12-15, not 2026-12-31
        expected = cli_json(run, ok, MAIN, name, "--as-of", TODAY)
        if name == "mrr":  # only the rate MRR used (test_the_json_endpoint_is_the_cli_json)
            expected["notes"] = ["active boxes in 2026-12: 9", "rate EUR->USD 1.06 of 2026-10-01"]
        assert data["tables"][name] == expected


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
    assert before.sections["onebox-keep-stream"][0][5] == [
        "Services", "6,750.00", "0.00", "6,750.00", "100.0",
    ]  # fmt: skip
    ok(run(demo_copy, "sell", "acme-realty", "500 USD", "--stream", "services",
           "--date", "2026-11-20", "--memo", "Training"))  # fmt: skip
    after = parse(get(fava, PAGE))
    assert after.sections["onebox-keep-stream"][0][5] == [
        "Services", "7,250.00", "0.00", "7,250.00", "100.0",
    ]  # fmt: skip
    assert after.texts["onebox-headline"] == (
        "Sold 21,656.35 USD; OneBox cost 7,837.84 USD; kept 13,818.51 USD (63.8%)."
    )
    # November's bar gains the sale
    november = after.sections["onebox-chart-keep-sold"][0][11]
    assert november == ["Nov 2026", "0.00", "0.00", "0.00", "500.00", "500.00"]
    assert demo_copy.read_bytes() == main_bytes


def test_a_missing_exchange_rate_is_one_line_on_the_page(
    new_ledger: Path, run: Run, ok: Ok
) -> None:
    """The open EUR invoice is valued at the rate of the page's date; without one, one line."""
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
        "no exchange rate EUR->USD on or before 2026-12-15"
        " (add one to ledger/prices.beancount: 2026-12-15 price EUR 1.00 USD)"
    )
    assert page.sections == {}


def test_the_page_has_no_endpoint_that_writes(demo_copy: Path) -> None:
    before = demo_copy.read_bytes()
    fava = client(demo_copy, read_only=False)
    for method in ("post", "put", "delete"):
        assert getattr(fava, method)(PAGE + "report").status_code == 404
    assert fava.get(PAGE + "anything").status_code == 404
    assert demo_copy.read_bytes() == before
