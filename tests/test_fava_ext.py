"""Fava's OneBox page (onebox_ledger.fava_ext) in real Fava, through Flask's test client.

The page's tables must be the CLI's reports, cell for cell, for Fava's time
filter; its USD income must be what Fava's own query sums; it follows changes
to the files; a missing exchange rate is one line on the page, not a 500; and
it has no endpoint that writes. ``test_browser.py`` checks what only a browser
shows (the sidebar link, Fava's client-side navigation and its time filter).
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
    """The text of every table cell, per section id and table: {section: [[row cells], ...]}."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, list[list[list[str]]]] = {}
        self.texts: dict[str, str] = {}
        self._section: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._id: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ident = dict(attrs).get("id")
        if ident:
            self._id, self.texts[ident] = ident, ""
        if tag == "section" and ident:
            self._section = ident
            self.sections[ident] = []
        elif tag == "table" and self._section:
            self.sections[self._section].append([])
        elif tag == "tr" and self._section:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._section:
            self.sections[self._section][-1].append(self._row)
            self._row = None
        elif tag == "section":
            self._section = None
        elif tag in ("h2", "p"):
            self._id = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._id is not None:
            self.texts[self._id] += data


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


def test_fava_lists_the_page_in_its_sidebar(fixed_today: None) -> None:
    html = get(client(), f"/{SLUG}/income_statement/")
    start = html.index('<script type="application/json" id="ledger-data">')
    data = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert data["extensions"] == [
        {"has_js_module": False, "name": "OneBox", "report_title": "OneBox"}
    ]


def test_the_page_is_the_cli_reports_cell_for_cell(run: Run, ok: Ok) -> None:
    fava = client()
    page = parse(get(fava, PAGE))
    assert page.texts["onebox-title"] == "OneBox, start to end"
    assert page.texts["onebox-headline"] == (
        "Sold 21156.35 USD; OneBox cost 7837.84 USD; kept 13318.51 USD (63.0%)."
    )
    today = ("--as-of", TODAY)
    expected = {
        "onebox-keep-stream": [cli_csv(run, ok, MAIN, "keep", "--by", "stream")],
        "onebox-keep-customer": [cli_csv(run, ok, MAIN, "keep", "--by", "customer")],
        "onebox-mrr": [cli_csv(run, ok, MAIN, "mrr", *today)],
    }
    for two_tables in ("receivables", "payables"):  # rows, then totals with their own columns
        lines = cli_csv(run, ok, MAIN, two_tables, *today)
        gap = lines.index([""])
        expected[f"onebox-{two_tables}"] = [lines[:gap], lines[gap + 1 :]]
    assert {k: page.sections[k] for k in expected} == expected
    assert page.sections["onebox-keep-stream"][0][1:] == [
        ["adjustment", "0.00", "0.03", "-0.03", ""],  # OneBox billed May 0.03 over the accrual
        ["cloud", "9123.76", "5876.25", "3247.51", "35.6"],
        ["data", "114.59", "49.06", "65.53", "57.2"],
        ["product", "5168.00", "1912.50", "3255.50", "63.0"],
        ["services", "6750.00", "0.00", "6750.00", "100.0"],
        ["total", "21156.35", "7837.84", "13318.51", "63.0"],
    ]


def test_the_json_endpoint_is_the_cli_json(run: Run, ok: Ok) -> None:
    data = report_json(client())
    assert data["error"] is None
    assert data["tables"] == {
        "keep-stream": cli_json(run, ok, MAIN, "keep", "--by", "stream"),
        "keep-customer": cli_json(run, ok, MAIN, "keep", "--by", "customer"),
        "receivables": cli_json(run, ok, MAIN, "receivables", "--as-of", TODAY),
        "payables": cli_json(run, ok, MAIN, "payables", "--as-of", TODAY),
        "mrr": cli_json(run, ok, MAIN, "mrr", "--as-of", TODAY),
    }


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
    page = parse(get(fava, PAGE, time="2026-10"))
    assert page.texts["onebox-title"] == "OneBox, 2026-10-01 to 2026-10-31"
    assert page.texts["onebox-headline"] == (
        "Sold 2691.96 USD; OneBox cost 1087.16 USD; kept 1604.80 USD (59.6%)."
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
    html = get(fava, PAGE)
    page = parse(html)
    links = {text: href for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', html)}
    invoices = page.sections["onebox-receivables"][0][1:]
    bills = page.sections["onebox-payables"][0][1:]
    assert len(links) == len(invoices) + len(bills) == 21
    for customer, invoice, *_, currency, open_amount, _days, _bucket in invoices:
        rows = query_rows(fava, links[invoice])
        assert rows[0][0] <= rows[-1][0] and rows[0][2]["units"]["number"] > 0, rows  # billed first
        assert rows[-1][3] == {currency: Decimal(open_amount)}, (customer, invoice, rows)
    for bill, _date, currency, _accrued, billed, _diff, paid, open_amount, _due, _status in bills:
        rows = query_rows(fava, links[bill])
        assert sum(
            -r[2]["units"]["number"] for r in rows if r[2]["units"]["number"] < 0
        ) >= Decimal(billed)
        expected = {currency: -Decimal(open_amount)} if Decimal(open_amount) else {}
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
        assert data["tables"][name] == cli_json(run, ok, MAIN, name, "--as-of", TODAY)


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
        "services", "6750.00", "0.00", "6750.00", "100.0",
    ]  # fmt: skip
    ok(run(demo_copy, "sell", "acme-realty", "500 USD", "--stream", "services",
           "--date", "2026-11-20", "--memo", "Training"))  # fmt: skip
    after = parse(get(fava, PAGE))
    assert after.sections["onebox-keep-stream"][0][5] == [
        "services", "7250.00", "0.00", "7250.00", "100.0",
    ]  # fmt: skip
    assert after.texts["onebox-headline"] == (
        "Sold 21656.35 USD; OneBox cost 7837.84 USD; kept 13818.51 USD (63.8%)."
    )
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
