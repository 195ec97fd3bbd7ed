"""Real Fava on the shipped demo: it loads clean, and its numbers are the keep report's."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount import loader
from fava.application import create_app

from onebox_ledger import reports

ROOT = Path(__file__).resolve().parent.parent
MAIN = ROOT / "main.beancount"


def client() -> Any:
    app = create_app([str(MAIN)], read_only=True)
    return app.test_client()


def api(path: str, **params: str) -> Any:
    response = client().get(f"/demo-onebox-partner/api/{path}", query_string=params)
    assert response.status_code == 200, response.data[:300]
    return json.loads(response.data, parse_float=Decimal)["data"]


def test_fava_serves_the_demo_with_no_errors() -> None:
    response = client().get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/demo-onebox-partner/income_statement/")
    assert api("errors") == []


def test_fava_sums_by_stream_equal_the_keep_report() -> None:
    data = api(
        "query",
        query_string="SELECT account, sum(number) AS total WHERE account ~ '^(Income|Expenses:OneBox)'"
        " AND currency = 'USD' GROUP BY account ORDER BY account",
    )
    fava = {account: total for account, total in data["rows"]}
    assert fava == {
        "Expenses:OneBox:Cloud": Decimal("5876.25"),
        "Expenses:OneBox:Data": Decimal("39.78"),
        "Expenses:OneBox:Product": Decimal("1912.50"),
        "Income:Cloud": Decimal("-8127.40"),
        "Income:Data": Decimal("-91.67"),
        "Income:Product": Decimal("-5184.00"),
        "Income:Services": Decimal("-7130.00"),
    }
    loader.initialize(use_cache=False)
    entries, errors, _ = loader.load_file(str(MAIN))
    assert errors == []
    keep = {
        row[0]: row for row in reports.keep(entries, "USD", start=None, end=None, by="stream").rows
    }
    # USD streams match exactly; cloud also has Berlin Immo's EUR, converted by the report
    assert keep["data"][1:3] == [Decimal("91.67"), Decimal("39.78")]
    assert keep["product"][1:3] == [Decimal("5184.00"), Decimal("1912.50")]
    assert keep["services"][1:3] == [Decimal("7130.00"), Decimal("0.00")]
    assert keep["cloud"][2] == Decimal("5876.25")


def test_fava_filters_one_customer_by_metadata() -> None:
    data = api(
        "query",
        query_string="SELECT sum(number) AS total WHERE account ~ '^Income'"
        " AND entry_meta('customer') = 'acme-realty'",
    )
    # Acme Realty: Jan-Mar 5 users, April 5 users to the 14th and 8 from the 15th
    # (5x14/30 + 8x16/30 = 6.6 users x 25.00 = 165.00), May-Oct 8 users, + 2,000.00 implementation:
    # 3 x 125.00 + 165.00 + 6 x 200.00 + 2000.00 = 3740.00
    assert data["rows"] == [[Decimal("-3740.00")]]
