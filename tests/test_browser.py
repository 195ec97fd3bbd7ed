"""What only a browser shows: Fava's front end, in headless Chromium, on the shipped demo.

A real ``onebox-ledger serve`` (Fava, read-only, Host checked) serves a copy of
the demo; Playwright drives Debian's Chromium (``/usr/bin/chromium``;
``.ci/run`` installs it with apt). Fava builds its sidebar and navigates between
pages in JavaScript, and its time filter is a form field: these tests click and
type as an accountant does and read what is rendered, not what the server sent.
The browser also tries to write (the source editor's save, a ``fetch`` PUT from
the page) and to reach the server under another name (``evil.example``
resolved to 127.0.0.1, as DNS rebinding does): refused, files unchanged.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

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
HEADLINE = "Sold 21528.51 USD; OneBox cost 7828.53 USD; kept 13699.98 USD (63.6%)."


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
    shutil.copytree(ROOT / "ledger", root / "ledger", ignore=shutil.ignore_patterns(".lock"))
    shutil.copy(MAIN, root / "main.beancount")
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


def rendered_rows(page: Any, table: str) -> list[list[str]]:
    rows = page.locator(f"{table} tr").all()
    return [[cell.strip() for cell in row.inner_text().split("\t")] for row in rows]


def test_the_sidebar_link_opens_the_onebox_page(fava_url: str, page: Any) -> None:
    page.goto(f"{fava_url}/income_statement/")
    page.locator("aside").get_by_role("link", name="OneBox", exact=True).click()
    page.wait_for_selector("#onebox-keep-stream table")
    assert page.url == f"{fava_url}/extension/OneBox/"
    assert page.locator("#onebox-title").inner_text() == "OneBox, start to end"
    assert page.locator("#onebox-headline").inner_text() == (
        "Sold 21528.51 USD; OneBox cost 7828.53 USD; kept 13699.98 USD (63.6%)."
    )
    assert rendered_rows(page, "#onebox-keep-stream table") == cli_rows("keep", "--by", "stream")
    assert rendered_rows(page, "#onebox-mrr table") == cli_rows("mrr", "--as-of", TODAY)


def test_amounts_are_right_aligned_and_totals_bold(fava_url: str, page: Any) -> None:
    page.goto(f"{fava_url}/extension/OneBox/")
    sold = page.locator("#onebox-keep-stream tbody tr").first.locator("td").nth(1)
    stream = page.locator("#onebox-keep-stream tbody tr").first.locator("td").first
    total = page.locator("#onebox-keep-stream tfoot th").nth(1)
    assert sold.inner_text() == "9122.84"
    assert sold.evaluate("e => getComputedStyle(e).textAlign") == "right"
    assert stream.evaluate("e => getComputedStyle(e).textAlign") in ("left", "start")
    assert total.inner_text() == "21528.51"
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
    assert page.locator("#onebox-headline").inner_text() == (
        "Sold 2691.96 USD; OneBox cost 1087.16 USD; kept 1604.80 USD (59.6%)."
    )
    october = cli_rows("keep", "--from", "2026-10-01", "--to", "2026-10-31")
    assert rendered_rows(page, "#onebox-keep-stream table") == october
    receivables = cli_rows("receivables", "--as-of", "2026-10-31")
    gap = receivables.index([""])
    assert rendered_rows(page, "#onebox-receivables table.onebox-totals") == receivables[gap + 1 :]


def test_an_invoice_link_opens_its_life_in_favas_query_page(fava_url: str, page: Any) -> None:
    page.goto(f"{fava_url}/extension/OneBox/")
    row = page.locator("#onebox-receivables tbody tr").first
    cells = [cell.strip() for cell in row.inner_text().split("\t")]
    assert cells[:2] == ["harbor-clinic", "inv-2026-08-harbor-clinic"]
    currency, open_amount = cells[4], cells[5]
    row.get_by_role("link", name=cells[1]).click()
    page.wait_for_url(f"{fava_url}/query/?query_string=SELECT*")
    page.locator("article details table").wait_for()
    lines = rendered_rows(page, "article details table")
    assert lines[0] == ["date", "narration", "position", "balance"]
    assert lines[-1][-1] == f"{open_amount} {currency}" == "504.00 USD"


def test_the_served_page_shows_the_books_and_refuses_a_put_from_its_javascript(
    served: tuple[int, Path], fava_url: str, page: Any
) -> None:
    root = served[1]
    before = tree(root)
    page.goto(f"{fava_url}/extension/OneBox/")
    assert page.locator("#onebox-headline").inner_text() == HEADLINE
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
