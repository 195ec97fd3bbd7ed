"""Issued documents in Fava, in a real browser: a small GmbH's books with its November invoices
issued (``invoice show --month``), served by ``onebox-ledger serve`` (read-only); the
customer's receivable journal lists each invoice's document beside the invoice, and the
document's link serves the very bytes filed in the books (their SHA-256 as recorded).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import invoke, load_entries, succeeded
from test_browser import browser, free_port  # noqa: F401  (the browser fixture)
from test_documents import SETUP

pytestmark = pytest.mark.slow
TODAY = "2026-12-15"


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    mp = pytest.MonkeyPatch()
    mp.setenv("ONEBOX_TODAY", TODAY)
    mp.setenv("BEANCOUNT_DISABLE_LOAD_CACHE", "1")
    root = tmp_path_factory.mktemp("fava-docs") / "books"
    main = root / "main.beancount"
    succeeded(invoke(main, "init", str(root), "--start", "2026-01-01", "--currency", "EUR",
                     "--title", "Muster Cloud"))  # fmt: skip
    for step in SETUP:
        succeeded(invoke(main, *step))
    succeeded(invoke(main, "invoice", "show", "--month", "2026-11"))
    mp.undo()
    port = free_port()
    env = {**os.environ, "ONEBOX_TODAY": TODAY, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    log = root.parent / "serve.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "onebox_ledger", "--ledger", str(main), "serve", "--port",
             str(port)], env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/muster-cloud"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/errors", timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert server.poll() is None, log.read_text(encoding="utf-8", errors="replace")
                assert time.monotonic() < deadline, "serve did not start within 60 s"
                time.sleep(0.2)
        yield url, main
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_fava_lists_the_invoice_document_and_serves_its_bytes(
    books: tuple[str, Path],
    browser: Any,  # noqa: F811  (test_browser's fixture)
) -> None:
    url, main = books
    documents = {e.meta["invoice"]: e for e in load_entries(main) if type(e).__name__ == "Document"}
    assert sorted(documents) == ["inv-2026-11-berlin", "inv-2026-11-kyiv", "inv-2026-11-paris"]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{url}/account/Assets:Receivable:Berlin/")
    journal = page.locator("ol.journal.show-document")
    journal.wait_for()
    text = journal.inner_text()
    assert "inv-2026-11-berlin.pdf" in text  # the document entry, listed in the journal
    assert "Cloud: 5 x 25.00 EUR for 14/30 days, November 2026" in text  # beside the invoice
    link = journal.locator("a[href*='inv-2026-11-berlin.pdf']").first
    href = link.get_attribute("href")
    assert href and "/document/?filename=" in href
    with urllib.request.urlopen(urllib.parse.urljoin(url + "/", href), timeout=10) as response:
        body = response.read()
    assert body.startswith(b"%PDF-")
    filed = documents["inv-2026-11-berlin"]
    assert hashlib.sha256(body).hexdigest() == filed.meta["sha256"]
    assert Path(filed.filename).read_bytes() == body
    context.close()
    assert errors == []
