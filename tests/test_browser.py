"""What only a browser shows: Fava's front end, in headless Chromium, on the shipped demo.

A real ``onebox-ledger serve`` (Fava, read-only, Host checked) serves a copy of
the demo; Playwright drives Debian's Chromium (``/usr/bin/chromium``;
``.ci/run`` installs it with apt). Fava builds its sidebar and navigates between
pages in JavaScript, and its time filter is a form field: these tests click and
type as an accountant does and read what is rendered, not what the server sent:
the OneBox page's charts drawn (a mark per month and series, each with its
height on screen), their hover titles and the tables beside them equal to
``report keep|mrr|receivables --format json`` month by month, headers in words,
customers by name linking to Fava's journal filtered to them, the status panel,
and colours that read in Fava's light and dark themes.
The browser also tries to write (the source editor's save, a ``fetch`` PUT from
the page) and to reach the server under another name (``evil.example``
resolved to 127.0.0.1, as DNS rebinding does): refused, files unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from click.testing import CliRunner
from conftest import Seal, copy_demo
from test_fava_ext import HEADERS, LABELS, NAMES, for_people, headline

from onebox_ledger.cli import cli

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "main.beancount"
CHROMIUM = Path("/usr/bin/chromium")
TODAY = "2026-12-15"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--host-resolver-rules=MAP evil.example 127.0.0.1",  # a DNS rebinding, for one name
]  # fmt: skip
SLUG = "demo-onebox-partner"

# A real browser and a real server: 15-20 s for the module on this machine, so it is in the
# slow run (CI's, `pytest` with no -m), not the developer's quick one.
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """`onebox-ledger serve` on a copy of the demo: (port, the copy's directory)."""
    root = tmp_path_factory.mktemp("served")
    copy_demo(root)
    port = free_port()
    log = root.parent / f"{root.name}.log"
    env = {**os.environ, "ONEBOX_TODAY": TODAY, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    main = str(root / "main.beancount")
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "onebox_ledger", "--ledger", main, "serve", "--port", str(port)],
            env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                url = f"http://127.0.0.1:{port}/{SLUG}/api/errors"
                with urllib.request.urlopen(url, timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert server.poll() is None, log.read_text(encoding="utf-8", errors="replace")
                assert time.monotonic() < deadline, "serve did not start within 60 s"
                time.sleep(0.2)
        yield port, root
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def fava_url(served: tuple[int, Path]) -> str:
    return f"http://127.0.0.1:{served[0]}/{SLUG}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == []  # no JavaScript error on any page the test opened


def cli_rows(*args: str) -> list[list[str]]:
    """The CLI report's CSV rows (header first), run in-process on the same demo and day."""
    result = CliRunner(env={"ONEBOX_TODAY": TODAY}).invoke(
        cli, ["--ledger", str(MAIN), "report", *args, "--format", "csv"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return [line.split(",") for line in result.stdout.splitlines()]


def cli_json(*args: str) -> dict[str, Any]:
    """The CLI report as JSON (exact decimals as text), in-process on the same demo and day."""
    result = CliRunner(env={"ONEBOX_TODAY": TODAY}).invoke(
        cli, ["--ledger", str(MAIN), "report", *args, "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def shown_rows(*args: str) -> list[list[str]]:
    """The CLI report's CSV rows as the page shows them: its header in words, then values."""
    rows = cli_rows(*args)
    return [HEADERS[f"onebox-{'keep-' + args[2] if args[0] == 'keep' else args[0]}"][0],
            *for_people(rows[1:])]  # fmt: skip


def rendered_rows(page: Any, table: str) -> list[list[str]]:
    rows = page.locator(f"{table} tr").all()
    return [[cell.strip() for cell in row.inner_text().split("\t")] for row in rows]


def test_the_demos_invoice_document_is_listed_beside_its_invoice_and_served(
    served: tuple[int, Path], fava_url: str, page: Any
) -> None:
    """The shipped demo issued October's invoices (documents/): Berlin Immo's receivable journal
    lists the PDF beside the invoice it belongs to, and the link serves the filed bytes (their
    SHA-256 as the document entry records it)."""
    page.goto(f"{fava_url}/account/Assets:Receivable:Berlin-Immo/")
    journal = page.locator("ol.journal.show-document")
    journal.wait_for()
    text = journal.inner_text()
    assert "inv-2026-10-berlin-immo.pdf" in text
    assert "Cloud: 4 x 23.00 EUR, October 2026" in text
    link = journal.locator("a[href*='inv-2026-10-berlin-immo.pdf']").first
    href = link.get_attribute("href")
    assert href and "/document/?filename=" in href
    with urllib.request.urlopen(urllib.parse.urljoin(fava_url + "/", href), timeout=10) as got:
        body = got.read()
    filed = served[1] / "documents/invoices/2026-10/inv-2026-10-berlin-immo.pdf"
    assert body == filed.read_bytes()
    recorded = re.search(
        r'inv-2026-10-berlin-immo.pdf"\n(?:  .*\n)*?  sha256: "([0-9a-f]{64})"',
        (served[1] / "ledger/journal/2026-11.beancount").read_text(encoding="utf-8"),
    )
    assert recorded is not None and hashlib.sha256(body).hexdigest() == recorded.group(1)


def test_the_sidebar_link_opens_the_onebox_page(fava_url: str, page: Any) -> None:
    page.goto(f"{fava_url}/income_statement/")
    page.locator("aside").get_by_role("link", name="OneBox", exact=True).click()
    page.wait_for_selector("#onebox-keep-stream table")
    assert page.url == f"{fava_url}/extension/OneBox/"
    assert page.locator("#onebox-title").inner_text() == "OneBox, start to end"
    assert page.locator("#onebox-headline").inner_text() == headline(cli_json("keep")["totals"])
    assert rendered_rows(page, "#onebox-keep-stream table") == shown_rows("keep", "--by", "stream")
    assert rendered_rows(page, "#onebox-mrr table") == shown_rows("mrr", "--as-of", TODAY)
    # the page's own styles hold after Fava's client-side navigation: Cloud's colour
    mark = page.locator('#onebox-chart-keep-sold rect[data-month="2026-10"][data-series="cloud"]')
    assert mark.evaluate("e => getComputedStyle(e).fill") == "rgb(61, 124, 201)"  # #3d7cc9


def test_amounts_are_right_aligned_and_totals_bold(fava_url: str, page: Any) -> None:
    page.goto(f"{fava_url}/extension/OneBox/")
    keep = cli_json("keep")
    row = [r["stream"] for r in keep["rows"]].index("cloud")  # after the adjustment's row
    sold = page.locator("#onebox-keep-stream tbody tr").nth(row).locator("td").nth(1)
    stream = page.locator("#onebox-keep-stream tbody tr").nth(row).locator("td").first
    total = page.locator("#onebox-keep-stream tfoot th").nth(1)
    assert stream.inner_text() == "Cloud"
    assert sold.inner_text() == f"{Decimal(keep['rows'][row]['sold']):,f}"
    assert sold.evaluate("e => getComputedStyle(e).textAlign") == "right"
    assert stream.evaluate("e => getComputedStyle(e).textAlign") in ("left", "start")
    assert total.inner_text() == f"{Decimal(keep['totals'][0]['sold']):,f}"
    assert int(total.evaluate("e => getComputedStyle(e).fontWeight")) >= 600
    assert sold.is_visible() and total.is_visible()


def test_favas_time_filter_sets_the_period(fava_url: str, page: Any) -> None:
    page.goto(f"{fava_url}/extension/OneBox/")
    page.wait_for_selector("#onebox-keep-stream table")
    time_filter = page.get_by_placeholder("Time")
    time_filter.fill("2026-10")
    time_filter.press("Enter")
    page.wait_for_function(
        "document.querySelector('#onebox-title')?.textContent === 'OneBox, 2026-10-01 to 2026-10-31'"
    )
    assert page.url == f"{fava_url}/extension/OneBox/?time=2026-10"
    # October's keep (worked by hand in test_fava_ext's test of the time filter)
    october_keep = cli_json("keep", "--from", "2026-10-01", "--to", "2026-10-31")
    assert page.locator("#onebox-headline").inner_text() == headline(october_keep["totals"])
    october = cli_rows("keep", "--from", "2026-10-01", "--to", "2026-10-31")
    assert rendered_rows(page, "#onebox-keep-stream table") == [
        HEADERS["onebox-keep-stream"][0],
        *for_people(october[1:]),
    ]
    receivables = cli_rows("receivables", "--as-of", "2026-10-31")
    gap = receivables.index([""])
    assert rendered_rows(page, "#onebox-receivables table.onebox-totals") == [
        HEADERS["onebox-receivables"][1],
        *for_people(receivables[gap + 2 :]),
    ]
    # the charts follow the filter: one month, October
    assert page.locator("#onebox-chart-keep-sold rect.onebox-mark").count() == 4


def test_an_invoice_link_opens_its_life_in_favas_query_page(fava_url: str, page: Any) -> None:
    page.goto(f"{fava_url}/extension/OneBox/")
    row = page.locator("#onebox-receivables tbody tr").first
    cells = [cell.strip() for cell in row.inner_text().split("\t")]
    assert cells[:2] == ["Harbor Clinic", "inv-2026-08-harbor-clinic"]
    currency, open_amount = cells[4], cells[5]
    row.get_by_role("link", name=cells[1]).click()
    page.wait_for_url(f"{fava_url}/query/?query_string=SELECT*")
    page.locator("article details table").wait_for()
    lines = rendered_rows(page, "article details table")
    assert lines[0] == ["date", "narration", "position", "balance"]
    assert lines[-1][-1] == f"{open_amount} {currency}" == "504.00 USD"


MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]  # the last 12 months to 2026-12-15
MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
STREAMS = ["cloud", "data", "product", "services"]
CHARTS = {  # chart -> its series, in drawing order: what is not zero in every month (services
    # has no OneBox cost, the adjustment no sales); aging: the report's buckets and credit
    "keep-sold": STREAMS,
    "keep-onebox_cost": ["cloud", "data", "product", "adjustment"],
    "keep-kept": [*STREAMS, "adjustment"],
    "mrr": ["cloud", "data", "product"],
    "aging": ["current", "1-30", "31-60", "61-90", "90+", "credit"],
}  # fmt: skip
THREE_MONTHS = (("2026-01-01", "2026-01-31"), ("2026-06-01", "2026-06-30"),
                ("2026-10-01", "2026-10-31"))  # fmt: skip


def money(text: str) -> str:
    return f"{Decimal(text):,f}"


def label(month: str) -> str:
    return f"{MONTH_NAMES[int(month[5:]) - 1]} {month[:4]}"


def test_the_charts_are_drawn_a_mark_per_month_and_series(fava_url: str, page: Any) -> None:
    page.goto(f"{fava_url}/extension/OneBox/")
    for key, names in CHARTS.items():
        box = page.locator(f"#onebox-chart-{key} svg").bounding_box()
        assert box is not None and box["width"] >= 500 and box["height"] >= 200, key
        marks = page.locator(f"#onebox-chart-{key} rect.onebox-mark")
        drawn = marks.evaluate_all("els => els.map(e => [e.dataset.month, e.dataset.series])")
        assert drawn == [[month, name] for month in MONTHS for name in names], key
        legend = page.locator(f"#onebox-chart-{key} .onebox-legend li").all_inner_texts()
        assert [text.strip() for text in legend] == [LABELS[name] for name in names]
    # a value shows as height on screen, at one scale: October's cloud and product sold
    # 1433.47 and 744.00 (report keep --from 2026-10-01 --to 2026-10-31): a ratio of 1.93.
    # By hand (ledger/journal/2026-10.beancount): cloud 200.00 (Acme) + 99.36 (Berlin, 92.00
    # EUR x 1.08) + 332.11 (Delta: 220.00, a twelfth of its year, and 31/215 of its 07-01
    # upgrade's 777.53, 112.11) + 52.00 (Fjord) + 243.00 (Granite, 9 x 27.00) + 192.00 (Iris)
    # + 315.00 (Juniper) = 1433.47; product 240.00 (Casa Verde) + 504.00 (Harbor) = 744.00
    october = {r["stream"]: r["sold"] for r in cli_json("keep", "--from", "2026-10-01", "--to", "2026-10-31")["rows"]}  # fmt: skip
    assert (october["cloud"], october["product"]) == ("1433.47", "744.00")
    sold = "#onebox-chart-keep-sold rect.onebox-mark"
    cloud = page.locator(f'{sold}[data-month="2026-10"][data-series="cloud"]').bounding_box()
    product = page.locator(f'{sold}[data-month="2026-10"][data-series="product"]').bounding_box()
    assert cloud is not None and product is not None
    assert abs(cloud["height"] / product["height"] - 1433.47 / 744.00) < 0.02
    assert cloud["y"] > product["y"]  # cloud is stacked first, product above it
    empty = page.locator(f'{sold}[data-month="2026-11"][data-series="cloud"]').bounding_box()
    assert empty is None or empty["height"] == 0  # November has no sales yet


def test_hover_and_the_table_beside_each_chart_show_the_reports_numbers(
    fava_url: str, page: Any
) -> None:
    page.goto(f"{fava_url}/extension/OneBox/")
    beside = {key: rendered_rows(page, f"#onebox-chart-{key} table") for key in CHARTS}
    for key, names in CHARTS.items():
        assert beside[key][0] == ["Month", *(LABELS[n] for n in names), "Total"]
        assert [row[0] for row in beside[key][1:]] == [label(m) for m in MONTHS]
    for first, last in THREE_MONTHS:
        month = first[:7]
        row = MONTHS.index(month) + 1
        keep = cli_json("keep", "--from", first, "--to", last)
        for column in ("sold", "onebox_cost", "kept"):
            values = {r["stream"]: r[column] for r in keep["rows"]}
            assert beside[f"keep-{column}"][row][1:] == [
                *(money(values.get(s, "0.00")) for s in CHARTS[f"keep-{column}"]),
                money(keep["totals"][-1][column]),  # kept: after commission and bad debt
            ], (month, column)
        # hovering a mark: it is outlined, and its title (the browser's tooltip) has the number
        mark = page.locator(f'#onebox-chart-keep-sold rect[data-month="{month}"][data-series="cloud"]')  # fmt: skip
        mark.hover()
        assert mark.evaluate("e => getComputedStyle(e).strokeWidth") == "1px"
        sold = {r["stream"]: r["sold"] for r in keep["rows"]}
        assert mark.locator("title").text_content() == (
            f"{label(month)}, Cloud: {money(sold['cloud'])} USD\n"
            f"Total sold: {money(keep['totals'][0]['sold'])} USD"
        )
        mrr = cli_json("mrr", "--as-of", last)
        values = {r["stream"]: r["mrr"] for r in mrr["rows"]}
        assert beside["mrr"][row][1:] == [
            *(money(values.get(s, "0.00")) for s in CHARTS["mrr"]),
            money(mrr["totals"][0]["mrr"]),
        ]
        aging = cli_json("receivables", "--as-of", last)["totals"][-1]
        assert beside["aging"][row][1:] == [money(aging[b]) for b in (*CHARTS["aging"], "total")]


def test_headers_are_words_and_customers_names_that_open_their_journal(
    fava_url: str, page: Any
) -> None:
    page.goto(f"{fava_url}/extension/OneBox/")
    for section, tables in HEADERS.items():
        for index, header in enumerate(tables):
            cells = page.locator(f"#{section} table").nth(index).locator("thead th")
            assert cells.all_inner_texts() == header, section
    rows = page.locator("#onebox-keep-customer tbody tr")
    # every row names its customer (OneBox's bill adjustment too: reconciled line by line)
    first = rows.first.locator("td").first
    assert (first.inner_text(), first.get_attribute("title")) == ("Acme Realty", "acme-realty")
    names = page.locator("#onebox-keep-customer tbody tr td:first-child").all_inner_texts()
    assert names == list(NAMES.values())
    first.get_by_role("link", name="Acme Realty").click()
    page.wait_for_url(f"{fava_url}/journal/?filter=*")
    assert page.locator("input[placeholder^='Filter by tag']").input_value() == (
        'customer:"^acme-realty$"'
    )
    # Fava's journal shows exactly the entries whose customer: is acme-realty (its contracts,
    # invoices, costs and receipts), none of another customer
    loader.initialize(use_cache=False)
    entries, _, _ = loader.load_file(str(MAIN))
    acme = [e for e in entries if (e.meta or {}).get("customer") == "acme-realty"]
    assert acme
    count = "document.querySelectorAll('.journal > li > p > .datecell > a').length"
    page.wait_for_function(f"{count} === {len(acme)}")  # the filtered journal, once rendered


def test_the_status_panel_shows_the_sealed_range_and_the_bills_due(
    fava_url: str, page: Any, demo_head: Seal
) -> None:
    page.goto(f"{fava_url}/extension/OneBox/")
    assert page.locator("#onebox-status h3").inner_text() == "Status as of today, 2026-12-15"
    assert page.locator("#onebox-status-sealed").inner_text() == (
        "Sealed: 2026-01..2026-10 (10 months)."
    )
    bills = page.locator("#onebox-status-bills")
    (october,) = [
        r for r in cli_json("payables", "--as-of", TODAY)["rows"] if r["status"] != "paid"
    ]
    assert (october["bill"], october["status"]) == ("onebox-2026-10", "overdue")
    assert bills.inner_text().startswith(
        f"OneBox bills due within 7 days or overdue: onebox-2026-10 {money(october['open'])} USD,"
        " due 2026-11-30 (overdue);"
    )
    assert page.locator("#onebox-status-unclosed").inner_text() == (
        "Ended, not closed: 2026-11; run onebox-ledger close 2026-11."
    )
    assert page.locator("#onebox-status-head code").first.inner_text() == demo_head.digest
    bills.get_by_role("link", name="onebox-2026-10").click()
    page.wait_for_url(f"{fava_url}/query/?query_string=SELECT*")
    page.locator("article details table").wait_for()
    # the running balance ends at the open amount (Fava writes a minus sign, U+2212)
    assert rendered_rows(page, "article details table")[-1][-1] == f"\u2212{october['open']} USD"


def rgb(css: str) -> tuple[int, int, int]:
    red, green, blue = (int(v) for v in re.findall(r"\d+", css)[:3])
    return red, green, blue


def contrast(one: tuple[int, int, int], two: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""

    def luminance(color: tuple[int, int, int]) -> float:
        def channel(value: int) -> float:
            c = value / 255
            return c / 12.92 if c <= 0.04045 else float(((c + 0.055) / 1.055) ** 2.4)

        r, g, b = (channel(v) for v in color)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(("scheme", "background"), [("light", (255, 255, 255)), ("dark", (38, 38, 38))])  # fmt: skip
def test_the_charts_read_in_favas_light_and_dark_themes(
    browser: Any, fava_url: str, scheme: str, background: tuple[int, int, int]
) -> None:
    """Text and axes take Fava's theme colours; each series' colour keeps 3:1 against the
    background (WCAG's minimum for graphics) in both themes; the warning badges 4.5:1."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme=scheme)
    try:
        tab = context.new_page()
        tab.goto(f"{fava_url}/extension/OneBox/")
        tab.locator("#onebox-charts").wait_for()
        assert rgb(tab.evaluate("getComputedStyle(document.body).backgroundColor")) == background
        for key in CHARTS:
            labels = tab.locator(f"#onebox-chart-{key} svg text")
            fill = rgb(labels.first.evaluate("e => getComputedStyle(e).fill"))
            assert contrast(fill, background) >= 4.5, (key, fill)
            fills = tab.locator(f"#onebox-chart-{key} rect.onebox-mark").evaluate_all(
                "els => [...new Set(els.map(e => getComputedStyle(e).fill))]"
            )
            assert len(fills) == len(CHARTS[key]), key  # a colour per series
            for color in fills:
                assert contrast(rgb(color), background) >= 3, (key, color)
            cell = tab.locator(f"#onebox-chart-{key} tbody td").nth(1)
            assert contrast(rgb(cell.evaluate("e => getComputedStyle(e).color")), background) >= 4.5
        badge = tab.locator("#onebox-status .onebox-warn").first
        colors = badge.evaluate(
            "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
        )
        assert contrast(rgb(colors[0]), rgb(colors[1])) >= 4.5
    finally:
        context.close()


def test_the_served_page_shows_the_books_and_refuses_a_put_from_its_javascript(
    served: tuple[int, Path], fava_url: str, page: Any
) -> None:
    root = served[1]
    before = tree(root)
    page.goto(f"{fava_url}/extension/OneBox/")
    assert page.locator("#onebox-headline").inner_text() == headline(cli_json("keep")["totals"])
    month = str(root / "ledger" / "journal" / "2026-10.beancount")
    answer = page.evaluate(
        """async (month) => {
            const r = await fetch('/demo-onebox-partner/api/source', {
                method: 'PUT', headers: {'Content-Type': 'application/json'},
                body: JSON.stringify({file_path: month, source: '', sha256sum: ''})});
            return [r.status, await r.text()];
        }""",
        month,
    )
    assert answer == [405, f"onebox-ledger serve is read-only: PUT /{SLUG}/api/source refused\n"]
    assert tree(root) == before


def test_the_source_editor_cannot_save(served: tuple[int, Path], fava_url: str, page: Any) -> None:
    root = served[1]
    before = tree(root)
    page.goto(f"{fava_url}/editor/")
    editor = page.locator(".cm-content")
    editor.wait_for()
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n2026-10-31 open Assets:Stolen\n")
    with page.expect_response(
        lambda r: r.url.endswith("/api/source") and r.request.method == "PUT"
    ) as saved:
        page.keyboard.press("Control+s")
    assert saved.value.status == 405
    assert (
        saved.value.text() == f"onebox-ledger serve is read-only: PUT /{SLUG}/api/source refused\n"
    )
    assert tree(root) == before


def test_a_page_reaching_the_server_by_another_name_is_refused(
    served: tuple[int, Path], page: Any
) -> None:
    """evil.example resolves to 127.0.0.1 (--host-resolver-rules), as after a DNS rebinding:
    the browser sends Host: evil.example:PORT, and gets nothing from the books."""
    port = served[0]
    response = page.goto(f"http://evil.example:{port}/{SLUG}/extension/OneBox/")
    assert (response.status, response.text()) == (
        400, f"onebox-ledger serve: Host 'evil.example:{port}' is not served here\n",
    )  # fmt: skip
    assert page.locator("#onebox-headline").count() == 0
